/**
 * Sink throughput: `runSink --once` (Kafka → Azurite, JSON checks, files, atomic puts,
 * transactional commits) against a bare kafkajs consumer reading the same topic in the same run.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { parseLakeUrl } from "../lib/config/mod.ts";
import { createKafka, ensureTopics, produceRecords } from "../lib/kafka/mod.ts";
import { openLake, runSink, SINK_DEFAULTS, SINK_FETCH } from "../lib/lake/mod.ts";
import { simulate } from "../lib/simulate/mod.ts";
import type { Bench, BenchRow } from "./_types.ts";

/**
 * Reads `topic` to `n` records with a fresh group, the sink's fetch settings and concurrency,
 * and only touches each value (sums the lengths); records/s.
 */
async function bareConsume(topic: string, n: number): Promise<number> {
  const kafka = createKafka(loadConfig().kafka);
  const consumer = kafka.consumer({
    groupId: `bench-bare-${crypto.randomUUID()}`,
    ...SINK_FETCH,
  });
  const t0 = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: SINK_DEFAULTS.partitionsConcurrently,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) bytes += m.value?.byteLength ?? 0;
        seen += batch.messages.length;
        if (seen >= n) resolve();
        await Promise.resolve();
      },
    }).catch(reject);
  });
  if (bytes === 0) throw new Error(`The bare consumer read no value bytes from ${topic}`);
  const seconds = (performance.now() - t0) / 1000;
  await consumer.disconnect();
  return n / seconds;
}

export const bench: Bench = async ({ quick }) => {
  const events = quick ? 30_000 : 240_000;
  const config = loadConfig();
  const run = `bench-sink-${Date.now().toString(36)}`;
  const kafkaConfig = { ...config.kafka, topicPrefix: `${run}.`, partitions: 3 };
  const kafka = createKafka(kafkaConfig);
  await ensureTopics(kafka, kafkaConfig);
  const topic = `${run}.clickstream`;
  // An hour of shop traffic: files close by flush.size (1000), as under real load.
  const sim = simulate({
    seed: 11,
    events,
    faults: "default",
    span: 3600_000,
    // On an hour boundary, so the file count (set by the hourly layout) is the same every run.
    start: new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 2 * 3600_000),
  });
  const clicks = [...sim].filter((r) => r.topic === "clickstream");
  await produceRecords(kafka, kafkaConfig, clicks, { batchSize: 5000 });
  const n = clicks.length;
  const lake = openLake(parseLakeUrl(`azurite://127.0.0.1:10000/${run.toLowerCase()}`));
  try {
    const bare = await bareConsume(topic, n);
    const t0 = performance.now();
    const result = await runSink({ ...config, kafka: kafkaConfig }, {
      once: true,
      topics: [topic],
      group: `${run}-sink`,
      lake,
    });
    const seconds = (performance.now() - t0) / 1000;
    const handled = result.records + result.dlq;
    const rate = handled / seconds;
    const bytes = result.topics.reduce((a, t) => a + t.bytes, 0);
    const row: BenchRow = {
      name: "sink: Kafka → Azurite (runSink --once)",
      value: rate,
      unit: "records/s",
      baseline: "bare kafkajs consume, same topic",
      baselineValue: bare,
      ratio: rate / bare,
      goal: "≥ 0.5×",
      pass: rate / bare >= 0.5 && handled === n,
      note: `${n.toLocaleString("en-US")} clickstream records, 3 partitions, flush.size 1000: ${
        result.files.toLocaleString("en-US")
      } files, mean ${
        Math.round(bytes / Math.max(1, result.files) / 1024)
      } KiB, ${result.dlq} to the DLQ`,
    };
    return [row];
  } finally {
    // Leave Azurite as it was: its metadata grows with every blob and is saved whole every few
    // seconds, which would slow every later run on the machine.
    const files = await lake.list("").catch(() => []);
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < files.length; i += 8) await lake.delete(files[i].path).catch(() => {});
    }));
    await lake.close();
    const admin = kafka.admin();
    await admin.connect();
    const names = (await admin.listTopics()).filter((t) => t.startsWith(`${run}.`));
    await admin.deleteTopics({ topics: names }).catch(() => {});
    await admin.disconnect();
  }
};
