/**
 * The soak's report: the figures of a run (records in Kafka, the lake and the DLQ, real-time
 * totals beside an independent count, each process's memory) and the checks it passes or fails,
 * from what `run.ts` gathered while it ran and found at its end.
 *
 * @module
 */
import type { NrtReport } from "../nrt/mod.ts";
import type { Snapshot } from "../realtime/mod.ts";
import { TOPICS } from "../schema/events.ts";
import type { LakeAudit } from "../sink/mod.ts";
import { type Child, type RssSample, type RssSummary, summarise } from "./child.ts";
import type { IndependentCount } from "./count.ts";

/** One check of the soak's verdict. */
export interface SoakCheck {
  check: string;
  ok: boolean;
  detail: string;
}

/** What a soak run found. */
export interface SoakReport {
  durationMs: number;
  rate: number;
  /** Records per second of the original producers' format sent beside ours (0: none). */
  originalRate: number;
  startedAt: string;
  /**
   * Records sent by the producers (ours and the original format's), in Kafka (more than sent if
   * a producer retry across the broker restart wrote a batch twice), in the lake, in the DLQ; lost
   * and duplicated ones (against Kafka).
   */
  records: {
    produced: number;
    kafka: number;
    lake: number;
    dlq: number;
    lost: number;
    duplicated: number;
  };
  /** Per topic: Kafka records, the independent count and real-time's totals. */
  realtime: Array<{
    topic: string;
    records: number;
    wellFormed: number;
    received: number;
    accepted: number;
    malformed: number;
    late: number;
    duplicates: number;
    future: number;
  }>;
  /** When each disruption happened (s since the start) and how long it took. */
  disruptions: Array<{ at: number; what: string; seconds: number }>;
  nrt: Array<{ at: number; ok: boolean; seconds: number; detail: string }>;
  rss: RssSummary[];
  /**
   * The state the real-time view held (event ids, sessions, open and timed deliveries: entries,
   * from its snapshots' `memory`), warm and at the end as the RSS figures are: what its memory
   * should follow.
   */
  realtimeState?: { warm: number; end: number; growth: number };
  /**
   * The real-time view's heap after full collections (MB: V8's heap in use plus external buffers),
   * warm and at the end: what its memory check judges (see {@linkcode heapAfterCollections}).
   */
  realtimeHeap?: CollectedHeap;
  /** Every RSS sample (s since the start, MB), per process. */
  rssSamples: Record<string, RssSample[]>;
  checks: SoakCheck[];
  ok: boolean;
}

/** What a run gathered while it ran (`run.ts`). */
export interface SoakRun {
  /** How long records were produced, ms. */
  durationMs: number;
  /** Records per second asked for. */
  rate: number;
  /** Records per second of the original producers' format asked for (0: none). */
  originalRate?: number;
  /** When producing began, epoch ms. */
  t0: number;
  /** The producer (its summary line says how many records it sent). */
  producer: Pick<Child, "stdoutTail">;
  /** The producer of the original format's records, when `originalRate` > 0. */
  original?: Pick<Child, "stdoutTail">;
  /** Every process started, with its RSS samples. */
  children: ReadonlyArray<Pick<Child, "name" | "samples">>;
  /** RSS samples of the broker and Azurite, by name. */
  services: ReadonlyMap<string, RssSample[]>;
  disruptions: SoakReport["disruptions"];
  nrt: SoakReport["nrt"];
  /** Entries of state the real-time view held, sampled with the RSS (`mb` holds the entries). */
  realtimeState?: readonly RssSample[];
  /**
   * The real-time view's heap in use plus its external buffers (MB), from the memory its live
   * `--json` lines carry (`lib/realtime/live_line.ts`), sampled with the RSS.
   */
  realtimeHeap?: readonly RssSample[];
}

/** What the end of a run found: the lake audit, the independent count, the last views. */
export interface SoakEnd {
  audit: LakeAudit;
  count: Pick<IndependentCount, "topics">;
  /** Real time's last snapshot, if it printed one. */
  snapshot?: Snapshot;
  /** The last NRT pass, unless it failed. */
  nrt?: NrtReport;
  /** How the long-running processes exited when stopped. */
  exits: Array<{ name: string; code: number; why: string }>;
}

/** Warm-up of the real-time view: well past its longest horizon (sliding window + lateness, 3 min). */
const WARM_UP_S = 300;
/** Warm-up of the others (the sink's state is its open files and queues: full at once). */
const OTHER_WARM_UP_S = 120;
/**
 * The share of the run the disruptions fall in (`run.ts` plans them before it): memory is judged
 * after it, in the steady state (a catch-up after a restart grows the heap for a while; a leak
 * keeps growing afterwards).
 */
const DISRUPTED = 0.5;
/**
 * A fall of the heap between two samples (2 s apart) that only a full collection makes: the
 * scavenges in between free a few MB of a heap of hundreds.
 */
const FULL_COLLECTION_FALL = 0.25;

/** The heap after collections, warm and at the end (see {@linkcode heapAfterCollections}). */
export interface CollectedHeap {
  /** The least heap just after a full collection in the first half after warm-up (MB). */
  warm: number;
  /** The same in the second half (MB). */
  end: number;
  growth: number;
  /** Full collections seen after warm-up. */
  collections: number;
}

/**
 * The heap of a garbage-collected process after its full collections: the least sample just
 * after a fall of a quarter or more (a full collection) in each half of the time from `warmAt`
 * to the last sample (the least sample of a half that saw none). Its RSS follows the collector's
 * saw instead (in the real-time view at 5,000 events/s the heap in use climbs from ≈ 150 to
 * ≈ 500 MB between two full collections, ≈ 80–130 s apart, its RSS from ≈ 570 to ≈ 900 MB), so
 * where the saw is when a minute is sampled moves the RSS more than a leak of a few percent would.
 * What a collection leaves also moves with the state the stream holds at that moment (±15%
 * between collections, measured): the least of each half stays put unless the floor rises, as a
 * leak makes it; it shows about half of a leak's growth over the judged time.
 */
export function heapAfterCollections(
  samples: readonly RssSample[],
  warmAt: number,
): CollectedHeap | undefined {
  if (samples.length === 0) return undefined;
  const last = samples.at(-1)!.at;
  const from = Math.min(warmAt, last);
  const mid = (from + last) / 2;
  const collected = samples.filter((x, i) =>
    i > 0 && x.at >= from && x.mb <= (1 - FULL_COLLECTION_FALL) * samples[i - 1].mb
  );
  const least = (list: readonly RssSample[], lo: number, hi: number) => {
    const mbs = list.filter((x) => x.at >= lo && x.at <= hi).map((x) => x.mb);
    return mbs.length ? Math.min(...mbs) : undefined;
  };
  const half = (lo: number, hi: number) =>
    least(collected, lo, hi) ?? least(samples, lo, hi) ?? samples.at(-1)!.mb;
  const warm = half(from, mid), end = half(mid, last);
  return { warm, end, growth: (end - warm) / warm, collections: collected.length };
}

/** The records a producer says it sent (its summary line), -1 without one. */
function sentBy(producer: SoakRun["producer"] | undefined): number {
  return Number(/Sent (\d+) of/.exec(producer?.stdoutTail.join("\n") ?? "")?.[1] ?? -1);
}

/** Per producer, what it says it sent and what it was asked to. */
function production(run: SoakRun) {
  const asked = (rate: number) => Math.max(1, Math.round(rate * run.durationMs / 1000));
  const ours = { sent: sentBy(run.producer), expected: asked(run.rate) };
  const original = run.originalRate
    ? { sent: sentBy(run.original), expected: asked(run.originalRate) }
    : undefined;
  return { ours, original };
}

/** The report of a run: its figures and its checks. */
export function soakReport(run: SoakRun, end: SoakEnd): SoakReport {
  const report = figures(run, end);
  const checks = verdict(run, end, report);
  return { ...report, checks, ok: checks.every((c) => c.ok) };
}

/** The figures of a run: records, real-time totals, memory. */
function figures(run: SoakRun, end: SoakEnd): Omit<SoakReport, "checks" | "ok"> {
  const a = end.audit.topics;
  const sum = (f: (t: typeof a[number]) => number) => a.reduce((n, t) => n + f(t), 0);
  const rt = TOPICS.map((topic) => {
    const c = end.count.topics.get(topic) ?? { records: 0, wellFormed: 0 };
    const s = end.snapshot?.topics[topic];
    return {
      topic,
      records: c.records,
      wellFormed: c.wellFormed,
      received: s?.received ?? 0,
      accepted: s?.accepted ?? 0,
      malformed: s?.malformed ?? 0,
      late: s?.late ?? 0,
      duplicates: s?.duplicates ?? 0,
      future: s?.future ?? 0,
    };
  });
  const rss: RssSummary[] = [];
  const durationS = run.durationMs / 1000;
  // Warm: the state a stream fills (windows, ids, sessions) is full.
  const warmAt = (samples: readonly RssSample[], warmUp: number) =>
    Math.max((samples[0]?.at ?? 0) + warmUp, DISRUPTED * durationS);
  let realtimeWarmAt: number | undefined;
  for (const child of run.children.filter((c) => c.name !== "nrt")) {
    const at = warmAt(child.samples, child.name === "realtime" ? WARM_UP_S : OTHER_WARM_UP_S);
    if (child.name === "realtime") realtimeWarmAt = at;
    const s = summarise(child.name, child.samples, at);
    if (s) rss.push(s);
  }
  const nrtPeak = Math.max(
    0,
    ...run.children.filter((c) => c.name === "nrt").flatMap((c) => c.samples.map((x) => x.mb)),
  );
  if (nrtPeak > 0) {
    rss.push({
      process: "nrt --watch (peak)",
      start: 0,
      warm: 0,
      peak: nrtPeak,
      end: 0,
      growth: 0,
    });
  }
  // The state over the same minutes as the view's RSS, so the two growths compare.
  const state = summarise(
    "realtime state",
    run.realtimeState ?? [],
    realtimeWarmAt ?? warmAt(run.realtimeState ?? [], WARM_UP_S),
  );
  const heap = heapAfterCollections(
    run.realtimeHeap ?? [],
    realtimeWarmAt ?? warmAt(run.realtimeHeap ?? [], WARM_UP_S),
  );
  for (const [name, samples] of run.services) {
    const s = summarise(
      name === "kafka" ? "Kafka broker (JVM)" : "Azurite",
      samples,
      DISRUPTED * durationS,
    );
    if (s) rss.push(s);
  }
  return {
    durationMs: run.durationMs,
    rate: run.rate,
    originalRate: run.originalRate ?? 0,
    startedAt: new Date(run.t0).toISOString(),
    records: {
      produced: Math.max(0, sentBy(run.producer)) + Math.max(0, sentBy(run.original)),
      kafka: sum((t) => t.kafka),
      lake: sum((t) => t.lines),
      dlq: sum((t) => t.dlq),
      lost: sum((t) => t.missing + t.dlqMissing),
      duplicated: sum((t) => t.duplicated + t.dlqDuplicated),
    },
    realtime: rt,
    disruptions: run.disruptions,
    nrt: run.nrt,
    rss,
    ...(state ? { realtimeState: { warm: state.warm, end: state.end, growth: state.growth } } : {}),
    ...(heap ? { realtimeHeap: heap } : {}),
    rssSamples: Object.fromEntries([
      ...run.children.filter((c) => c.name !== "nrt").map((c) => [c.name, c.samples]),
      ...run.services,
    ]),
  };
}

/** The checks of a run. */
function verdict(
  o: SoakRun,
  end: SoakEnd,
  report: Omit<SoakReport, "checks" | "ok">,
): SoakCheck[] {
  const checks: SoakCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) =>
    checks.push({ check: name, ok, detail });
  const { ours, original } = production(o);
  check(
    "every record produced",
    ours.sent === ours.expected && (!original || original.sent === original.expected),
    `${ours.sent} of ${ours.expected} sent` +
      (original ? `; original format: ${original.sent} of ${original.expected}` : ""),
  );
  const r = report.records;
  check(
    "lake exactly once",
    end.audit.ok && r.lost === 0 && r.duplicated === 0,
    `${r.lake} lines + ${r.dlq} dead letters for ${r.kafka} records; lost ${r.lost}, ` +
      `duplicated ${r.duplicated}${end.audit.problems.length ? `; ${end.audit.problems[0]}` : ""}`,
  );
  const rt = report.realtime;
  const sum = (f: (x: typeof rt[number]) => number) => rt.reduce((a, x) => a + f(x), 0);
  const counted = rt.every((x) =>
    x.received === x.records && x.malformed === x.records - x.wellFormed &&
    x.accepted + x.late + x.duplicates + x.future === x.wellFormed
  );
  check(
    "real-time totals equal the independent count",
    end.snapshot !== undefined && counted,
    `received ${sum((x) => x.received)} of ${sum((x) => x.records)}; malformed ${
      sum((x) => x.malformed)
    } (independent: ${
      sum((x) => x.records - x.wellFormed)
    }); accepted + late + duplicates + future ${
      sum((x) => x.accepted + x.late + x.duplicates + x.future)
    } (independent well-formed: ${sum((x) => x.wellFormed)})`,
  );
  const lines = end.audit.topics.reduce((a, t) => a + t.lines, 0);
  const bronze = end.nrt?.layers.reduce((a, l) => a + l.bronze, 0) ?? -1;
  const quarantined = end.nrt?.quarantine.total ?? 0;
  check(
    "NRT loads every lake line",
    end.nrt !== undefined && bronze + quarantined === lines,
    `${report.nrt.length} passes during the run (${
      report.nrt.filter((p) => !p.ok).length
    } failed); last pass: ${bronze} bronze rows + ${quarantined} quarantined of ${lines} lines`,
  );
  const bad = end.exits.filter((e) => e.code !== 0);
  check(
    "the long-running processes ran until stopped",
    bad.length === 0,
    bad.length
      ? bad.map((e) => `${e.name} exited ${e.code}: ${e.why}`).join("; ")
      : end.exits.map((e) => `${e.name} exited 0`).join(", "),
  );
  check(
    "disruptions done",
    report.disruptions.length === 3,
    report.disruptions.map((d) => `${d.what} at ${d.at} s`).join("; "),
  );
  const judged = o.durationMs >= 420_000;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const notJudged = judged ? "" : ", not judged under 7 minutes";
  for (const s of report.rss.filter((x) => /^(sink \(restarted\)|realtime)$/.test(x.process))) {
    // The real-time view's state follows the stream (a simulated shop whose users and sessions
    // keep growing): its memory may grow as much as that state did, plus the 10%.
    const state = s.process === "realtime" ? report.realtimeState : undefined;
    const allowed = 0.1 + Math.max(0, state?.growth ?? 0);
    const held = state
      ? `; state held ${Math.round(state.warm)} → ${Math.round(state.end)} entries (${
        pct(state.growth)
      })`
      : "";
    const rss = `${s.warm.toFixed(0)} → ${s.end.toFixed(0)} MB (${pct(s.growth)})`;
    const heap = s.process === "realtime" ? report.realtimeHeap : undefined;
    if (heap) {
      // The view's heap after collections is judged; its RSS follows the collector's saw
      // (see `heapAfterCollections`) and is shown beside it.
      check(
        "realtime: heap after collections grows < 10% + the growth of its state",
        !judged || heap.growth < allowed,
        `heap ${heap.warm.toFixed(0)} → ${heap.end.toFixed(0)} MB (${
          pct(heap.growth)
        }; ${heap.collections} full collections)${held}; RSS ${rss}, not judged${notJudged}`,
      );
      continue;
    }
    check(
      `${s.process}: RSS growth after warm-up < 10%${state ? " + the growth of its state" : ""}`,
      !judged || s.growth < allowed,
      `${rss}${held}${notJudged}`,
    );
  }
  return checks;
}
