/**
 * Sink throughput: `runSink --once` (Kafka → Azurite, JSON checks, files, atomic puts,
 * transactional commits) against a bare kafkajs consumer reading the same topic in the same run:
 * kafkajs as published (`KAFKAJS_STOCK=1`), in a process of its own, so the baseline has none of
 * the faster paths this workspace installs into kafkajs (the sink has them). The sink on stock
 * kafkajs is reported beside it, so the replacements' share shows.
 *
 * The sink writes into an Azurite of its own, fresh, started here on a free port: Azurite's
 * cost per put grows with the blobs it already holds (its LokiJS metadata is searched per put and
 * saved whole every few seconds), so the stack's long-lived Azurite would make the figure depend
 * on whatever the demos and tests left in it.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { inChild } from "./_kafkajs_child.ts";
import { javaConsume } from "./_kafka_perf.ts";
import { parseLakeUrl } from "../lib/config/mod.ts";
import { createKafka, ensureTopics, produceRecords } from "../lib/kafka/mod.ts";
import { openLake } from "../lib/lake/mod.ts";
import { runSink, SINK_DEFAULTS, SINK_FETCH } from "../lib/sink/mod.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { services, startService, stopService } from "../lib/stack/mod.ts";
import type { Config } from "../lib/config/mod.ts";
import type { Bench, BenchRow } from "./_types.ts";

/** Starts a fresh Azurite in a temporary folder on a free port; returns its config and stop. */
async function freshAzurite(config: Config) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const dataDir = await Deno.makeTempDir({ prefix: "ecom-bench-azurite-" });
  const own: Config = {
    ...config,
    dataDir,
    lake: parseLakeUrl(`azurite://127.0.0.1:${port}/bench`),
  };
  const azurite = services(own).find((s) => s.name === "azurite")!;
  await startService(own, azurite, (line) => console.error(line));
  return {
    port,
    async stop() {
      await stopService(own, azurite);
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Reads `topic` to `n` records with stock kafkajs in a process of its own; records/s. */
async function bareConsume(topic: string, n: number): Promise<number> {
  const spec = {
    topic,
    n,
    fetch: SINK_FETCH,
    concurrency: SINK_DEFAULTS.partitionsConcurrently,
  };
  return (await inChild("consume", spec, true)).rate;
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
  const azurite = await freshAzurite(config);
  const lakeUrl = (round: number) =>
    parseLakeUrl(`azurite://127.0.0.1:${azurite.port}/${run.toLowerCase()}-${round}`);
  try {
    // Rounds of (bare consume, sink), each sink with its own group and container; the row is
    // the round with the median ratio (shared machines are noisy).
    const rounds = [];
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const bare = await bareConsume(topic, n);
      const java = await javaConsume(topic, n, `${run}-java-${round}`);
      const lake = openLake(lakeUrl(round));
      const t0 = performance.now();
      const result = await runSink({ ...config, kafka: kafkaConfig }, {
        once: true,
        topics: [topic],
        group: `${run}-sink-${round}`,
        lake,
      });
      const seconds = (performance.now() - t0) / 1000;
      // Empty the container again, so each round's Azurite holds the same blobs.
      const cleanup = openLake(lakeUrl(round));
      const files = await cleanup.list("");
      await Promise.all(Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < files.length; i += 8) await cleanup.delete(files[i].path);
      }));
      await cleanup.close();
      const handled = result.records + result.dlq;
      const stock = await inChild("sink", {
        topic,
        group: `${run}-stock-${round}`,
        lake: `azurite://127.0.0.1:${azurite.port}/${run.toLowerCase()}-stock-${round}`,
      }, true);
      rounds.push({ bare, java, rate: handled / seconds, result, handled, stock });
    }
    rounds.sort((a, b) => a.rate / a.bare - b.rate / b.bare);
    const { bare, java, rate, result, handled, stock } = rounds[Math.floor(rounds.length / 2)];
    const ratios = rounds.map((r) => (r.rate / r.bare).toFixed(2)).join(", ");
    const bytes = result.topics.reduce((a, t) => a + t.bytes, 0);
    const row: BenchRow = {
      name: "sink: Kafka → Azurite (runSink --once)",
      value: rate,
      unit: "records/s",
      baseline: "bare kafkajs consume (stock, own process), same topic",
      baselineValue: bare,
      ratio: rate / bare,
      goal: "≥ 0.5×",
      pass: rate / bare >= 0.5 && handled === n,
      note: `median of ${rounds.length} rounds (ratios ${ratios}); ${
        n.toLocaleString("en-US")
      } clickstream records, 3 partitions, flush.size 1000, a fresh Azurite: ${
        result.files.toLocaleString("en-US")
      } files, mean ${
        Math.round(bytes / Math.max(1, result.files) / 1024)
      } KiB, ${result.dlq} to the DLQ`,
    };
    const stockRow: BenchRow = {
      name: "sink: Kafka → Azurite, stock kafkajs (KAFKAJS_STOCK=1)",
      value: stock.rate,
      unit: "records/s",
      baseline: row.baseline,
      baselineValue: bare,
      ratio: stock.rate / bare,
      goal: "(reported)",
      pass: stock.handled === n,
      note: "the same sink in a process of its own, none of lib/kafka's faster paths installed",
    };
    const javaRow: BenchRow = {
      name: "sink: Kafka → Azurite vs Kafka's Java consumer",
      value: rate,
      unit: "records/s",
      baseline: "Kafka consumer-perf-test, same topic",
      baselineValue: java.rate,
      ratio: rate / java.rate,
      goal: "≥ 0.5×",
      pass: rate / java.rate >= 0.5 && handled === n,
      note: `the same round as the first row; the Java consumer only reads (no JSON check, no ` +
        `lake); its rate with the group join left out: ${
          Math.round(java.fetchRate).toLocaleString("en-US")
        } records/s (${(rate / java.fetchRate).toFixed(2)}×)`,
    };
    return [row, stockRow, javaRow];
  } finally {
    await azurite.stop();
    const admin = kafka.admin();
    await admin.connect();
    const names = (await admin.listTopics()).filter((t) => t.startsWith(`${run}.`));
    await admin.deleteTopics({ topics: names }).catch(() => {});
    await admin.disconnect();
  }
};
