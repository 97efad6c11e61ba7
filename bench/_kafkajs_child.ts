/**
 * One kafkajs measurement in a process of its own, so the parent picks kafkajs's build: with
 * `KAFKAJS_STOCK=1` in its environment kafkajs runs exactly as published (none of the faster
 * paths `lib/kafka/_kafkajs_fast.ts` installs), else with them. Prints
 * `{"rate": records/s, "handled": n, "stock": boolean}`.
 *
 * Usage: deno run -A bench/_kafkajs_child.ts <consume|produce|sink> '<json spec>'
 * - consume `{"topic", "n", "fetch", "concurrency"}`: a bare consumer with a fresh group reads
 *   `topic` to `n` records, touching each value (the sink's baseline);
 * - produce `{"topicPrefix", "n"}`: `produceRecords` of `n` bench records;
 * - sink `{"topic", "group", "lake"}`: `runSink --once` of `topic` into the lake URL.
 *
 * @module
 */
import { loadConfig, parseLakeUrl } from "../lib/config/mod.ts";
import { installed } from "../lib/kafka/_kafkajs_fast.ts";
import { createKafka, produceRecords, type ProducibleRecord } from "../lib/kafka/mod.ts";
import { openLake } from "../lib/lake/mod.ts";
import { runSink } from "../lib/sink/mod.ts";

/** The producer bench's records: about a simulated clickstream event each. */
export function benchRecords(n: number, recordSize: number): ProducibleRecord[] {
  const value = "x".repeat(recordSize);
  return Array.from({ length: n }, (_, i) => ({
    topic: "clickstream" as const,
    key: `user_${i % 10_000}`,
    value,
    eventType: "page_view",
    timestamp: Date.UTC(2026, 10, 26) + i,
  }));
}

/** Reads `topic` to `n` records with a throw-away group; records/s. */
async function consume(spec: { topic: string; n: number; fetch: object; concurrency: number }) {
  const kafka = createKafka(loadConfig().kafka, { clientId: "bench-bare" });
  const consumer = kafka.consumer({ groupId: `bench-bare-${crypto.randomUUID()}`, ...spec.fetch });
  const t0 = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [spec.topic], fromBeginning: true });
  let seen = 0;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: spec.concurrency,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) bytes += m.value?.byteLength ?? 0;
        seen += batch.messages.length;
        if (seen >= spec.n) resolve();
        await Promise.resolve();
      },
    }).catch(reject);
  });
  const seconds = (performance.now() - t0) / 1000;
  await consumer.disconnect();
  if (bytes === 0) throw new Error(`The bare consumer read no value bytes from ${spec.topic}`);
  return { rate: spec.n / seconds, handled: seen };
}

async function produce(spec: { topicPrefix: string; n: number; recordSize: number }) {
  const config = { ...loadConfig().kafka, topicPrefix: spec.topicPrefix };
  const kafka = createKafka(config);
  const records = benchRecords(spec.n, spec.recordSize);
  // The defaults: 1000 per batch, one thread. Timed from connected producers, as
  // producer-perf-test times from a constructed one.
  const stats = await produceRecords(kafka, config, records);
  return { rate: stats.rate, handled: stats.sent };
}

async function sink(spec: { topic: string; group: string; lake: string }) {
  const config = loadConfig();
  const t0 = performance.now();
  const result = await runSink(config, {
    once: true,
    topics: [spec.topic],
    group: spec.group,
    lake: openLake(parseLakeUrl(spec.lake)),
  });
  const handled = result.records + result.dlq;
  return { rate: handled / ((performance.now() - t0) / 1000), handled };
}

/** Runs `mode` in a child process, with stock kafkajs when `stock`; its rate and count. */
export async function inChild(
  mode: "consume" | "produce" | "sink",
  spec: object,
  stock: boolean,
): Promise<{ rate: number; handled: number; stock: boolean }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, mode, JSON.stringify(spec)],
    env: { KAFKAJS_STOCK: stock ? "1" : "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`The ${mode} child failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
  }
  const result = JSON.parse(text.split("\n").pop()!);
  if (result.stock !== stock) throw new Error(`The ${mode} child ran the wrong kafkajs build`);
  return result;
}

if (import.meta.main) {
  const [mode, json] = Deno.args;
  const spec = JSON.parse(json);
  const run = { consume, produce, sink }[mode as "consume"];
  if (!run) throw new Error(`Unknown mode '${mode}' (consume, produce or sink)`);
  const out = await run(spec);
  console.log(JSON.stringify({ ...out, stock: !installed.request }));
  Deno.exit(0);
}
