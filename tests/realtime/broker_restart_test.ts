/**
 * A live real-time consumer across a broker restart: it goes on where it was once a broker
 * answers again (whether kafkajs restarts it or gives up with "Failed to find group coordinator"
 * and `consumeInto` starts a new consumer), counting every record once.
 */
import assert from "node:assert/strict";
import type { RetryOptions } from "kafkajs";
import type { Kafka } from "kafkajs";
import { createKafka, produceRecords, topicName } from "../../lib/kafka/mod.ts";
import { noBrokerAnswered } from "../../lib/kafka/client.ts";
import { consumeInto, createAggregator } from "../../lib/realtime/mod.ts";
import { type SimRecord, simulate } from "../../lib/simulate/mod.ts";
import { startService, stopService } from "../../lib/stack/mod.ts";
import { INTEGRATION } from "../_helpers.ts";
import { withOwnBroker } from "../kafka/_own_broker.ts";

const HOUR = 3600_000;
// Kafka ages out old record timestamps: a simulated hour that ended an hour ago.
const START = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
const zone = "Europe/Berlin";

/**
 * Produces, consumes, stops the broker for longer than `retry` lasts, restarts it, produces
 * records we did not design for, and checks every record was counted once.
 */
async function acrossRestart(retry: RetryOptions) {
  await withOwnBroker(async (config, broker) => {
    const kafka = createKafka(config.kafka, { retry });
    const sim = { seed: 31, span: HOUR, start: START } as const;
    const before = [...simulate({ ...sim, events: 3000 })];
    // After the restart, records we did not design for: the original producers' (wall-clock
    // times in Berlin, no event_id, keyless clicks) with heavy faults (broken JSON, wrong types).
    const after = [
      ...simulate({ ...sim, seed: 32, events: 2000, format: "original", zone, faults: "heavy" }),
    ];
    await produceRecords(kafka, config.kafka, before);
    const agg = createAggregator({ eventTimeZone: zone });
    const abort = new AbortController();
    let seen = 0;
    let failed: unknown;
    const reached = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const began = Date.now();
        const check = setInterval(() => {
          if (seen >= n) resolve(void clearInterval(check));
          else if (failed !== undefined || Date.now() - began > 120_000) {
            clearInterval(check);
            reject(
              new Error(`${seen} of ${n} records counted: ${failed ?? "no progress in 120 s"}`),
            );
          }
        }, 50);
      });
    const consuming = consumeInto(kafka, config.kafka, agg, {
      fromBeginning: true,
      signal: abort.signal,
      onBatch: (stats) => void (seen = stats.records),
    });
    consuming.catch((error) => failed = error);
    try {
      await reached(before.length);
      // Down for longer than the few retries last.
      await stopService(config, broker);
      await new Promise((r) => setTimeout(r, 5000));
      await startService(config, broker, () => {});
      await produceRecords(createKafka(config.kafka), config.kafka, after);
      await reached(before.length + after.length);
    } finally {
      abort.abort();
    }
    const stats = await consuming;
    assert.equal(stats.records, before.length + after.length, "every record counted once");
    const totals = agg.snapshot().totals;
    assert.equal(totals.received, before.length + after.length);
    assert.ok(totals.malformed > 0, "the faulty records were read and counted malformed");
  });
}

Deno.test({
  name: "a live consumer counts every record once across a broker stop and restart",
  ...INTEGRATION,
  async fn() {
    // Few, short retries: kafkajs gives up while the broker is away (in the soak it does so with
    // the default ones, depending on timing) or restarts the consumer itself.
    await acrossRestart({ retries: 1, initialRetryTime: 100, maxRetryTime: 200 });
  },
});

Deno.test({
  name: "when kafkajs gives a crashed consumer up, consumeInto starts a new one where it was",
  ...INTEGRATION,
  async fn() {
    // kafkajs restarts a consumer after passing errors (a coordinator still loading) but never
    // after the broker went away: only consumeInto's own restart keeps the run going then.
    await acrossRestart({
      retries: 1,
      initialRetryTime: 100,
      maxRetryTime: 200,
      restartOnFailure: (error) => Promise.resolve(!noBrokerAnswered(error)),
    });
  },
});

/**
 * `kafka`, except that the second consumer it makes (the one `consumeInto` starts after a crash)
 * connects only once `gate` resolves; `first` resolves when the first consumer is made (the
 * live start positions are read by then).
 */
function gatedKafka(kafka: Kafka, gate: Promise<void>) {
  let made = 0;
  let firstMade!: () => void;
  const first = new Promise<void>((resolve) => firstMade = resolve);
  const gated = Object.create(kafka) as Kafka;
  gated.consumer = (config) => {
    const consumer = kafka.consumer(config);
    if (++made === 1) firstMade();
    else {
      const connect = consumer.connect.bind(consumer);
      consumer.connect = async () => {
        await gate;
        return connect();
      };
    }
    return consumer;
  };
  return { kafka: gated, first };
}

Deno.test({
  name:
    "live: records written while the view joins, and on partitions silent until a restart, count",
  ...INTEGRATION,
  async fn() {
    await withOwnBroker(async (config, broker) => {
      const kafka = createKafka(config.kafka, {
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
      });
      let open!: () => void;
      const gated = gatedKafka(kafka, new Promise<void>((resolve) => open = resolve));
      const sim = { span: HOUR, start: START } as const;
      // Before the restart: our clicks, all on partition 0 of the clickstream topic; every other
      // partition of the four topics sends nothing.
      const before = [...simulate({ ...sim, seed: 41, events: 400 })]
        .filter((r) => r.topic === "clickstream").slice(0, 50);
      // While the consumer is away: records on every partition, ours and the original
      // producers' (New York wall clock, no event id) with faults.
      const during = [
        ...simulate({ ...sim, seed: 42, events: 300 }),
        ...simulate({ ...sim, seed: 43, events: 300, format: "original", zone, faults: "heavy" }),
      ];
      const producer = kafka.producer();
      const send = async (records: SimRecord[], partition?: number) => {
        await producer.connect();
        const partitions = config.kafka.partitions;
        for (const [i, r] of records.entries()) {
          await producer.send({
            topic: topicName(config.kafka, r.topic),
            messages: [{ partition: partition ?? i % partitions, key: r.key, value: r.value }],
          });
        }
        await producer.disconnect();
      };
      const agg = createAggregator({ eventTimeZone: zone });
      const abort = new AbortController();
      let seen = 0;
      const consuming = consumeInto(gated.kafka, config.kafka, agg, {
        signal: abort.signal,
        idleTimeoutMs: 0,
        onBatch: (stats) => void (seen = stats.records),
      });
      let failed: unknown;
      consuming.catch((error) => failed = error);
      const reached = async (n: number) => {
        for (const began = Date.now(); seen < n;) {
          if (failed !== undefined || Date.now() - began > 60_000) {
            throw new Error(`${seen} of ${n} records counted: ${failed ?? "no progress in 60 s"}`);
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      try {
        // Written while the consumer joins its group: the view starts where the run started.
        await gated.first;
        await send(before, 0);
        await reached(before.length);
        await stopService(config, broker);
        await new Promise((r) => setTimeout(r, 5000));
        await startService(config, broker, () => {});
        // Written before the new consumer joins: a partition without a position would start at
        // its end, past them.
        await send(during);
        open();
        await reached(before.length + during.length);
      } finally {
        open();
        abort.abort();
      }
      const stats = await consuming;
      assert.equal(stats.records, before.length + during.length, "every record counted once");
      assert.equal(agg.snapshot().totals.received, before.length + during.length);
    });
  },
});
