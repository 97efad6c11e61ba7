/**
 * Feeding the aggregator from Kafka: one kafkajs consumer subscribed to the four topics (with
 * `KAFKA_TOPIC_PREFIX`), each record value handed to `Aggregator.addLine` in arrival order.
 * A record that cannot be decoded is counted as malformed and skipped (the lake sink is the one
 * that routes it to the dead-letter topic); nothing a producer sends can stop the consumer.
 *
 * Each partition is a source of the watermark (`watermark.ts`): with `fromBeginning`, every
 * partition holding records is announced up front, so reading one partition's backlog before
 * another's makes nothing late. A partition read to its end that then stays quiet for
 * `idleTimeoutMs` is marked idle, so a partition without traffic does not hold every window open
 * (its next record makes it count again).
 *
 * Nothing is committed: real-time views are rebuilt from the log, so each run uses a throw-away
 * consumer group unless one is given.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { KafkaConfig } from "../config/mod.ts";
import { KafkaError } from "../errors.ts";
import { highWatermarks, topicName } from "../kafka/mod.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import type { Aggregator, Outcome } from "./aggregator.ts";

/** One consumed record, as seen by {@linkcode ConsumeOptions.onRecord}. */
export interface ConsumedRecord {
  topic: Topic;
  partition: number;
  offset: number;
  value: string | null;
  outcome: Outcome;
}

/** Progress of a consume run. */
export interface ConsumeStats {
  /** Records handed to the aggregator. */
  records: number;
  /** Records per topic. */
  perTopic: Record<Topic, number>;
}

/** The partition a fetched batch came from, and where reading it stands. */
export interface ConsumedBatch {
  topic: Topic;
  partition: number;
  /** The offset the next record of this partition will have (last offset read + 1). */
  nextOffset: number;
  /** The partition's high watermark when the batch was fetched: `highWatermark − nextOffset` is the lag. */
  highWatermark: number;
}

/** Options of {@linkcode consumeInto}. */
export interface ConsumeOptions {
  /** Consumer group. @default a fresh `ecom-realtime-<uuid>` (nothing is committed) */
  groupId?: string;
  /** Start at the earliest offsets instead of the end. @default false */
  fromBeginning?: boolean;
  /**
   * With `fromBeginning`: start each listed partition at this offset instead (keys
   * `<full topic name>/<partition>`, e.g. the high watermarks read before a run produced, to
   * read only that run's records). Partitions not listed start at the beginning.
   */
  startOffsets?: ReadonlyMap<string, number>;
  /**
   * Stop once every partition has been read up to its high watermark as of the start. Without
   * `fromBeginning` a fresh group starts at the end, so there is nothing to read.
   * @default false
   */
  once?: boolean;
  /** Stops a live run. */
  signal?: AbortSignal;
  /** Called for every record after the aggregator has taken it. */
  onRecord?: (record: ConsumedRecord) => void;
  /** Called after each fetched batch (holding records) has been added. */
  onBatch?: (stats: ConsumeStats, batch: ConsumedBatch) => void;
  /** Longest time the broker holds a fetch open when there is no data, ms. @default 100 */
  maxWaitMs?: number;
  /**
   * Wall-clock time after which a partition read to its end and sent nothing new is marked idle
   * (it stops holding the watermark back); 0 = never. Not used with `once`: a replay to the end
   * does not depend on the wall clock. @default 10000
   */
  idleTimeoutMs?: number;
  /** Wall clock for the idle timeout (tests pass their own). @default Date.now */
  now?: () => number;
}

/** The default of {@linkcode ConsumeOptions.idleTimeoutMs}. */
export const IDLE_TIMEOUT_MS = 10_000;

/**
 * Consumes the four topics into `aggregator` until `signal` aborts (or, with `once`, until the
 * high watermarks at the start are reached); returns the counts.
 *
 * @example
 * ```ts ignore
 * const agg = createAggregator();
 * await consumeInto(createKafka(config.kafka), config.kafka, agg, { once: true, fromBeginning: true });
 * console.log(agg.snapshot().totals);
 * ```
 */
export async function consumeInto(
  kafka: Kafka,
  config: KafkaConfig,
  aggregator: Aggregator,
  options: ConsumeOptions = {},
): Promise<ConsumeStats> {
  const idleTimeout = options.once ? 0 : options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  if (!Number.isSafeInteger(idleTimeout) || idleTimeout < 0) {
    throw new RangeError(`idleTimeoutMs must be a whole number ≥ 0, got ${idleTimeout}`);
  }
  const stats: ConsumeStats = {
    records: 0,
    perTopic: Object.fromEntries(TOPICS.map((t) => [t, 0])) as Record<Topic, number>,
  };
  const base = new Map<string, Topic>(TOPICS.map((t) => [topicName(config, t), t]));
  const names = [...base.keys()];
  // In `once` mode: "topic/partition" → last offset to read, and the partitions not done yet.
  const ends = new Map<string, number>();
  const pending = new Set<string>();
  if (options.once && !options.fromBeginning) return stats;
  // Where each listed partition starts (only from the beginning: a live tail starts at the end).
  const start = new Map(
    options.fromBeginning
      ? [...options.startOffsets ?? []].filter(([key]) =>
        base.has(key.slice(0, key.lastIndexOf("/")))
      )
      : [],
  );
  if (options.fromBeginning) {
    // Every partition holding records is a source the watermark must wait for.
    const sources: string[] = [];
    for (const name of names) {
      for (const [partition, end] of await highWatermarks(kafka, name)) {
        ends.set(`${name}/${partition}`, end - 1);
        if (end > (start.get(`${name}/${partition}`) ?? 0)) {
          pending.add(`${name}/${partition}`);
          sources.push(`${base.get(name)}/${partition}`);
        }
      }
    }
    if (options.once && pending.size === 0) return stats;
    aggregator.expectSources(sources);
  }
  if (options.signal?.aborted) return stats;
  const consumer = kafka.consumer({
    groupId: options.groupId ?? `ecom-realtime-${crypto.randomUUID()}`,
    maxWaitTimeInMs: options.maxWaitMs ?? 100,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: names, fromBeginning: options.fromBeginning ?? false });
  } catch (error) {
    await consumer.disconnect().catch(() => {});
    throw new KafkaError(
      `Could not consume ${names.join(", ")} from ${config.brokers.join(",")}: ${
        (error as Error).message
      }`,
      { cause: error, retriable: true },
    );
  }
  // Idleness: per source, when its last batch came and whether that batch reached the end. The
  // watermark keeps which sources are idle (marking one twice does nothing).
  const now = options.now ?? Date.now;
  const heard = new Map<string, { at: number; atEnd: boolean }>();
  let idleTimer: ReturnType<typeof setInterval> | undefined;
  if (idleTimeout > 0) {
    idleTimer = setInterval(() => {
      const t = now();
      for (const [source, { at, atEnd }] of heard) {
        if (atEnd && t - at >= idleTimeout) aggregator.markIdle(source);
      }
    }, Math.max(10, Math.min(1000, Math.floor(idleTimeout / 4))));
  }
  try {
    let done = false;
    await new Promise<void>((resolve, reject) => {
      const finish = () => {
        done = true;
        resolve();
      };
      options.signal?.addEventListener("abort", finish, { once: true });
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (done) return;
          const topic = base.get(batch.topic)!;
          const key = `${batch.topic}/${batch.partition}`;
          const source = `${topic}/${batch.partition}`;
          const last = options.once ? ends.get(key) ?? -1 : undefined;
          const first = start.get(key) ?? 0;
          let n = 0;
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset < first) continue;
            if (last !== undefined && offset > last) break;
            const value = message.value === null ? null : message.value.toString();
            const outcome = aggregator.addLine(topic, value, source);
            n++;
            options.onRecord?.({ topic, partition: batch.partition, offset, value, outcome });
          }
          if (last !== undefined && Number(batch.lastOffset()) >= last) pending.delete(key);
          heard.set(source, {
            at: now(),
            atEnd: Number(batch.lastOffset()) + 1 >= Number(batch.highWatermark),
          });
          stats.records += n;
          stats.perTopic[topic] += n;
          options.onBatch?.(stats, {
            topic,
            partition: batch.partition,
            nextOffset: Math.min(Number(batch.lastOffset()), last ?? Infinity) + 1,
            highWatermark: Number(batch.highWatermark),
          });
          if (options.once && pending.size === 0) finish();
          await Promise.resolve();
        },
      }).catch(reject);
      // Skip ahead to the start offsets (records before them are skipped below in any case,
      // should a first fetch from the beginning come back before the seek applies).
      for (const [key, offset] of start) {
        const slash = key.lastIndexOf("/");
        try {
          consumer.seek({
            topic: key.slice(0, slash),
            partition: Number(key.slice(slash + 1)),
            offset: String(offset),
          });
        } catch { /* not running yet: the filter below still skips */ }
      }
    });
  } finally {
    clearInterval(idleTimer);
    await consumer.disconnect().catch(() => {});
  }
  return stats;
}
