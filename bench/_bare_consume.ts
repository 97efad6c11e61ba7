/**
 * The sink benchmark's baseline, in a process of its own: kafkajs exactly as published (none of
 * this workspace's code, so none of the faster paths `lib/kafka` installs into kafkajs) reads a
 * topic to `n` records with a fresh group and the sink's fetch settings, touching each value.
 * Prints `{"rate": records/s}`.
 *
 * Usage: deno run -A bench/_bare_consume.ts '{"brokers":[…],"topic":"…","n":…,"fetch":{…},"concurrency":4}'
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";

const { brokers, topic, n, fetch, concurrency } = JSON.parse(Deno.args[0]);
const kafka = new Kafka({ clientId: "bench-bare", brokers, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `bench-bare-${crypto.randomUUID()}`, ...fetch });
const t0 = performance.now();
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
let seen = 0;
let bytes = 0;
await new Promise<void>((resolve, reject) => {
  consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: concurrency,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) bytes += m.value?.byteLength ?? 0;
      seen += batch.messages.length;
      if (seen >= n) resolve();
      await Promise.resolve();
    },
  }).catch(reject);
});
const seconds = (performance.now() - t0) / 1000;
await consumer.disconnect();
if (bytes === 0) throw new Error(`The bare consumer read no value bytes from ${topic}`);
console.log(JSON.stringify({ rate: n / seconds }));
