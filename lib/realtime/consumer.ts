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
 * A bounded replay (`once` with `fromBeginning`) hands the records on in one order that depends
 * on the log only, not on how the broker's fetches interleave partitions: each partition in offset
 * order, partitions merged by record timestamp (`_merge.ts`), so two replays give the same
 * snapshot, down to which records are late. A live run takes them as they come.
 *
 * Nothing is committed: real-time views are rebuilt from the log, so each run uses a throw-away
 * consumer group unless one is given; the consumer keeps each partition's position itself, so a
 * restart of the consumer (after a broker restart) neither loses nor re-counts a record.
 *
 * @module
 */
import type { Batch, Consumer, EachBatchPayload, Kafka } from "kafkajs";
import type { KafkaConfig } from "../config/mod.ts";
import { errorMessage, KafkaError } from "../errors.ts";
import {
  FastRecord,
  METADATA_MAX_AGE_MS,
  noBrokerAnswered,
  offsetOf,
  parsePartitionKey,
  partitionKey,
  readableEnd,
  requireTopics,
  timestampOf,
  topicName,
  watchTopics,
  whileBrokerAway,
} from "../kafka/mod.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import type { Aggregator, Outcome } from "./aggregator.ts";
import {
  type BoundedRun,
  LIVE_PLAN,
  type Progress,
  replayPlan,
  trackProgress,
  watchDeletions,
} from "./_plan.ts";
import { type MergePartition, type MergeRecord, ReplayMerge } from "./_merge.ts";
import {
  inRange,
  keepPositions,
  liveFirst,
  liveStart,
  seekTo,
  startPositions,
} from "./_positions.ts";

/** One consumed record, as seen by {@linkcode ConsumeOptions.onRecord}. */
export interface ConsumedRecord {
  topic: Topic;
  partition: number;
  offset: number;
  value: string | null;
  outcome: Outcome;
}

/**
 * What the consumer feeds: an {@linkcode Aggregator}, or a stand-in that hands the records to one
 * on another thread (`replay.ts`), which has no outcome to tell yet (and takes no `onRecord`).
 */
export interface RecordSink {
  /** Adds one record's value, read from `source`, with its Kafka timestamp (ms; NaN if none). */
  addLine(
    topic: Topic,
    line: Uint8Array | null,
    source: string,
    recordTime: number,
  ): Outcome | undefined;
  /**
   * The same, the value given where it lies: `length` bytes of `bytes` from `start` (−1: no
   * value). Used, when a sink has it, for records our decoder read (no slice made per record).
   */
  addSpan?(
    topic: Topic,
    bytes: Uint8Array,
    start: number,
    length: number,
    source: string,
    recordTime: number,
  ): Outcome | undefined;
  expectSources(sources: Iterable<string>): void;
  markIdle(source: string): boolean;
  /**
   * Called right after each batch's records were added (before the run can end on it); the next
   * batch waits for the promise (backpressure).
   */
  endBatch?(): Promise<void>;
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
  /**
   * Where the partition ends for this read-committed consumer when the batch was fetched: its high
   * watermark, or the last stable offset before another producer's open transaction (see
   * `readableEnd`). `end − nextOffset` is the lag.
   */
  end: number;
}

/** Options of {@linkcode consumeInto}. */
export interface ConsumeOptions {
  /** Consumer group. @default a fresh `ecom-realtime-<uuid>` (nothing is committed) */
  groupId?: string;
  /**
   * Start at the earliest offsets instead of the end (each partition's end when the run starts).
   * @default false
   */
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
  /**
   * How often the consumer looks the topics up again, ms: a partition added to a topic while it
   * runs is found within this time, and read from its first record. @default METADATA_MAX_AGE_MS
   * (30 s; kafkajs's own default, 5 minutes, left a live view without its records that long)
   */
  metadataMaxAgeMs?: number;
  /**
   * A run without `once` hears here when topics it reads are gone from the broker (deleted) or
   * back (made again): the full names missing now, each time that set changes (empty: every one
   * is back). kafkajs says nothing of a deleted topic; the run goes on reading the others, and a
   * topic made again is read from its first record. Looked up every `metadataMaxAgeMs`.
   */
  onTopics?: (gone: readonly string[]) => void;
}

/** The default of {@linkcode ConsumeOptions.idleTimeoutMs}. */
export const IDLE_TIMEOUT_MS = 10_000;

/**
 * Consumes the four topics into `aggregator` until `signal` aborts (or, with `once`, until the
 * high watermarks at the start are reached); returns the counts.
 *
 * It never re-counts a record: each partition's position is kept, records below it are
 * skipped, and a consumer restarted after a broker restart (by kafkajs, or anew here when kafkajs
 * gives up because no broker or group coordinator answered) seeks back to it.
 * With `once` it never hangs: a partition whose records were deleted (`delete-records`,
 * retention) or hold only transaction markers counts as read. A consumer that crashes for good
 * (a compression codec it lacks, an authorization error) rejects with a `KafkaError` naming the
 * reason.
 *
 * @example
 * ```ts ignore
 * const agg = createAggregator();
 * await consumeInto(createKafka(config.kafka), config.kafka, agg, { once: true, fromBeginning: true });
 * console.log(agg.snapshot().totals);
 * ```
 */
export function consumeInto(
  kafka: Kafka,
  config: KafkaConfig,
  aggregator: Aggregator,
  options: ConsumeOptions = {},
): Promise<ConsumeStats> {
  return consumeIntoSink(kafka, config, aggregator, options);
}

/**
 * {@linkcode consumeInto} for any {@linkcode RecordSink}; `onRecord` only with a sink that tells
 * each record's outcome (an `Aggregator`).
 */
export async function consumeIntoSink(
  kafka: Kafka,
  config: KafkaConfig,
  aggregator: RecordSink,
  options: ConsumeOptions = {},
): Promise<ConsumeStats> {
  const idleTimeout = checkIdleTimeout(options);
  const stats: ConsumeStats = {
    records: 0,
    perTopic: Object.fromEntries(TOPICS.map((t) => [t, 0])) as Record<Topic, number>,
  };
  const base = new Map<string, Topic>(TOPICS.map((t) => [topicName(config, t), t]));
  await requireTopics(kafka, config, [...base.keys()]);
  if (options.once && !options.fromBeginning) return stats;
  const start = options.fromBeginning
    ? startPositions(base, options.startOffsets)
    : await liveStart(kafka, base);
  const plan = options.fromBeginning ? await replayPlan(kafka, base, start) : LIVE_PLAN();
  if (options.once && plan.pending.size === 0) return stats;
  if (options.fromBeginning) aggregator.expectSources(plan.parts.map((p) => p.source));
  if (options.signal?.aborted) return stats;
  const names = [...base.keys()];
  let consumer = await connect(kafka, config, names, options);
  const now = options.now ?? Date.now;
  const idle = idleMarker(aggregator, idleTimeout, now);
  const merge = options.once && options.fromBeginning
    ? new ReplayMerge(plan.parts, {
      emit: (part, message, timestamp) => emit(run, part, message, timestamp),
      pause: (part, paused) => {
        const topics = [{ topic: parsePartitionKey(part.key).topic, partitions: [part.partition] }];
        try {
          if (paused) consumer.pause(topics);
          else consumer.resume(topics);
        } catch { /* not running: a new consumer fetches every partition */ }
      },
    })
    : undefined;
  const run: Run = {
    kafka,
    aggregator,
    base,
    plan,
    stats,
    options,
    idle,
    now,
    next: new Map(start),
    merge,
  };
  let watcher: ReturnType<typeof setInterval> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      // A partition read to its end holds no record back any more.
      const progress = trackProgress(plan, options, resolve, (key) => {
        merge?.close(key);
        merge?.drain();
      });
      if (options.once) watcher = watchDeletions(run, progress);
      else if (options.onTopics) {
        watcher = watchTopics(kafka, names, options.onTopics, options.metadataMaxAgeMs);
      }
      const fail = (error: unknown) => {
        progress.done = true;
        reject(error);
      };
      const begin = (from: ReadonlyMap<string, number>) => {
        merge?.unpaused();
        keepPositions(consumer, run, crashed, progress.passed);
        consumer.run({ autoCommit: false, eachBatch: batchHandler(run, progress) }).catch(fail);
        seekTo(consumer, from);
      };
      // A crash because no broker answered (a restart) starts a new consumer at the positions
      // reached once the broker is back; any other crash ends the run.
      const crashed = (error: unknown) => {
        if (progress.done) return;
        if (!noBrokerAnswered(error)) return fail(consumerStopped(error));
        reconnect(kafka, config, names, options).then((next) => {
          consumer = next;
          if (progress.done) return void next.disconnect().catch(() => {});
          begin(run.next);
        }, () => fail(consumerStopped(error)));
      };
      begin(start);
    });
  } finally {
    idle.stop();
    clearInterval(watcher);
    await consumer.disconnect().catch(() => {});
  }
  return stats;
}

/** The checked {@linkcode ConsumeOptions.idleTimeoutMs} (0 with `once`). */
function checkIdleTimeout(options: ConsumeOptions): number {
  const idleTimeout = options.once ? 0 : options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  if (!Number.isSafeInteger(idleTimeout) || idleTimeout < 0) {
    throw new RangeError(`idleTimeoutMs must be a whole number ≥ 0, got ${idleTimeout}`);
  }
  return idleTimeout;
}

/** What a running consume shares between its steps. */
interface Run extends BoundedRun {
  aggregator: RecordSink;
  /** Full topic name → base topic. */
  base: ReadonlyMap<string, Topic>;
  stats: ConsumeStats;
  options: ConsumeOptions;
  idle: ReturnType<typeof idleMarker>;
  /** "topic/partition" → the next offset to read (records below it were read). */
  next: Map<string, number>;
  /** A bounded replay's merge (`_merge.ts`): the order records go to the aggregator in. */
  merge?: ReplayMerge;
}

/** kafkajs's `eachBatch`: adds the batch's new records, then reports progress. */
function batchHandler(run: Run, progress: Progress) {
  const { options, plan, stats } = run;
  return async ({ batch }: EachBatchPayload): Promise<void> => {
    if (progress.done) return;
    run.lastBatchAt = run.now();
    const topic = run.base.get(batch.topic)!;
    const key = partitionKey(batch.topic, batch.partition);
    const last = options.once ? plan.ends.get(key) ?? -1 : undefined;
    const first = last === undefined
      ? liveFirst(batch, run.next.get(key) ?? 0)
      : run.next.get(key) ?? 0;
    const source = partitionKey(topic, batch.partition);
    const { messages, position } = inRange(batch, first, last);
    if (run.merge) {
      run.merge.add(key, messages);
      run.merge.drain();
    } else {
      const part = { topic, source, partition: batch.partition };
      for (const message of messages) emit(run, part, message);
    }
    if (position > first) run.next.set(key, position);
    // Read to its end (with a merge, what the partition held back goes now), then handed on (a
    // replay's other thread): the run ends once this handler yields.
    if (last !== undefined) progress.passed(key, Number(batch.lastOffset()));
    const handed = run.aggregator.endBatch?.();
    run.idle.heard(source, batch);
    options.onBatch?.(stats, {
      topic,
      partition: batch.partition,
      nextOffset: Math.min(Number(batch.lastOffset()), last ?? Infinity) + 1,
      end: readableEnd(batch),
    });
    await (handed ?? Promise.resolve());
  };
}

async function connect(
  kafka: Kafka,
  config: KafkaConfig,
  names: string[],
  options: ConsumeOptions,
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: options.groupId ?? `ecom-realtime-${crypto.randomUUID()}`,
    maxWaitTimeInMs: options.maxWaitMs ?? 100,
    metadataMaxAge: options.metadataMaxAgeMs ?? METADATA_MAX_AGE_MS,
  });
  try {
    await consumer.connect();
    // Every partition is sought to where it starts (`keepPositions`); the default only tells
    // where a position past the log's end goes back to: its start (a topic made again, records
    // removed by retention), not its end, which would skip what it holds.
    await consumer.subscribe({ topics: names, fromBeginning: true });
    return consumer;
  } catch (error) {
    await consumer.disconnect().catch(() => {});
    throw new KafkaError(
      `Could not consume ${names.join(", ")} from ${config.brokers.join(",")}: ${
        (error as Error).message
      }`,
      { cause: error, retriable: true },
    );
  }
}

/** A new consumer once a broker answers again (the crashed one disconnected itself). */
function reconnect(
  kafka: Kafka,
  config: KafkaConfig,
  names: string[],
  options: ConsumeOptions,
): Promise<Consumer> {
  return whileBrokerAway(() => connect(kafka, config, names, options), { signal: options.signal });
}

/** The error a consumer crash ends the run with. */
function consumerStopped(error: unknown): KafkaError {
  return new KafkaError(`The real-time consumer stopped: ${errorMessage(error)}`, {
    cause: error,
  });
}

/**
 * Idleness: per source, when its last batch came and whether that batch reached the end (the end
 * a read-committed consumer can read: another producer's open transaction holds it back); a
 * source at its end and quiet for `timeout` is marked idle (the watermark keeps which sources
 * are idle: marking one twice does nothing).
 */
function idleMarker(aggregator: RecordSink, timeout: number, now: () => number) {
  const heard = new Map<string, { at: number; atEnd: boolean }>();
  const timer = timeout > 0
    ? setInterval(() => {
      const t = now();
      for (const [source, { at, atEnd }] of heard) {
        if (atEnd && t - at >= timeout) aggregator.markIdle(source);
      }
    }, Math.max(10, Math.min(1000, Math.floor(timeout / 4))))
    : undefined;
  return {
    heard(source: string, batch: Batch) {
      heard.set(source, {
        at: now(),
        atEnd: Number(batch.lastOffset()) + 1 >= readableEnd(batch),
      });
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Hands one record to the aggregator (a bounded replay's in the merge's order, with the timestamp
 * the merge already read), and counts it.
 */
function emit(
  run: Run,
  part: Pick<MergePartition, "topic" | "source" | "partition">,
  message: MergeRecord,
  timestamp = timestampOf(message),
): void {
  const sink = run.aggregator;
  const outcome = message instanceof FastRecord && sink.addSpan
    ? sink.addSpan(
      part.topic,
      message.bytes,
      message.valueStart,
      message.valueLength,
      part.source,
      timestamp,
    )
    : sink.addLine(part.topic, message.value, part.source, timestamp);
  run.stats.records++;
  run.stats.perTopic[part.topic]++;
  run.options.onRecord?.({
    topic: part.topic,
    partition: part.partition,
    offset: offsetOf(message),
    value: message.value === null ? null : message.value.toString(),
    outcome: outcome!,
  });
}
