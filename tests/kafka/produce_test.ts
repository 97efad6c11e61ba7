/** Producing the simulation to a real broker, including one that restarts mid-run. */
import assert from "node:assert/strict";
import type { Config } from "../../lib/config/mod.ts";
import {
  createKafka,
  highWatermarks,
  produceRecords,
  readAll,
  type ReadRecord,
  topicName,
} from "../../lib/kafka/mod.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { type SimRecord, simulate } from "../../lib/simulate/mod.ts";
import { startService, stopService } from "../../lib/stack/mod.ts";
import { INTEGRATION } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";
import { Kafka, logLevel } from "../../lib/kafka/_kafkajs.ts";
import { lostResponse } from "./_lost_response.ts";
import { withOwnBroker } from "./_own_broker.ts";

const START = new Date("2026-11-20T00:00:00Z");

/** Per topic and key, the values in order: what "same records, same order per key" means. */
function byKey(records: Array<{ topic: string; key: string | null; value: string | null }>) {
  const out = new Map<string, string[]>();
  for (const r of records) {
    const k = `${r.topic}\u0000${r.key}`;
    let list = out.get(k);
    if (!list) out.set(k, list = []);
    list.push(r.value ?? "");
  }
  return out;
}

function expectSameRecords(config: Config, sent: SimRecord[], read: ReadRecord[]) {
  const expected = byKey(sent.map((r) => ({ ...r, topic: topicName(config.kafka, r.topic) })));
  const actual = byKey(read);
  assert.equal(read.length, sent.length, "record count");
  assert.equal(actual.size, expected.size, "key count");
  for (const [k, values] of expected) assert.deepEqual(actual.get(k), values, k);
}

Deno.test({
  name: "produce sends exactly the simulated records, in order per key, with headers",
  ...INTEGRATION,
  async fn() {
    const { config, kafka } = await cliTopics("produce");
    const records = [...simulate({ seed: 7, events: 3000, start: START })];
    const stats = await produceRecords(kafka, config.kafka, records, { batchSize: 250 });
    assert.equal(stats.sent, records.length);
    assert.equal(stats.failed, 0);
    const read = await readAll(kafka, TOPICS.map((t) => topicName(config.kafka, t)));
    expectSameRecords(config, records, read);
    const order = read.find((r) => r.topic.endsWith("orders") && r.value?.startsWith("{"))!;
    assert.equal(order.headers["schema-version"], "1");
    assert.equal(order.headers["event-type"], "order");
    assert.equal(order.key, JSON.parse(order.value!).order_id);
    // The Kafka record timestamp is the event time.
    const click = records.find((r) => r.topic === "clickstream")!;
    const clickRead = read.find((r) => r.value === click.value)!;
    assert.equal(clickRead.timestamp, click.timestamp);
  },
});

Deno.test({
  name: "the in-process path (no worker threads) sends the same records and counts per topic",
  ...INTEGRATION,
  async fn() {
    const { config, kafka } = await cliTopics("produce0");
    const records = [...simulate({ seed: 8, events: 2000, start: START })];
    const progress: number[] = [];
    const stats = await produceRecords(kafka, config.kafka, records, {
      workers: 0,
      batchSize: 300,
      progressEvery: 500,
      onProgress: (s) => progress.push(s.sent),
    });
    assert.equal(stats.sent, records.length);
    assert.equal(stats.failed, 0);
    for (const t of TOPICS) {
      assert.equal(stats.perTopic[t], records.filter((r) => r.topic === t).length, t);
    }
    assert.equal(progress.at(-1), records.length);
    assert.ok(progress.length >= 4, "progress every 500 records and at the end");
    expectSameRecords(
      config,
      records,
      await readAll(kafka, TOPICS.map((t) => topicName(config.kafka, t))),
    );
  },
});

/** Records in the partition logs of the four topics (every copy counts). */
async function logged(kafka: Kafka, config: Config): Promise<number> {
  let count = 0;
  for (const t of TOPICS) {
    for (const end of (await highWatermarks(kafka, topicName(config.kafka, t))).values()) {
      count += end;
    }
  }
  return count;
}

Deno.test({
  name: "a broker stopped and restarted mid-run loses nothing and duplicates nothing",
  ...INTEGRATION,
  async fn() {
    await withOwnBroker(async (config, broker) => {
      const kafka = createKafka(config.kafka);
      const records = [...simulate({ seed: 11, events: 20_000, start: START })];
      let restart: Promise<unknown> | undefined;
      const stats = await produceRecords(kafka, config.kafka, records, {
        rate: 4000,
        progressEvery: 1000,
        onProgress: (s) => {
          // Stop the broker for a few seconds while the producer keeps sending.
          if (!restart && s.sent >= 4000) {
            restart = (async () => {
              await stopService(config, broker);
              await new Promise((r) => setTimeout(r, 3000));
              await startService(config, broker, () => {});
            })();
          }
        },
      });
      assert.ok(restart, "the broker was restarted during the run");
      await restart;
      assert.equal(stats.sent, records.length);
      assert.equal(await logged(kafka, config), records.length, "records in the partition logs");
      const names = TOPICS.map((t) => topicName(config.kafka, t));
      expectSameRecords(config, records, await readAll(kafka, names));
    });
  },
});

// The in-doubt resend, forced: the broker appends a batch and answers, the answer is lost, the
// broker restarts, kafkajs sends the batch again with the same producer id and sequence. The
// broker recognises such a resend only while it remembers the producer, and after a restart it
// forgets producers whose last batch's (record) timestamp is older than producer.id.expiration.ms
// (one day by default): simulated history always is. Our producer must look before resending.
for (const kill of [false, true]) {
  Deno.test({
    name: `a produce response lost while the broker ${
      kill ? "is killed (SIGKILL)" : "shuts down cleanly"
    } and restarts: the resent batch is written once`,
    ...INTEGRATION,
    async fn() {
      await withOwnBroker(async (config, broker) => {
        const records = [...simulate({ seed: 12, events: 6000, start: START })];
        const newest = Math.max(...records.map((r) => r.timestamp));
        assert.ok(newest < Date.now() - 86_400_000, "event times older than a day");
        const lost = lostResponse();
        const kafka = new Kafka({
          brokers: config.kafka.brokers,
          socketFactory: lost.socketFactory,
          // kafkajs must wait for the lost answer until the fault ends, however long the
          // broker takes to restart: no client-side request timeout.
          enforceRequestTimeout: false,
          logLevel: logLevel.NOTHING,
        });
        let armed = false;
        const stats = await produceRecords(kafka, config.kafka, records, {
          workers: 0,
          batchSize: 500,
          progressEvery: 2000,
          onProgress: () => {
            if (armed) return;
            armed = true;
            lost.arm(async () => {
              await stopService(config, broker, { kill });
              await startService(config, broker, () => {});
            });
          },
        });
        assert.equal(lost.failure, undefined, "the broker restarted");
        assert.ok(lost.fired, "a produce response was lost during the run");
        assert.equal(stats.sent, records.length);
        const check = createKafka(config.kafka);
        assert.equal(await logged(check, config), records.length, "records in the partition logs");
        const names = TOPICS.map((t) => topicName(config.kafka, t));
        expectSameRecords(config, records, await readAll(check, names));
      });
    },
  });
}

Deno.test({
  name: "a live run paced by event time sends no record before its event time",
  ...INTEGRATION,
  async fn() {
    const { kafka, kafkaConfig } = await cliTopics("pace");
    const early: number[] = [];
    // In process and on a producer thread.
    for (const workers of [0, 1]) {
      // Two seconds of uneven traffic from now: event times ahead of a steady schedule early on
      // (up to half a second), as a live shop's are over minutes.
      const start = Date.now();
      // 410 records in requests of 20: the last, partial one (half a second later) is paced too.
      const records = [...simulate({ seed: 3, events: 410, start: new Date(start), span: 2_000 })]
        .map((r, i) => ({
          ...r,
          timestamp: start + (i < 400 ? Math.round(2_000 * Math.sqrt(i / 400)) : 2_500),
        }));
      let handed = 0;
      const stats = await produceRecords(kafka, kafkaConfig, records, {
        rate: 200,
        paceBy: "eventTime",
        workers,
        progressEvery: 1,
        onProgress: (s) => {
          // Every record confirmed so far had happened by now.
          const now = Date.now();
          for (; handed < s.sent; handed++) {
            if (records[handed].timestamp > now) early.push(records[handed].timestamp - now);
          }
        },
      });
      assert.equal(stats.sent, records.length);
      assert.ok(stats.seconds >= 1, `${stats.seconds} s: the run followed its records' times`);
    }
    assert.deepEqual(early, [], "records confirmed before their event time (ms early)");
  },
});
