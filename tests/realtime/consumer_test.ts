import assert from "node:assert/strict";
import { highWatermarks, produceRecords, topicName } from "../../lib/kafka/mod.ts";
import { TOPICS } from "../../lib/schema/mod.ts";
import {
  consumeInto,
  type ConsumeOptions,
  createAggregator,
  type Snapshot,
} from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { INTEGRATION, runTask } from "../_helpers.ts";
import { addPartitions, cliTopics, freshTopics, openTransaction } from "../_topics.ts";
import { type Arrival, batchMetrics, comparable } from "./_batch.ts";

const HOUR = 3600_000;
// Kafka rejects record timestamps far in the future and ages out old ones: end an hour ago.
const SIM = {
  seed: 23,
  events: 5000,
  faults: "heavy",
  start: new Date(Math.floor(Date.now() / HOUR) * HOUR - 25 * HOUR),
  span: 24 * HOUR,
} as const;

/** A fresh set of topics holding the seeded stream; returns the config pointing at them. */
async function seededTopics() {
  const { kafka, kafkaConfig: config } = await cliTopics("rt", { dlq: false });
  const stats = await produceRecords(kafka, config, simulate(SIM));
  assert.equal(stats.sent, SIM.events);
  return { kafka, config };
}

Deno.test({
  name: "replaying a seeded stream from Kafka equals DuckDB's batch over the same records",
  ...INTEGRATION,
  async fn() {
    const { kafka, config } = await seededTopics();
    const agg = createAggregator({ lateness: 2 * 60_000 });
    const arrivals: Arrival[] = [];
    const stats = await consumeInto(kafka, config, agg, {
      once: true,
      fromBeginning: true,
      onRecord: (r) =>
        arrivals.push({ topic: r.topic, line: r.value, source: `${r.topic}/${r.partition}` }),
    });
    assert.equal(stats.records, SIM.events);
    const snap = agg.snapshot();
    assert.equal(snap.totals.received, SIM.events);
    for (const k of ["malformed", "duplicates", "nullFields"] as const) {
      assert.ok(snap.totals[k] > 0, `no ${k} in the stream`);
    }
    // The stream holds records sent late on purpose; how many of them arrive behind the
    // watermark depends on the order the broker returns partitions in (announced partitions hold
    // it until each has delivered), so the count itself is not fixed.
    const sim = simulate(SIM);
    for (const _ of sim) { /* count the faults */ }
    assert.ok(sim.manifest.totals.late > 0, "no late records in the stream");
    // Partitions are read one backlog after another; per-partition watermarks keep that from
    // turning the other partitions' events late: only the simulator's held-back records are.
    assert.ok(snap.totals.late < 0.05 * SIM.events, `${snap.totals.late} late`);
    assert.deepEqual(comparable(snap), await batchMetrics(arrivals, agg.options));
  },
});

Deno.test({
  name: "realtime --once --from-beginning --json prints the final snapshot of the whole stream",
  ...INTEGRATION,
  async fn() {
    const { config } = await seededTopics();
    // With a lateness longer than the span nothing is late, so arrival order cannot matter.
    const out = await runTask("realtime", [
      "--once",
      "--from-beginning",
      "--json",
      "--lateness",
      "48h",
    ], {
      KAFKA_TOPIC_PREFIX: config.topicPrefix,
    });
    assert.equal(out.code, 0, out.stderr);
    const snap = JSON.parse(out.stdout) as Snapshot;
    const agg = createAggregator({ lateness: 48 * 3600_000 });
    for (const r of simulate(SIM)) agg.addLine(r.topic, r.value);
    const expected = agg.snapshot();
    assert.equal(snap.totals.received, SIM.events);
    assert.equal(snap.totals.late, 0);
    assert.deepEqual(comparable(snap), comparable(expected));
  },
});

Deno.test({
  name: "realtime rejects an unknown flag with usage and exit code 2",
  ...INTEGRATION,
  async fn() {
    const out = await runTask("realtime", ["--nope"]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /Unknown flag --nope/);
  },
});

const minute = (m: number) => new Date(Date.UTC(2026, 10, 26, 10, m)).toISOString();

/** Clicks on `partition` of the clickstream topic: [event id, user, minute]. */
function clicks(topic: string, partition: number, records: Array<[string, string, number]>) {
  return {
    topic,
    messages: records.map(([id, user, m]) => ({
      partition,
      key: user,
      value: JSON.stringify({
        event_id: id,
        user_id: user,
        session_id: `s-${user}`,
        event_type: "page_view",
        page: "home",
        device: "mobile",
        referrer: "direct",
        product_id: null,
        timestamp: minute(m),
      }),
    })),
  };
}

/**
 * A live consume from the beginning until `accepted` events are in and 1.5 s more have passed,
 * with `idleTimeoutMs`; its aggregator (lateness one minute).
 */
async function liveRun(
  t: Awaited<ReturnType<typeof cliTopics>>,
  accepted: number,
  idleTimeoutMs: number,
  onBatch?: ConsumeOptions["onBatch"],
) {
  const agg = createAggregator({ lateness: 60_000 });
  const controller = new AbortController();
  const consumed = consumeInto(t.kafka, t.kafkaConfig, agg, {
    fromBeginning: true,
    signal: controller.signal,
    idleTimeoutMs,
    onBatch,
  });
  const deadline = Date.now() + 15_000;
  while (agg.snapshot().totals.accepted < accepted && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 1500));
  controller.abort();
  await consumed;
  return agg;
}

/**
 * The idle tests' clicks: partition 0 of the clickstream topic moves on to minute 20, partition 1
 * stops at minute 1. Returns the topic's full name.
 */
async function sendIdleLayout(t: Awaited<ReturnType<typeof cliTopics>>): Promise<string> {
  const topic = `${t.kafkaConfig.topicPrefix}clickstream`;
  const producer = t.kafka.producer();
  await producer.connect();
  await producer.send(clicks(topic, 0, [["a1", "u1", 0], ["a2", "u1", 10], ["a3", "u1", 20]]));
  await producer.send(clicks(topic, 1, [["b1", "u2", 1]]));
  await producer.disconnect();
  return topic;
}

Deno.test({
  name:
    "live: a partition read to its end and quiet past the idle timeout stops holding windows open",
  ...INTEGRATION,
  async fn() {
    const t = await cliTopics("rt-idle", { dlq: false });
    await sendIdleLayout(t);
    // Without idleness, partition 1 (minute 1) holds the watermark at minute 0.
    const held = await liveRun(t, 4, 0);
    assert.equal(held.snapshot().totals.accepted, 4);
    assert.equal(held.watermark, Date.parse(minute(0)));
    // With it, both partitions are read to their end and go idle after 300 ms: the watermark
    // follows the latest (partition 0, minute 20, less a minute of lateness), and the windows
    // up to it close.
    const moved = await liveRun(t, 4, 300);
    assert.equal(moved.watermark, Date.parse(minute(19)));
    assert.ok(
      moved.snapshot().memory.openWindows < held.snapshot().memory.openWindows,
      `open windows: ${moved.snapshot().memory.openWindows} with idleness, ${held.snapshot().memory.openWindows} without`,
    );
    await t.cleanup();
  },
});

Deno.test({
  name: "live: a partition read up to another producer's open transaction goes idle too",
  ...INTEGRATION,
  async fn() {
    const t = await cliTopics("rt-idle-txn", { dlq: false });
    const topic = await sendIdleLayout(t);
    // Another application began a transaction on partition 1 and has not ended it: its record
    // lies below the high watermark, but no read-committed consumer reads it until it ends (the
    // broker times it out after 3 minutes; the test aborts it).
    const open = await openTransaction(t.kafka, "other-app");
    try {
      await open.transaction.send(clicks(topic, 1, [["b2", "u2", 30]]));
      // Partition 1 was read to where it can be read: it goes idle like partition 0 and the
      // watermark follows partition 0 (it stayed at minute 0 when only the high watermark
      // counted as the end).
      const ends = new Map<number, number>();
      const moved = await liveRun(t, 4, 300, (_, b) => ends.set(b.partition, b.end));
      assert.equal(moved.snapshot().totals.accepted, 4);
      assert.equal(moved.watermark, Date.parse(minute(19)));
      // Nor is the open record lag: partition 1 ends, for this consumer, after b1.
      assert.deepEqual([...ends].sort(), [[0, 3], [1, 1]]);
    } finally {
      await open.close();
      await t.cleanup();
    }
  },
});

/** The original producers' click: no event_id, a wall-clock time, minute 2. */
const originalClick = JSON.stringify({
  event: "page_view",
  user_id: "user_9",
  timestamp: minute(2).slice(0, 19).replace("T", " "),
  page: "home",
  referrer: "google",
  device: "mobile",
});

/**
 * A live view of fresh one-partition topics (topics looked up every 500 ms, no idleness), a
 * producer, and `started()`, which sends clicks until the view takes one (it starts at the end);
 * `close()` stops it all.
 */
async function liveView(label: string) {
  const t = await freshTopics(label, { partitions: 1 });
  const topic = `${t.kafkaConfig.topicPrefix}clickstream`;
  const agg = createAggregator({ lateness: 60_000 });
  const controller = new AbortController();
  // What the view said of topics gone from the broker, in order.
  const topicNotices: string[][] = [];
  const consumed = consumeInto(t.kafka, t.kafkaConfig, agg, {
    signal: controller.signal,
    idleTimeoutMs: 0,
    metadataMaxAgeMs: 500,
    onTopics: (gone) => topicNotices.push([...gone]),
  });
  const producer = t.kafka.producer();
  await producer.connect();
  return {
    t,
    topic,
    agg,
    producer,
    topicNotices,
    async started() {
      for (let i = 0; agg.snapshot().totals.received === 0 && i < 100; i++) {
        await producer.send(clicks(topic, 0, [[`w${i}`, "u1", 0]]));
        await new Promise((r) => setTimeout(r, 200));
      }
      return agg.snapshot().totals;
    },
    async close() {
      await producer.disconnect();
      controller.abort();
      await consumed;
      await t.cleanup();
    },
  };
}

Deno.test({
  name: "live: a partition added to a topic while the view runs is read from its first record",
  ...INTEGRATION,
  async fn() {
    const { t, topic, agg, producer, started, close } = await liveView("rt-grow");
    const until = async (accepted: number) => {
      const deadline = Date.now() + 20_000;
      while (agg.snapshot().totals.accepted < accepted && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      return agg.snapshot().totals.accepted;
    };
    try {
      assert.equal((await started()).accepted >= 1, true);
      const before = agg.snapshot().totals.accepted;
      // Another partition, and at once records in it: written before the consumer finds the
      // partition (its metadata is up to 500 ms old), so a start at its end would skip them.
      // Ours, and the original producers' click (no event_id, a wall-clock time, no key).
      await addPartitions(t.kafka, topic, 2);
      await producer.send(clicks(topic, 1, [["b1", "u2", 1]]));
      await producer.send({ topic, messages: [{ partition: 1, value: originalClick }] });
      assert.equal(await until(before + 2), before + 2);
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "live: a topic deleted and made again while the view runs is read from its first record",
  ...INTEGRATION,
  async fn() {
    const { t, topic, agg, producer, topicNotices, started, close } = await liveView("rt-remade");
    const admin = t.kafka.admin();
    await admin.connect();
    const received = async (n: number) => {
      for (let i = 0; i < 150 && agg.snapshot().totals.received < n; i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
      return agg.snapshot().totals;
    };
    try {
      // Clicks until the view takes one, then twenty more: its position passes what the topic
      // holds once made again.
      const first = (await started()).received;
      const ids = Array.from(
        { length: 20 },
        (_, i) => [`a${i}`, "u1", 0] as [string, string, number],
      );
      await producer.send(clicks(topic, 0, ids));
      const before = await received(first + 20);
      assert.equal(before.received, first + 20);
      assert.deepEqual(topicNotices, []);
      await admin.deleteTopics({ topics: [topic] });
      // The view says so (kafkajs alone says nothing), once.
      for (let i = 0; i < 100 && topicNotices.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(topicNotices, [[topic]]);
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      // The topic's new log: our click, the original producers' (no event_id, a wall-clock
      // time) and a Python dict; offsets 0–2, below the view's position (20).
      await producer.send(clicks(topic, 0, [["b1", "u2", 1]]));
      await producer.send({
        topic,
        messages: [{ value: originalClick }, { value: "{'event': 1}" }],
      });
      const after = await received(before.received + 3);
      // It stayed where it was before: the view skipped offsets below its old position.
      assert.deepEqual(
        [after.received, after.accepted, after.malformed],
        [before.received + 3, before.accepted + 2, before.malformed + 1],
      );
      for (let i = 0; i < 100 && topicNotices.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(topicNotices, [[topic], []]);
    } finally {
      await admin.disconnect();
      await close();
    }
  },
});

Deno.test({
  name: "startOffsets: a replay reads only the records after the given offsets",
  ...INTEGRATION,
  async fn() {
    const { kafka, config } = await seededTopics();
    const before = new Map<string, number>();
    for (const topic of TOPICS) {
      const name = topicName(config, topic);
      for (const [partition, end] of await highWatermarks(kafka, name)) {
        before.set(`${name}/${partition}`, end);
      }
    }
    const second = { ...SIM, seed: 99, events: 1200, faults: "none" } as const;
    await produceRecords(kafka, config, simulate(second));
    const agg = createAggregator({ lateness: 48 * HOUR });
    const seen: string[] = [];
    const stats = await consumeInto(kafka, config, agg, {
      once: true,
      fromBeginning: true,
      startOffsets: before,
      onRecord: (r) => {
        if (r.offset < before.get(`${topicName(config, r.topic)}/${r.partition}`)!) {
          seen.push(`${r.topic}/${r.partition}@${r.offset}`);
        }
      },
    });
    assert.equal(stats.records, second.events);
    assert.deepEqual(seen, [], "records from before the start offsets");
    assert.equal(agg.snapshot().totals.duplicates, 0, "the first run's records were skipped");
  },
});
