/**
 * Feeding the live feed from Kafka: `consumeInto` (lib/realtime) reads the four topics into the
 * feed's aggregator, each batch moves the partition's lag, until the signal aborts.
 *
 * The dashboard must outlive a broker that goes away: when reading fails, the feed's status says
 * why, and reading starts again after a pause exactly where it stopped (each partition at the
 * offset after the last record handed to the aggregator), so no record is counted twice or
 * skipped.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { KafkaConfig } from "../config/mod.ts";
import { errorMessage, KafkaError } from "../errors.ts";
import { fetchOffsets, topicName } from "../kafka/mod.ts";
import { consumeInto, IDLE_TIMEOUT_MS } from "../realtime/mod.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import type { LiveFeed } from "./feed.ts";
import { partitionKey } from "../kafka/partition.ts";
import { retry } from "../retry.ts";

/** Options of {@linkcode followKafka}. */
export interface FollowOptions {
  /** Read each topic from its first record (else only what arrives from now on). @default true */
  fromBeginning?: boolean;
  /** Stops reading. */
  signal?: AbortSignal;
  /** See `ConsumeOptions.idleTimeoutMs`. @default 10000 */
  idleTimeoutMs?: number;
  /** Pause before reading again after a failure, ms (doubles up to 30 s). @default 1000 */
  retryMs?: number;
  /** See `ConsumeOptions.metadataMaxAgeMs` (also how soon a deleted topic shows). @default 30000 */
  metadataMaxAgeMs?: number;
}

/**
 * Each topic's partitions and high watermarks; a missing topic is a `KafkaError` naming it at
 * once (kafkajs would retry for half a minute before saying less).
 */
async function topicEnds(
  kafka: Kafka,
  config: KafkaConfig,
): Promise<Array<[Topic, Array<[number, number]>]>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = TOPICS.map((t) => topicName(config, t)).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new KafkaError(
        `Topic${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not found on ${
          config.brokers.join(",")
        } (check KAFKA_TOPIC_PREFIX; deno task stack up creates them locally)`,
        { retriable: true },
      );
    }
    const out: Array<[Topic, Array<[number, number]>]> = [];
    for (const topic of TOPICS) {
      const offsets = await fetchOffsets(admin, topicName(config, topic));
      out.push([topic, offsets.map((o) => [o.partition, Number(o.high)])]);
    }
    return out;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Reads Kafka into `feed` until `options.signal` aborts (see the module doc). Resolves when
 * stopped; never rejects for a Kafka failure (the feed's status carries it).
 *
 * @example
 * ```ts ignore
 * const feed = new LiveFeed(createAggregator());
 * const stop = new AbortController();
 * const reading = followKafka(feed, createKafka(config.kafka), config.kafka, { signal: stop.signal });
 * // … later
 * stop.abort();
 * await reading;
 * ```
 */
export async function followKafka(
  feed: LiveFeed,
  kafka: Kafka,
  config: KafkaConfig,
  options: FollowOptions = {},
): Promise<void> {
  const { signal } = options;
  const fromBeginning = options.fromBeginning ?? true;
  // Where each partition starts: filled from the high watermarks (live tail) or left to the
  // beginning, then moved by every batch, so a restart resumes where reading stopped.
  const start = new Map<string, number>();
  let announced = false;
  const follow = async () => {
    if (!announced) {
      for (const [topic, ends] of await topicEnds(kafka, config)) {
        for (const [partition, end] of ends) {
          const next = fromBeginning ? 0 : end;
          feed.lag.update({ topic, partition, nextOffset: next, end });
          if (!fromBeginning) start.set(partitionKey(topicName(config, topic), partition), end);
        }
      }
      announced = true;
    }
    feed.status = { state: "reading" };
    feed.changed();
    await consumeInto(kafka, config, feed.aggregator, {
      fromBeginning: true,
      startOffsets: start,
      signal,
      idleTimeoutMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
      metadataMaxAgeMs: options.metadataMaxAgeMs,
      onTopics: (gone) => {
        feed.status = gone.length > 0
          ? { state: "reading", gone: [...gone] }
          : { state: "reading" };
        feed.changed();
      },
      onBatch: (_, batch) => {
        feed.lag.update(batch);
        start.set(partitionKey(topicName(config, batch.topic), batch.partition), batch.nextOffset);
        feed.changed();
      },
    });
  };
  // Any error is shown and tried again (the page keeps serving the lake panels meanwhile).
  await retry(follow, {
    initialDelayMs: options.retryMs ?? 1000,
    maxDelayMs: 30_000,
    retriable: () => true,
    signal,
    onRetry: (error) => {
      feed.status = { state: "error", message: errorMessage(error) };
      feed.changed();
    },
  }).catch((error) => {
    if (!signal?.aborted) throw error;
  });
}
