/**
 * The soak's verdict on small in-memory runs: a clean run passes every check, and each kind of
 * harm (a record lost or doubled in the lake, real time off the independent count, a failed last
 * NRT pass, a process that died, memory that keeps growing) fails the check that names it.
 */
import assert from "node:assert/strict";
import type { TopicAudit } from "../lib/sink/mod.ts";
import type { Snapshot } from "../lib/realtime/mod.ts";
import type { NrtReport } from "../lib/nrt/mod.ts";
import {
  heapAfterCollections,
  type SoakEnd,
  type SoakReport,
  soakReport,
  type SoakRun,
} from "../lib/soak/mod.ts";
import { TOPICS } from "../lib/schema/events.ts";

const PER_TOPIC = 1000;

/**
 * A garbage-collected heap's saw, sampled every 2 s: from `floor` MB it climbs by `climb` MB over
 * each `period` s, then a full collection takes it back down; the floor itself grows by `growth`
 * over the second half.
 */
function saw(seconds: number, floor: number, { climb = 350, period = 90, growth = 0 } = {}) {
  const list = [];
  for (let at = 0; at <= seconds; at += 2) {
    const late = Math.max(0, at - seconds / 2) / (seconds / 2);
    list.push({ at, mb: floor * (1 + growth * late) + climb * ((at % period) / period) });
  }
  return list;
}

/** RSS samples every 2 s for `seconds`, from `from` MB growing by `growth` over the second half. */
function samples(seconds: number, from: number, growth = 0) {
  return saw(seconds, from, { climb: 0, growth });
}

/** A run of `seconds` in which everything went right, and what its end found. */
function clean(seconds = 600): { run: SoakRun; end: SoakEnd } {
  const run: SoakRun = {
    durationMs: seconds * 1000,
    // Ours 90 %, the original producers' format 10 % of the records.
    rate: (3.6 * PER_TOPIC) / seconds,
    originalRate: (0.4 * PER_TOPIC) / seconds,
    t0: Date.parse("2026-11-28T00:00:00Z"),
    producer: { stdoutTail: [`Sent ${3.6 * PER_TOPIC} of ${3.6 * PER_TOPIC} records`] },
    original: { stdoutTail: [`Sent ${0.4 * PER_TOPIC} of ${0.4 * PER_TOPIC} records`] },
    children: [
      { name: "produce", samples: samples(seconds, 120) },
      { name: "sink (restarted)", samples: samples(seconds, 200) },
      { name: "realtime", samples: samples(seconds, 150) },
      { name: "nrt", samples: [{ at: 60, mb: 300 }] },
    ],
    services: new Map([["kafka", samples(seconds, 700)]]),
    disruptions: [
      { at: 90, what: "sink SIGKILLed and restarted", seconds: 0 },
      { at: 150, what: "broker restarted", seconds: 14 },
      { at: 210, what: "Azurite restarted", seconds: 3 },
    ],
    nrt: [{ at: 60, ok: true, seconds: 4, detail: "nrt: ok" }],
  };
  const topics = TOPICS.map((topic): TopicAudit => ({
    topic,
    kafka: PER_TOPIC,
    valid: PER_TOPIC - 10,
    invalid: 10,
    files: 3,
    lines: PER_TOPIC - 10,
    missing: 0,
    duplicated: 0,
    mismatched: 0,
    misplaced: 0,
    dlq: 10,
    dlqDuplicated: 0,
    dlqUnexpected: 0,
    dlqMissing: 0,
  }));
  const totals = {
    received: PER_TOPIC,
    accepted: PER_TOPIC - 20,
    malformed: 10,
    late: 5,
    duplicates: 5,
    nullFields: 0,
    future: 0,
  };
  const end: SoakEnd = {
    audit: { topics, ok: true, problems: [] },
    count: {
      topics: new Map(TOPICS.map((t) => [t, { records: PER_TOPIC, wellFormed: PER_TOPIC - 10 }])),
    },
    snapshot: { topics: Object.fromEntries(TOPICS.map((t) => [t, { ...totals }])) } as Snapshot,
    nrt: {
      layers: TOPICS.map(() => ({ bronze: PER_TOPIC - 12 })),
      quarantine: { total: 4 * 2 },
    } as unknown as NrtReport,
    exits: [{ name: "realtime", code: 0, why: "" }, { name: "sink", code: 0, why: "" }],
  };
  return { run, end };
}

const failed = (r: SoakReport) => r.checks.filter((c) => !c.ok).map((c) => c.check);

Deno.test("a clean run passes every check, with its figures summed over the topics", () => {
  const { run, end } = clean();
  const report = soakReport(run, end);
  assert.deepEqual(failed(report), []);
  assert.equal(report.ok, true);
  assert.deepEqual(report.records, {
    produced: 4000,
    kafka: 4000,
    lake: 3960,
    dlq: 40,
    lost: 0,
    duplicated: 0,
  });
  assert.equal(report.startedAt, "2026-11-28T00:00:00.000Z");
  assert.deepEqual(
    report.rss.map((s) => s.process),
    ["produce", "sink (restarted)", "realtime", "nrt --watch (peak)", "Kafka broker (JVM)"],
  );
  assert.equal(report.rss.find((s) => s.process === "nrt --watch (peak)")!.peak, 300);
});

Deno.test("each harm fails the check that names it, and only that one", () => {
  const cases: Array<[string, (x: { run: SoakRun; end: SoakEnd }) => void]> = [
    ["lake exactly once", ({ end }) => void (end.audit.topics[1].missing = 1)],
    ["lake exactly once", ({ end }) => void (end.audit.topics[2].dlqDuplicated = 1)],
    [
      "real-time totals equal the independent count",
      ({ end }) => void (end.snapshot!.topics.orders.accepted -= 1),
    ],
    ["real-time totals equal the independent count", ({ end }) => void (end.snapshot = undefined)],
    ["NRT loads every lake line", ({ end }) => void (end.nrt = undefined)],
    [
      "the long-running processes ran until stopped",
      ({ end }) => void (end.exits[0] = { name: "realtime", code: 1, why: "crash" }),
    ],
    ["disruptions done", ({ run }) => void run.disruptions.pop()],
    ["every record produced", ({ run }) => void (run.producer = { stdoutTail: [] })],
    [
      "every record produced",
      ({ run }) => void (run.original = { stdoutTail: ["Sent 399 of 400 records"] }),
    ],
    [
      "realtime: RSS growth after warm-up < 10%",
      ({ run }) => {
        run.children = run.children.map((c) =>
          c.name === "realtime" ? { ...c, samples: samples(600, 150, 0.3) } : c
        );
      },
    ],
  ];
  for (const [check, harm] of cases) {
    const x = clean();
    harm(x);
    assert.deepEqual(failed(soakReport(x.run, x.end)), [check], check);
  }
});

Deno.test("memory growth is not judged on a run shorter than 7 minutes", () => {
  const x = clean(60);
  x.run.children = x.run.children.map((c) =>
    c.name === "realtime" ? { ...c, samples: samples(60, 150, 0.5) } : c
  );
  const report = soakReport(x.run, x.end);
  assert.equal(report.ok, true);
  const rss = report.checks.find((c) => c.check.startsWith("realtime: RSS"))!;
  assert.match(rss.detail, /not judged under 7 minutes/);
});

Deno.test("the real-time view's memory may grow as much as the state it holds did, and no more", () => {
  const check = "realtime: RSS growth after warm-up < 10% + the growth of its state";
  const x = clean();
  x.run.children = x.run.children.map((c) =>
    c.name === "realtime" ? { ...c, samples: samples(600, 150, 0.3) } : c
  );
  // The stream's sessions and ids grew by half over the second half: 30% more memory is no leak.
  x.run.realtimeState = samples(600, 400_000, 0.5);
  let report = soakReport(x.run, x.end);
  assert.equal(report.ok, true, JSON.stringify(report.checks));
  const rss = report.checks.find((c) => c.check === check)!;
  assert.match(
    rss.detail,
    /^155 → 191 MB \(23\.3%\); state held 420000 → 580000 entries \(38\.1%\)$/,
  );
  assert.ok(report.realtimeState!.growth > 0.3);
  // The same memory growth over a state that stayed the same is.
  x.run.realtimeState = samples(600, 400_000);
  report = soakReport(x.run, x.end);
  assert.deepEqual(failed(report), [check]);
});

Deno.test("heapAfterCollections: the least heap after a full collection, each half apart", () => {
  // Collections at 360, 450 and 540 s (halves 300–450 s and 450–600 s): the saw's peaks do not
  // count.
  assert.deepEqual(heapAfterCollections(saw(600, 150), 300), {
    warm: 150,
    end: 150,
    growth: 0,
    collections: 3,
  });
  // A floor that rises (60% over the second half: 12% by 360 s, 30% by 450 s) shows.
  const leak = heapAfterCollections(saw(600, 150, { growth: 0.6 }), 300)!;
  assert.deepEqual([Math.round(leak.warm), Math.round(leak.end)], [168, 195]);
  // A floor that only varies from one collection to the next (the state held then) does not.
  const varied = saw(600, 150).map((x) => x.at % 180 === 0 ? { ...x, mb: x.mb * 1.2 } : x);
  assert.ok(heapAfterCollections(varied, 300)!.growth <= 0);
  // No full collection seen (a heap that never climbs far): the least sample of each half.
  const calm = heapAfterCollections(samples(600, 150, 0.2), 300)!;
  assert.deepEqual([calm.warm, calm.end, calm.collections], [150, 165, 0]);
  assert.equal(heapAfterCollections([], 300), undefined);
});

Deno.test("the real-time view is judged on its heap after collections when its lines carry it", () => {
  const check = "realtime: heap after collections grows < 10% + the growth of its state";
  const x = clean();
  // Its RSS grew 30% with the collector's saw, its heap after collections did not: no leak.
  x.run.children = x.run.children.map((c) =>
    c.name === "realtime" ? { ...c, samples: samples(600, 600, 0.3) } : c
  );
  x.run.realtimeHeap = saw(600, 150);
  let report = soakReport(x.run, x.end);
  assert.deepEqual(failed(report), []);
  const heap = report.checks.find((c) => c.check === check)!;
  assert.match(
    heap.detail,
    /^heap 150 → 150 MB \(0\.0%; 3 full collections\); RSS \d+ → \d+ MB \(2\d\.\d%\), not judged$/,
  );
  assert.ok(!report.checks.some((c) => c.check.startsWith("realtime: RSS")));
  // The heap a collection leaves growing over a state that stayed the same is a leak.
  x.run.realtimeHeap = saw(600, 150, { growth: 0.6 });
  report = soakReport(x.run, x.end);
  assert.deepEqual(failed(report), [check]);
  // As much growth over a state that grew by half is not.
  x.run.realtimeState = samples(600, 400_000, 0.5);
  report = soakReport(x.run, x.end);
  assert.deepEqual(failed(report), []);
});
