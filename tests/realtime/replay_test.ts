/**
 * The two-thread replay (`replay.ts`) against the one-thread consumer, on the real broker: the
 * same records (ours with heavy faults, the original producers', and values no producer of ours
 * writes) give the same snapshot, late records included, run after run, and the snapshot of the
 * records merged by timestamp offline; a bad option stops before anything is read.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createKafka, produceRecords, readToEnd } from "../../lib/kafka/mod.ts";
import {
  consumeInto,
  createAggregator,
  MAX_IN_FLIGHT,
  replay,
  REPLAY_DEFAULTS,
  type Snapshot,
} from "../../lib/realtime/mod.ts";
import type { AggregatorOptions } from "../../lib/realtime/aggregator.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { UsageError } from "../../lib/errors.ts";
import { INTEGRATION, testConfig } from "../_helpers.ts";
import { type FreshTopics, freshTopics } from "../_topics.ts";

const HOUR = 3_600_000;

/** A snapshot as JSON sees it (the worker's is a structured clone, the one-thread one has frozen rows). */
const plain = (s: Snapshot) => JSON.parse(JSON.stringify(s));

/**
 * The aggregator fed what the topics hold in the replay's order, computed here from the records
 * read back: each partition in offset order, the record with the smallest timestamp next (ties:
 * topic order, then partition).
 */
async function mergedOffline(t: FreshTopics, options: AggregatorOptions): Promise<Snapshot> {
  const read = await readToEnd(t.kafka, t.topics);
  const logs = TOPICS.flatMap((topic) => {
    const byPartition = Map.groupBy(read.get(t.name(topic))!, (r) => r.partition);
    return [...byPartition].sort(([a], [b]) => a - b).map(([partition, records]) => ({
      topic,
      source: `${topic}/${partition}`,
      records: records.sort((a, b) => a.offset - b.offset),
      next: 0,
    }));
  });
  const agg = createAggregator(options);
  agg.expectSources(logs.map((l) => l.source));
  while (true) {
    let best: typeof logs[number] | undefined;
    for (const log of logs) {
      if (log.next === log.records.length) continue;
      if (!best || log.records[log.next].timestamp < best.records[best.next].timestamp) best = log;
    }
    if (!best) return agg.snapshot();
    const record = best.records[best.next++];
    agg.addLine(best.topic, record.value, best.source, record.timestamp);
  }
}

Deno.test({
  name: "a replay gives one snapshot, late records too: on one thread or two, run after run",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("replay2t", { partitions: 3 });
    try {
      const start = new Date(Math.floor(Date.now() / HOUR) * HOUR - 25 * HOUR);
      const ours = [
        ...simulate({ seed: 31, events: 20_000, faults: "heavy", start, span: 20 * HOUR }),
      ];
      const theirs = [
        ...simulate({
          seed: 32,
          events: 2_000,
          format: "original",
          zone: "America/New_York",
          start,
          span: 20 * HOUR,
        }),
      ];
      await produceRecords(t.kafka, t.kafkaConfig, [...ours, ...theirs]);
      // Values none of our producers write, with odd headers: each must be counted malformed.
      const producer = t.kafka.producer();
      await producer.connect();
      const at = start.getTime() + HOUR;
      await producer.send({
        topic: t.name("clickstream"),
        messages: [
          { value: null },
          { value: Buffer.alloc(0) },
          { value: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
          { value: "[1,2]", headers: { "content-type": "text/x-python" } },
          { value: '"just a string"' },
          { value: "{'event': 'click'}" },
          { value: "{\n}" },
          {
            value: JSON.stringify({
              event_id: "x-1",
              user_id: "user_9",
              timestamp: new Date(at).toISOString().replace("Z", "+05:30"),
              event: "click",
              page: 7,
              device: ["phone"],
            }),
            headers: { "": "", "weird\u0000key": Buffer.from([0]) },
          },
        ],
      });
      // A partition far ahead: 6,000 profiles at the end of the span, more than one fetch holds,
      // wait for every other partition; the replay pauses it, and resumes it once they drained.
      const ahead = Array.from({ length: 6_000 }, (_, i) => {
        const timestamp = start.getTime() + 21 * HOUR + i;
        return {
          partition: 0,
          timestamp: String(timestamp),
          value: JSON.stringify({
            event_id: `ahead-${i}`,
            user_id: `user_ahead_${i}`,
            timestamp: new Date(timestamp).toISOString(),
            name: "x".repeat(200),
          }),
        };
      });
      for (let i = 0; i < ahead.length; i += 1000) {
        await producer.send({ topic: t.name("user-profiles"), messages: ahead.slice(i, i + 1000) });
      }
      // Dated 9999 by a producer with a wrong clock (its record timestamps are the wall clock's):
      // future, in our format and the original producers'; counted, no window in 9999.
      await producer.send({
        topic: t.name("orders"),
        messages: [
          {
            value: JSON.stringify({
              event_id: "far-1",
              order_id: "o-far",
              user_id: "user_1",
              timestamp: "9999-12-31T23:59:59Z",
              items: [],
              total_amount: 5,
            }),
          },
          {
            value: JSON.stringify({
              order_id: "o-far-2",
              user_id: "user_1",
              timestamp: "9999-06-30 12:00:00",
              items: [],
              total_amount: 5,
            }),
          },
        ],
      });
      await producer.disconnect();
      const total = ours.length + theirs.length + 8 + ahead.length + 2;
      // The default lateness: some records are late, and which ones depends on the order the
      // partitions are merged in, not on the order the broker's fetches bring them.
      const options = { ...REPLAY_DEFAULTS, eventTimeZone: "America/New_York" };
      const one = createAggregator(options);
      const oneStats = await consumeInto(t.kafka, t.kafkaConfig, one, {
        once: true,
        fromBeginning: true,
      });
      let batches = 0, reported = 0;
      const two = await replay(t.kafka, t.kafkaConfig, options, {
        onBatch: (stats) => {
          batches++;
          reported = stats.records;
        },
      });
      const again = await replay(t.kafka, t.kafkaConfig, options);
      assert.equal(oneStats.records, total);
      assert.deepEqual(two.stats, oneStats);
      assert.equal(reported, total);
      // More batches than may wait for the other thread at once, so the in-flight limit was in play.
      assert.ok(batches > MAX_IN_FLIGHT, `${batches} batches`);
      const expected = plain(await mergedOffline(t, options));
      assert.equal(expected.totals.received, total);
      assert.ok(expected.totals.malformed >= 7, `${expected.totals.malformed} malformed`);
      assert.ok(expected.totals.duplicates > 0 && expected.totals.nullFields > 0);
      assert.ok(expected.totals.late > 0, "late records, whose count depends on the order");
      assert.equal(expected.totals.future, 2);
      assert.ok(expected.maxEventTime < "2100", expected.maxEventTime);
      assert.deepEqual(plain(one.snapshot()), expected, "one thread");
      assert.deepEqual(plain(two.snapshot), expected, "two threads");
      assert.deepEqual(plain(again.snapshot), expected, "two threads, again");
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a replay hands values as text only when each is UTF-8 on its own: split, BOM, emoji",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("replaytext", { partitions: 1 });
    try {
      const at = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
      const click = (id: string, page: string) =>
        Buffer.from(JSON.stringify({
          event_id: id,
          user_id: "user_3",
          session_id: "s-1",
          timestamp: new Date(at).toISOString(),
          event: "page_view",
          page,
          device: "mobile",
        }));
      const values = [
        click("plain-1", "home"),
        // "é" split across two values: each alone no UTF-8, the two together text.
        Buffer.from([0x7b, 0x22, 0xc3]),
        Buffer.from([0xa9, 0x22, 0x3a, 0x31, 0x7d]),
        // A byte-order mark before a record (decoded alone, a value loses it).
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), click("bom-1", "home")]),
        click("emoji-1", "página 😀 ☃"),
      ];
      const producer = t.kafka.producer();
      await producer.connect();
      // One partition, one request: one fetched batch, handed to the other thread at once.
      await producer.send({
        topic: t.name("clickstream"),
        messages: values.map((value) => ({ value, timestamp: String(at) })),
      });
      await producer.disconnect();
      const one = createAggregator(REPLAY_DEFAULTS);
      await consumeInto(t.kafka, t.kafkaConfig, one, { once: true, fromBeginning: true });
      const two = await replay(t.kafka, t.kafkaConfig);
      const expected = plain(one.snapshot());
      assert.deepEqual(
        [expected.totals.received, expected.totals.accepted, expected.totals.malformed],
        [5, 3, 2],
      );
      assert.deepEqual(plain(two.snapshot), expected);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a replay with a bad aggregator option stops with a usage error before reading",
  async fn() {
    const config = testConfig().kafka;
    let batches = 0;
    await assert.rejects(
      replay(createKafka(config), config, { window: 0 }, { onBatch: () => batches++ }),
      (error: Error) => error instanceof UsageError && /window/.test(error.message),
    );
    assert.equal(batches, 0);
  },
});
