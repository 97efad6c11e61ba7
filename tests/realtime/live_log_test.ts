/**
 * `deno task realtime` writing to a log or a pipe: one summary line per interval, not the tables
 * redrawn every second (those come once, at the end).
 */
import assert from "node:assert/strict";
import { produceRecords } from "../../lib/kafka/mod.ts";
import {
  createAggregator,
  liveJsonLine,
  type LiveLine,
  summaryLine,
  topicsNotice,
} from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { INTEGRATION, runTask } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";

const LINE =
  /^realtime \d+(\.\d)?s · (\d+) records \(\d+\/s\) · accepted \d+ · malformed \d+ · late \d+ · duplicates \d+( · future \d+)? · watermark \S+ · orders \d+ · revenue \d+\.\d\d$/;

Deno.test("summaryLine: one line with the counts the snapshot has", () => {
  const agg = createAggregator();
  for (const r of simulate({ seed: 4, events: 500, start: new Date("2026-11-26T00:00:00Z") })) {
    agg.addLine(r.topic, r.value);
  }
  const snap = agg.snapshot();
  const line = summaryLine(snap, { seconds: 12.345, rate: 41.6 });
  assert.match(line, LINE);
  assert.ok(
    line.startsWith(`realtime 12.3s · 500 records (42/s) · accepted ${snap.totals.accepted}`),
  );
  assert.ok(line.includes(`watermark ${snap.watermark}`));
  const future = { ...snap, totals: { ...snap.totals, future: 3 } };
  assert.match(summaryLine(future, { seconds: 1 }), / · duplicates \d+ · future 3 · /);
});

Deno.test("topicsNotice: which topics went, which came back, in one line", () => {
  assert.equal(
    topicsNotice(["p.orders"], []),
    "realtime: topic p.orders is gone from the broker (deleted?): its metrics stand still until " +
      "it is made again",
  );
  assert.equal(
    topicsNotice(["p.orders", "p.clickstream"], ["p.orders"]),
    "realtime: topics p.orders, p.clickstream are gone from the broker (deleted?): their metrics " +
      "stand still until they are made again",
  );
  // One back, one still gone: both said.
  assert.equal(
    topicsNotice(["p.clickstream"], ["p.orders", "p.clickstream"]),
    "realtime: topic p.clickstream is gone from the broker (deleted?): its metrics stand still " +
      "until it is made again; topic p.orders is back: read from its first record",
  );
  assert.equal(
    topicsNotice([], ["p.orders", "p.clickstream"]),
    "realtime: topics p.orders, p.clickstream are back: read from their first record",
  );
  for (const line of [topicsNotice(["a"], []), topicsNotice([], ["a"])]) {
    assert.ok(!line.includes("\n"));
  }
});

Deno.test("liveJsonLine: the snapshot as it is, and the process's memory beside it", () => {
  // Ours, the original producers' records in New York's wall-clock time, and values no producer
  // should send: the snapshot's malformed reasons and null counts ride in the line unchanged.
  const zone = "America/New_York";
  const agg = createAggregator({ eventTimeZone: zone });
  const start = new Date("2026-11-26T00:00:00Z");
  for (const r of simulate({ seed: 4, events: 300, start })) agg.addLine(r.topic, r.value);
  for (const r of simulate({ seed: 5, events: 300, start, format: "original", zone })) {
    agg.addLine(r.topic, r.value);
  }
  for (const odd of ["[1,2]", '"text"', "null", "{", '{"event_id":7,"user_id":{"a":1}}', ""]) {
    agg.addLine("clickstream", odd);
  }
  const snap = agg.snapshot();
  assert.ok(snap.totals.malformed >= 6 && snap.malformedReasons.length > 0);
  const memory = { rss: 4e8, heapTotal: 3e8, heapUsed: 2e8, external: 1e7, arrayBuffers: 5e6 };
  const line = JSON.parse(liveJsonLine(snap, memory)) as LiveLine;
  const { process, ...rest } = line;
  assert.deepEqual(rest, JSON.parse(JSON.stringify(snap)));
  // Only the four figures the soak reads (no other field of a runtime's report).
  assert.deepEqual(process, { rss: 4e8, heapTotal: 3e8, heapUsed: 2e8, external: 1e7 });
  const own = JSON.parse(liveJsonLine(snap)) as LiveLine;
  assert.ok(own.process.heapUsed > 0 && own.process.rss >= own.process.heapUsed);
});

/** Fresh topics (named after `name`) holding `events` of the last hour's simulated shop. */
async function topicsWithAnHour(name: string, seed: number, events: number) {
  const { kafka, kafkaConfig: config } = await cliTopics(name, { dlq: false });
  const start = new Date(Date.now() - 3600_000);
  const { sent } = await produceRecords(
    kafka,
    config,
    simulate({ seed, events, start, span: 3600_000 }),
  );
  return { config, sent };
}

Deno.test({
  name: "realtime with stdout piped prints one summary line per second, then the tables once",
  ...INTEGRATION,
  async fn() {
    const { config, sent } = await topicsWithAnHour("rt-log", 6, 800);
    const out = await runTask("realtime", ["--from-beginning", "--duration", "5s"], {
      KAFKA_TOPIC_PREFIX: config.topicPrefix,
    });
    assert.equal(out.code, 0, out.stderr);
    assert.ok(!out.stdout.includes("\x1b["), "no terminal escape codes in a log");
    const lines = out.stdout.split("\n");
    const summaries = lines.filter((l) => /^realtime \d/.test(l));
    assert.ok(summaries.length >= 2, `one line per second:\n${out.stdout}`);
    for (const line of summaries) assert.match(line, LINE);
    assert.equal(Math.max(...summaries.map((l) => Number(LINE.exec(l)![2]))), sent);
    // The tables once, at the end (their header line holds every count's name).
    const headers = lines.filter((l) =>
      /\bmalformed\b.*\blate\b.*\bduplicates\b/.test(l) && !l.startsWith("realtime")
    );
    assert.equal(headers.length, 1, out.stdout);
  },
});

Deno.test({
  name: "realtime --json live: its bounds as set on the command line ride in every snapshot line",
  ...INTEGRATION,
  async fn() {
    const { config } = await topicsWithAnHour("rt-bounds", 8, 300);
    const out = await runTask(
      "realtime",
      ["--from-beginning", "--json", "--duration", "3s", "--retention", "90s"].concat(
        ["--delivery-horizon", "2m", "--max-future", "5m"],
      ),
      { KAFKA_TOPIC_PREFIX: config.topicPrefix },
    );
    assert.equal(out.code, 0, out.stderr);
    const last: LiveLine = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(
      [last.options.retention, last.options.deliveryHorizon, last.options.maxFuture],
      [90_000, 120_000, 300_000],
    );
    assert.equal(last.totals.received, 300);
    const bad = await runTask("realtime", ["--delivery-horizon", "soon"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /delivery-horizon/);
  },
});
