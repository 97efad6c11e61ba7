/**
 * A lesson's Kafka: its own topics, `<KAFKA_TOPIC_PREFIX><lesson>.<topic>` (e.g.
 * `lesson02.orders`), made fresh when the lesson starts and deleted when it ends, so a lesson
 * runs alone, again, or after any other, and leaves nothing behind. Its names carry no clock or
 * random part, so what a lesson shows is the same on every run.
 *
 * When no broker answers, or the brokers are a remote cluster the lesson was not allowed to
 * write to, `available` is false and `reason` says why: the lesson then skips its Kafka steps.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { Config, KafkaConfig } from "../config/mod.ts";
import { KafkaError } from "../errors.ts";
import { createKafka } from "../kafka/client.ts";
import { pingKafka } from "../kafka/health.ts";
import { ensureTopics } from "../kafka/topics.ts";
import { retry } from "../retry.ts";
import { sleep } from "../sleep.ts";

/** Options of {@linkcode lessonKafka}. */
export interface LessonKafkaOptions {
  /** Write to a remote cluster (Confluent Cloud) too. @default false */
  writeToCloud?: boolean;
  /** Create each topic's `.dlq` topic too. @default true */
  dlq?: boolean;
}

/** A lesson's Kafka (see the module doc). */
export interface LessonKafka {
  /** Whether the lesson can use Kafka. */
  available: boolean;
  /** Why not, or which cluster it uses (no secrets). */
  reason: string;
  /** The Kafka settings with the lesson's topic prefix. */
  config: KafkaConfig;
  /** The lesson's topic prefix, e.g. `lesson02.`. */
  prefix: string;
  /** A client, when available. */
  kafka: Kafka | null;
  /** Deletes what an earlier run left under the prefix, then creates the lesson's topics. */
  reset(): Promise<void>;
  /** Deletes the lesson's topics and consumer groups. */
  cleanUp(): Promise<string[]>;
}

async function deletePrefixed(kafka: Kafka, prefix: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => {});
    if (topics.length) await admin.deleteTopics({ topics });
    // Deletion is asynchronous: wait until the names are free again.
    for (let i = 0; i < 100; i++) {
      const left = (await admin.listTopics()).filter((t) => topics.includes(t));
      if (!left.length) break;
      await sleep(100);
    }
    return topics;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The Kafka of lesson `lesson` (e.g. `"lesson02"`): checked once, quickly (see the module doc).
 *
 * @example
 * ```ts ignore
 * const k = await lessonKafka(loadConfig(), "lesson02");
 * if (k.available) await k.reset();
 * ```
 */
export async function lessonKafka(
  config: Config,
  lesson: string,
  options: LessonKafkaOptions = {},
): Promise<LessonKafka> {
  const prefix = `${config.kafka.topicPrefix}${lesson}.`;
  const kafkaConfig = { ...config.kafka, topicPrefix: prefix };
  const base = { config: kafkaConfig, prefix };
  const off = (reason: string): LessonKafka => ({
    ...base,
    available: false,
    reason,
    kafka: null,
    reset: () => Promise.reject(new KafkaError(`Kafka is not available: ${reason}`)),
    cleanUp: () => Promise.resolve([]),
  });
  if (!config.kafka.local && !options.writeToCloud) {
    return off(
      "KAFKA_BOOTSTRAP_SERVERS is a remote cluster; lessons send data there only with " +
        "WRITE_TO_CLOUD = true",
    );
  }
  const health = await pingKafka(config.kafka);
  if (!health.healthy) {
    return off("no Kafka broker answers (start the local stack with `./dev stack up`)");
  }
  const kafka = createKafka(kafkaConfig);
  return {
    ...base,
    available: true,
    reason: config.kafka.local ? "the local broker" : "a remote cluster (WRITE_TO_CLOUD)",
    kafka,
    async reset() {
      await deletePrefixed(kafka, prefix);
      // A just-deleted name can be refused for a moment: try again briefly. ensureTopics returns
      // once every topic answers offsets requests (a new partition answers "not the leader"
      // until its leader is known everywhere).
      await retry(
        () => ensureTopics(kafka, kafkaConfig, { dlq: options.dlq ?? true }),
        { initialDelayMs: 250, factor: 1, maxTries: 40, retriable: () => true },
      );
    },
    cleanUp: () => deletePrefixed(kafka, prefix),
  };
}
