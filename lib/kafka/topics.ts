/** Creating the workspace's topics. */
import type { Admin, Kafka } from "kafkajs";
import type { KafkaConfig } from "../config/mod.ts";
import { KafkaError } from "../errors.ts";
import { retry } from "../retry.ts";
import { TOPICS } from "../schema/events.ts";
import { dlqName, METADATA_MAX_AGE_MS, topicName } from "./client.ts";

/** Options of {@linkcode ensureTopics}. */
export interface EnsureTopicsOptions {
  /** Also create each topic's dead-letter topic. @default true */
  dlq?: boolean;
  /** Replication factor. @default 1 locally, 3 on a remote cluster */
  replicationFactor?: number;
}

/**
 * Creates the four topics (and their `.dlq` topics) if they do not exist; returns the names that
 * were created. Idempotent.
 *
 * @example
 * ```ts ignore
 * await ensureTopics(kafka, config.kafka); // ["clickstream", "orders", ...] the first time, [] after
 * ```
 */
export async function ensureTopics(
  kafka: Kafka,
  config: KafkaConfig,
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const wanted = TOPICS.map((t) => topicName(config, t));
    if (options.dlq ?? true) wanted.push(...wanted.map(dlqName));
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: topic.endsWith(".dlq") ? 1 : config.partitions,
          replicationFactor: options.replicationFactor ?? (config.local ? 1 : 3),
        })),
      });
    }
    // Every topic, not only the new ones: a broker that just (re)started answers "not the
    // leader" for its existing topics too until it has loaded them.
    const created = new Set(missing);
    await Promise.all(
      wanted.map((topic) =>
        created.has(topic) ? untilServed(admin, topic) : fetchOffsets(admin, topic)
      ),
    );
    return missing;
  } catch (error) {
    throw new KafkaError(
      `Could not create topics on ${config.brokers.join(",")}: ${(error as Error).message}`,
      { cause: error, retriable: true },
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the broker answers offset requests for a topic just created. A KRaft broker learns
 * of a new topic's leaders a little after `createTopics` returns, and until then answers "not the
 * leader" or "does not host this topic-partition" (a busy broker with many topics can take a
 * second or two). A topic that existed already waits through {@linkcode fetchOffsets}, for its
 * leaders only: any other error there is a real one.
 */
async function untilServed(admin: Admin, topic: string): Promise<void> {
  await retry(() => admin.fetchTopicOffsets(topic), {
    maxTries: 51,
    initialDelayMs: 100,
    factor: 1,
    retriable: () => true, // kafkajs's "not the leader" and the like: the wait is the point
  });
}

/**
 * Stops with one clear line when a topic to read does not exist (the broker would answer a
 * consumer only "does not host this topic-partition", naming none): the first missing one, and
 * what to do about it.
 */
export async function requireTopics(
  kafka: Kafka,
  config: KafkaConfig,
  names: readonly string[],
): Promise<void> {
  let existing: Set<string>;
  try {
    existing = await topicNames(kafka);
  } catch (error) {
    throw new KafkaError(
      `Could not list topics on ${config.brokers.join(",")}: ${(error as Error).message}`,
      { cause: error, retriable: true },
    );
  }
  const missing = missingTopic(config, names, existing, {
    advice: "`deno task produce` creates the topics; or check KAFKA_TOPIC_PREFIX",
  });
  if (missing) throw missing;
}

/** The names of the topics the broker holds (one short admin connection). */
export async function topicNames(kafka: Kafka): Promise<Set<string>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return new Set(await admin.listTopics());
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Looks up which of `names` the broker holds every `everyMs`; `onTopics` hears the missing ones
 * whenever that set changes. A lookup that fails (the broker away) changes nothing.
 */
export function watchTopics(
  kafka: Kafka,
  names: readonly string[],
  onTopics: (gone: readonly string[]) => void,
  everyMs: number = METADATA_MAX_AGE_MS,
): ReturnType<typeof setInterval> {
  let reported = "";
  let looking = false;
  return setInterval(() => {
    if (looking) return;
    looking = true;
    topicNames(kafka).then((existing) => {
      const gone = names.filter((name) => !existing.has(name));
      if (gone.join() === reported) return;
      reported = gone.join();
      onTopics(gone);
    }, () => {/* the broker may be away: the next look will tell */}).finally(() => {
      looking = false;
    });
  }, everyMs);
}

/**
 * The error naming the first of `names` that is not among `existing` topics, with the brokers
 * and what to do (`advice`); undefined when they all exist.
 */
export function missingTopic(
  config: KafkaConfig,
  names: readonly string[],
  existing: ReadonlySet<string>,
  { advice }: { advice: string },
): KafkaError | undefined {
  const missing = names.find((name) => !existing.has(name));
  if (missing === undefined) return undefined;
  return new KafkaError(
    `Topic '${missing}' does not exist on ${config.brokers.join(",")} (${advice})`,
  );
}

/** Per-partition high watermarks of a topic: the offset the next record will get. */
export async function highWatermarks(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  return new Map((await partitionOffsets(kafka, topic)).map((o) => [o.partition, o.high]));
}

/** One partition's offsets: the first still held (`low`) and the next to be written (`high`). */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/**
 * Per-partition low and high watermarks of a topic: records deleted by retention or
 * `delete-records` lie below `low`, so a partition with `low === high` holds none.
 */
export async function partitionOffsets(kafka: Kafka, topic: string): Promise<PartitionOffsets[]> {
  return (await topicsOffsets(kafka, [topic])).get(topic)!;
}

/**
 * {@linkcode partitionOffsets} of several topics over one admin connection, asked at once: a
 * run's start-up pays one connection, not one per topic.
 */
export async function topicsOffsets(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, PartitionOffsets[]>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const all = await Promise.all(topics.map((topic) => fetchOffsets(admin, topic)));
    return new Map(topics.map((topic, i) => [
      topic,
      all[i].map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })),
    ]));
  } finally {
    await admin.disconnect();
  }
}

/** How long an offsets request waits for a partition's leader, ms. */
export const LEADER_WAIT_MS = 15_000;

/**
 * Whether a Kafka error says a partition's leader is being chosen (a broker that just started and
 * has not loaded its topics yet, an election after a broker left): asking again soon answers.
 *
 * @example
 * ```ts
 * import { leaderMoving } from "./topics.ts";
 * leaderMoving({ type: "NOT_LEADER_FOR_PARTITION" }); // true
 * leaderMoving({ type: "TOPIC_AUTHORIZATION_FAILED" }); // false
 * ```
 */
export function leaderMoving(error: unknown): boolean {
  const type = (error as { type?: unknown } | null | undefined)?.type;
  return type === "NOT_LEADER_FOR_PARTITION" || type === "LEADER_NOT_AVAILABLE";
}

/**
 * `admin.fetchTopicOffsets(topic)`, asked again for up to `waitMs` while a partition's leader is
 * being chosen ({@linkcode leaderMoving}): kafkajs gives up at the first "not the leader", which a
 * KRaft broker answers for a few seconds after it starts, so `stack up` followed at once by
 * `realtime --once` failed. Every other error is thrown at once.
 */
export function fetchOffsets(
  admin: Pick<Admin, "fetchTopicOffsets">,
  topic: string,
  waitMs: number = LEADER_WAIT_MS,
): ReturnType<Admin["fetchTopicOffsets"]> {
  return retry(() => admin.fetchTopicOffsets(topic), {
    retriable: leaderMoving,
    initialDelayMs: 100,
    factor: 1.5,
    maxDelayMs: 1000,
    maxElapsedMs: waitMs,
  });
}
