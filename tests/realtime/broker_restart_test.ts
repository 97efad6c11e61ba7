/**
 * A live real-time consumer across a broker restart: it goes on where it was once a broker
 * answers again (whether kafkajs restarts it or gives up with "Failed to find group coordinator"
 * and `consumeInto` starts a new consumer), counting every record once.
 */
import assert from "node:assert/strict";
import type { RetryOptions } from "kafkajs";
import { createKafka, produceRecords } from "../../lib/kafka/mod.ts";
import { noBrokerAnswered } from "../../lib/kafka/client.ts";
import { consumeInto, createAggregator } from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
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
