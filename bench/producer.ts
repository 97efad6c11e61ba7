/**
 * Producer throughput: kafkajs (our `produceRecords`: idempotent, acks=all, batched) against
 * Kafka's own `producer-perf-test` on the same broker, record size and acks, in the same run;
 * kafkajs stock (`KAFKAJS_STOCK=1`, in a process of its own) and `@platformatic/kafka` at the
 * same setting beside it. The first row is the median of three rounds' ratios, each round Java's
 * run then ours, back to back.
 */
import { Producer, stringSerializers } from "@platformatic/kafka";
import { loadConfig } from "../lib/config/mod.ts";
import { createKafka, produceRecords } from "../lib/kafka/mod.ts";
import { benchRecords, inChild } from "./_kafkajs_child.ts";
import { kafkaToolArgs } from "../lib/stack/kafka_tools.ts";
import type { Bench, BenchRow } from "./_types.ts";

const RECORD_SIZE = 300; // about a simulated clickstream event

async function createTopic(name: string) {
  const kafka = createKafka(loadConfig().kafka);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: name, numPartitions: 3, replicationFactor: 1 }] });
  await admin.disconnect();
  return kafka;
}

async function deleteTopics(names: string[]) {
  const admin = createKafka(loadConfig().kafka).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: names }).catch(() => {});
  await admin.disconnect();
}

async function perfTest(topic: string, n: number): Promise<number> {
  const config = loadConfig();
  const args = await kafkaToolArgs("producer-perf-test", [
    "--topic",
    topic,
    "--num-records",
    String(n),
    "--record-size",
    String(RECORD_SIZE),
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${config.kafka.brokers.join(",")}`,
    "acks=all",
    "enable.idempotence=true",
    "linger.ms=5",
    "batch.size=262144",
  ]);
  const out = await new Deno.Command("java", { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  const match = /(\d+) records sent, ([\d.]+) records\/sec/.exec(
    text.trim().split("\n").pop() ?? "",
  );
  if (!match) {
    throw new Error(
      `producer-perf-test printed no summary:\n${text}${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return Number(match[2]);
}

async function kafkajsRate(topicPrefix: string, n: number): Promise<number> {
  const config = { ...loadConfig().kafka, topicPrefix };
  const kafka = createKafka(config);
  // The defaults: 1000 per batch, one producer thread. The run's rate counts from connected
  // producers to the last acknowledgement and closed connections: producer-perf-test times from
  // a constructed producer (no JVM start, no producer construction) to its close.
  const stats = await produceRecords(kafka, config, benchRecords(n, RECORD_SIZE));
  if (stats.sent !== n) throw new Error(`produceRecords sent ${stats.sent} of ${n} records`);
  return stats.rate;
}

async function platformaticRate(topic: string, n: number): Promise<number> {
  const producer = new Producer({
    clientId: "bench",
    bootstrapBrokers: loadConfig().kafka.brokers,
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
  });
  const value = "x".repeat(RECORD_SIZE);
  const t0 = performance.now();
  const batch = 5000;
  for (let i = 0; i < n; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      messages.push({
        topic,
        key: `user_${j % 10_000}`,
        value,
        headers: { "event-type": "page_view" },
      });
    }
    await producer.send({ messages });
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await producer.close();
  return rate;
}

export const bench: Bench = async ({ quick }) => {
  const n = quick ? 50_000 : 300_000;
  const run = `bench-${Date.now().toString(36)}`;
  const perfTopic = `${run}.perf`;
  const ourPrefix = `${run}.kafkajs.`;
  const stockPrefix = `${run}.stock.`;
  const pfTopic = `${run}.platformatic`;
  await createTopic(perfTopic);
  await createTopic(`${ourPrefix}clickstream`);
  await createTopic(`${stockPrefix}clickstream`);
  await createTopic(pfTopic);
  try {
    // Median of three rounds, each Java's then ours back to back (a shared machine is noisy).
    const rounds = [];
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const java = await perfTest(perfTopic, n);
      const kafkajs = await kafkajsRate(ourPrefix, n);
      rounds.push({ java, kafkajs, ratio: kafkajs / java });
    }
    rounds.sort((a, b) => a.ratio - b.ratio);
    const { java: baseline, kafkajs: ours } = rounds[Math.floor(rounds.length / 2)];
    const ratios = rounds.map((r) => r.ratio.toFixed(2)).join(", ");
    const stock = await inChild(
      "produce",
      { topicPrefix: stockPrefix, n, recordSize: RECORD_SIZE },
      true,
    );
    const pf = await platformaticRate(pfTopic, n);
    const note = `${
      n.toLocaleString("en-US")
    } records of ${RECORD_SIZE} B, acks=all, idempotent, 3 partitions`;
    const rows: BenchRow[] = [
      {
        name: "produce: kafkajs (produceRecords)",
        value: ours,
        unit: "records/s",
        baseline: "Kafka producer-perf-test",
        baselineValue: baseline,
        ratio: ours / baseline,
        goal: "≥ 1.0×",
        pass: ours / baseline >= 1.0,
        note: `median of ${rounds.length} rounds' ratios (${ratios}); ${note}`,
      },
      {
        name: "produce: kafkajs stock (KAFKAJS_STOCK=1, produceRecords)",
        value: stock.rate,
        unit: "records/s",
        baseline: "Kafka producer-perf-test",
        baselineValue: baseline,
        ratio: stock.rate / baseline,
        goal: "(reported)",
        pass: true,
        note: `${note}; a process of its own, none of lib/kafka's faster paths installed`,
      },
      {
        name: "produce: @platformatic/kafka",
        value: pf,
        unit: "records/s",
        baseline: "Kafka producer-perf-test",
        baselineValue: baseline,
        ratio: pf / baseline,
        goal: "(reported)",
        pass: true,
        note,
      },
    ];
    return rows;
  } finally {
    await deleteTopics([
      perfTopic,
      `${ourPrefix}clickstream`,
      `${stockPrefix}clickstream`,
      pfTopic,
    ]);
  }
};
