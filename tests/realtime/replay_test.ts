/**
 * The two-thread replay (`replay.ts`) against the one-thread consumer, on the real broker: the
 * same records (ours with heavy faults, the original producers', and values no producer of ours
 * writes) give the same snapshot; a bad option stops before anything is read.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createKafka, produceRecords } from "../../lib/kafka/mod.ts";
import {
  consumeInto,
  createAggregator,
  MAX_IN_FLIGHT,
  replay,
  type Snapshot,
} from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { UsageError } from "../../lib/errors.ts";
import { INTEGRATION, testConfig } from "../_helpers.ts";
import { freshTopics } from "../_topics.ts";

const HOUR = 3_600_000;

/** A snapshot as JSON sees it (the worker's is a structured clone, the one-thread one has frozen rows). */
const plain = (s: Snapshot) => JSON.parse(JSON.stringify(s));

Deno.test({
  name: "a replay aggregating on its own thread gives the one-thread snapshot, foreign records too",
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
      await producer.disconnect();
      const total = ours.length + theirs.length + 8;
      // A lateness longer than the span: nothing is late, so the order partitions are read in
      // (which differs from run to run) cannot change a count.
      const options = { lateness: 48 * HOUR, eventTimeZone: "America/New_York" };
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
      assert.equal(oneStats.records, total);
      assert.deepEqual(two.stats, oneStats);
      assert.equal(reported, total);
      // More batches than may wait for the other thread at once, so the in-flight limit was in play.
      assert.ok(batches > MAX_IN_FLIGHT, `${batches} batches`);
      const expected = plain(one.snapshot());
      assert.equal(expected.totals.received, total);
      assert.ok(expected.totals.malformed >= 7, `${expected.totals.malformed} malformed`);
      assert.ok(expected.totals.duplicates > 0 && expected.totals.nullFields > 0);
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
