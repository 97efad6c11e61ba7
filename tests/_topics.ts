/** Test helpers: the four topics under a fresh prefix, with topic settings, and their cleanup. */
import type { Kafka, KafkaMessage } from "kafkajs";
import type { Config, KafkaConfig } from "../lib/config/mod.ts";
import { PROJECT_ROOT } from "../lib/config/mod.ts";
import { createKafka, dlqName, ensureTopics, topicName } from "../lib/kafka/mod.ts";
import { TOPICS } from "../lib/schema/events.ts";
import { testConfig, uniqueName } from "./_helpers.ts";

/** Fresh topics: the config that names them, a client, their full names, and a cleanup. */
export interface FreshTopics {
  config: Config;
  kafka: Kafka;
  kafkaConfig: KafkaConfig;
  /** Full names of the four topics. */
  topics: string[];
  /** Full name of one base topic. */
  name: (topic: typeof TOPICS[number]) => string;
  /** Deletes the topics and their DLQs. */
  cleanup: () => Promise<void>;
}

/**
 * Creates the four topics under a fresh prefix (no DLQ topics unless `dlqConfigs` is given),
 * with `configs` as topic settings (e.g. `max.message.bytes`).
 */
export async function freshTopics(
  label: string,
  options: {
    partitions?: number;
    configs?: Record<string, string>;
    dlqConfigs?: Record<string, string>;
  } = {},
): Promise<FreshTopics> {
  const fresh = prefixed(label);
  const { kafka, topics } = fresh;
  const entries = (c?: Record<string, string>) =>
    Object.entries(c ?? {}).map(([name, value]) => ({ name, value }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        ...topics.map((topic) => ({
          topic,
          numPartitions: options.partitions ?? 3,
          replicationFactor: 1,
          configEntries: entries(options.configs),
        })),
        ...(options.dlqConfigs
          ? topics.map((t) => ({
            topic: dlqName(t),
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: entries(options.dlqConfigs),
          }))
          : []),
      ],
    });
  } finally {
    await admin.disconnect();
  }
  return fresh;
}

/**
 * The four topics under a fresh prefix made as the CLI makes them (`ensureTopics`: the configured
 * partitions, the dead-letter topics unless `dlq` is false), on the test configuration or on
 * `base` (e.g. a private stack's).
 */
export async function cliTopics(
  label: string,
  options: { dlq?: boolean; base?: Config } = {},
): Promise<FreshTopics> {
  const fresh = prefixed(label, options.base);
  await ensureTopics(fresh.kafka, fresh.kafkaConfig, { dlq: options.dlq ?? true });
  return fresh;
}

/** A fresh prefix's configuration, client, names and cleanup (no topic created yet). */
function prefixed(label: string, base: Config = testConfig()): FreshTopics {
  const kafkaConfig = { ...base.kafka, topicPrefix: `${uniqueName(label)}.` };
  const kafka = createKafka(kafkaConfig);
  const topics = TOPICS.map((t) => topicName(kafkaConfig, t));
  return {
    config: { ...base, kafka: kafkaConfig },
    kafka,
    kafkaConfig,
    topics,
    name: (t) => topicName(kafkaConfig, t),
    cleanup: async () => {
      const a = kafka.admin();
      await a.connect();
      // Only those that exist: kafkajs retries deleting a missing topic for about 20 s.
      const existing = new Set(await a.listTopics());
      const gone = [...topics, ...topics.map(dlqName)].filter((name) => existing.has(name));
      if (gone.length > 0) await a.deleteTopics({ topics: gone }).catch(() => {});
      await a.disconnect();
    },
  };
}

/** Runs one of our scripts (`scripts/<name>.ts`) as a child process; returns code and output. */
export async function runScript(
  name: string,
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${PROJECT_ROOT}/scripts/${name}.ts`, ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Every record of a topic with its raw headers (read-committed), up to `count` records. */
export async function readRaw(kafka: Kafka, topic: string, count: number) {
  const out: KafkaMessage[] = [];
  if (count === 0) return out;
  const consumer = kafka.consumer({ groupId: uniqueName("raw"), maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        autoCommit: false,
        // deno-lint-ignore require-await
        eachBatch: async ({ batch }) => {
          out.push(...batch.messages);
          if (out.length >= count) resolve();
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * A transaction another application began and left open: a transactional producer whose
 * transaction the broker would time out after 3 minutes. What it sends lies below the high
 * watermark, past the last stable offset, until `close` aborts it (and disconnects).
 */
export async function openTransaction(kafka: Kafka, label = "crashed-app") {
  const producer = kafka.producer({
    transactionalId: uniqueName(label),
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 180_000,
  });
  await producer.connect();
  const transaction = await producer.transaction();
  return {
    transaction,
    close: async () => {
      await transaction.abort().catch(() => {});
      await producer.disconnect();
    },
  };
}

/** Grows `topic` to `count` partitions (as an operator would while the pipeline runs). */
export async function addPartitions(kafka: Kafka, topic: string, count: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count }] });
  } finally {
    await admin.disconnect();
  }
}
