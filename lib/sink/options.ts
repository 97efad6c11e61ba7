/**
 * The sink's configuration: its options with their defaults in one place, the checks that stop
 * a bad setting before any work starts, and what a run reports.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { Config } from "../config/mod.ts";
import { createKafka, METADATA_MAX_AGE_MS, topicName } from "../kafka/client.ts";
import { fnv1a32Hex } from "../hash.ts";
import { openLake } from "../lake/open.ts";
import type { LakeStorage } from "../lake/storage.ts";
import type { RetryOptions } from "../retry.ts";
import { TOPICS } from "../schema/events.ts";
import { resolveRotation, type RotationOptions } from "./buffer.ts";

/** Options of {@linkcode runSink}. */
export interface SinkOptions {
  /** Full topic names to sink. @default the four topics, with `KAFKA_TOPIC_PREFIX` */
  topics?: string[];
  /** Consumer group; its committed offsets are the sink's progress. @default "ecom-lake-sink" */
  group?: string;
  /** Records per file. @default 1000 */
  flushSize?: number;
  /** Rotate a file once record time passes its first record by this much; 0 = off. @default 600000 */
  rotateIntervalMs?: number;
  /**
   * Also close a file when no record reached it for this long on the wall clock; 0 = off.
   * Gives up exactly-once (a replay may split files differently). @default 0
   */
  idleFlushMs?: number;
  /** Drain to the high watermarks seen at start, close every file, commit, return. @default false */
  once?: boolean;
  /** Stop (Ctrl-C): nothing uncommitted is flushed; what is stored is committed. */
  signal?: AbortSignal;
  /** The lake to write. @default openLake(config.lake) */
  lake?: LakeStorage;
  /** The Kafka client. @default createKafka(config.kafka) */
  kafka?: Kafka;
  /** Backoff of lake writes and commits (tests shorten it). */
  retry?: Pick<RetryOptions, "initialDelayMs" | "maxDelayMs" | "factor">;
  /** Files uploaded at once, over all partitions. @default 8 */
  uploadConcurrency?: number;
  /**
   * Closed files a partition may have waiting for the lake; at this many it takes no more
   * records until one is stored (bounds memory while the lake is slow or away). @default 32
   */
  maxQueuedFiles?: number;
  /**
   * Least time between two offset commits (Kafka transactions), ms of wall clock; what is
   * stored meanwhile goes into the next one. Only how much a restart replays depends on it.
   * @default 500
   */
  commitIntervalMs?: number;
  /** Partitions processed at once. @default 4 */
  partitionsConcurrently?: number;
  /** How often `onProgress` is called, ms of wall clock. @default 2000 */
  progressEveryMs?: number;
  /** Progress and lag, every `progressEveryMs`. */
  onProgress?: (progress: SinkProgress) => void;
  /** Notices for people: lake or Kafka unreachable, retrying, resumed. */
  log?: (line: string) => void;
  /**
   * Transactional id of the commit producer. One sink process per group: a second one with the
   * same id fences the first. @default `<group>.lake-sink.<hash of the topic names>`
   */
  transactionalId?: string;
  /**
   * Consumer group session timeout, ms: how long a crashed sink holds its partitions before a
   * restarted one gets them (the broker's minimum is 6000). @default 10000
   */
  sessionTimeoutMs?: number;
  /** Wall clock for the idle flush and progress. @default Date.now */
  now?: () => number;
  /**
   * How long commits (dead letters plus offsets, one Kafka transaction) may keep failing with
   * errors that may pass (broker away, leader moving) before the sink stops with the reason,
   * ms. Errors that cannot pass (the broker refuses the dead letters) stop it at once. Nothing
   * past the last commit is committed either way. @default 120000
   */
  maxCommitRetryMs?: number;
  /**
   * Largest record batch a DLQ topic takes, bytes. @default the topic's `max.message.bytes`
   * (read at start; 1048588, Kafka's default, when it cannot be read)
   */
  dlqMaxBytes?: number;
  /**
   * How often the consumer looks its topics up again, ms: records of a partition added to a
   * topic while the sink runs reach the lake within this time (read from the partition's first
   * record). @default METADATA_MAX_AGE_MS (30 s; kafkajs's own default, 5 minutes, held them back
   * that long)
   */
  metadataMaxAgeMs?: number;
}

/** What the sink did for one topic. */
export interface SinkTopicStats {
  topic: string;
  /** Files stored (a replay's rewrites count again). */
  files: number;
  /** Records in those files. */
  records: number;
  /** Records sent to the DLQ and committed. */
  dlq: number;
  /** Bytes stored. */
  bytes: number;
  /** Records between the sink's position and the high watermark. */
  lag: number;
}

/** A snapshot of the sink's progress. */
export interface SinkProgress {
  topics: SinkTopicStats[];
  files: number;
  records: number;
  dlq: number;
  lag: number;
  /** Whether a lake write or commit is waiting for its target to come back. */
  retrying: boolean;
}

/** How a sink run ended and what it did. */
export interface SinkResult extends SinkProgress {
  /** `drained`: `once` reached the high watermarks; `stopped`: the signal ended it. */
  reason: "drained" | "stopped";
}

/** The sink's defaults, in one place. */
export const SINK_DEFAULTS = {
  group: "ecom-lake-sink",
  idleFlushMs: 0,
  uploadConcurrency: 8,
  maxQueuedFiles: 32,
  commitIntervalMs: 500,
  partitionsConcurrently: 4,
  progressEveryMs: 2000,
  sessionTimeoutMs: 10_000,
  maxCommitRetryMs: 120_000,
  metadataMaxAgeMs: METADATA_MAX_AGE_MS,
} as const;

/** Kafka's default `max.message.bytes`, for a DLQ topic whose setting cannot be read. */
export const KAFKA_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * The sink consumer's fetch settings: large fetches (a round trip and a batch per few MB, not
 * per few hundred records). The benchmark's bare consumer uses the same.
 */
export const SINK_FETCH = {
  maxBytesPerPartition: 8 * 1024 * 1024,
  maxBytes: 64 * 1024 * 1024,
  maxWaitTimeInMs: 500,
} as const;

/**
 * The commit producer's transactional id: one per group and set of topics, so a restarted sink
 * fences (and aborts the open transaction of) the one it replaces, and sinks of other topics
 * never fence each other.
 *
 * @example
 * ```ts
 * import { defaultTransactionalId } from "./options.ts";
 * defaultTransactionalId("ecom-lake-sink", ["orders"]).startsWith("ecom-lake-sink.lake-sink."); // true
 * ```
 */
export function defaultTransactionalId(group: string, topics: readonly string[]): string {
  // Topic names are ASCII, so hashing UTF-16 units gives the ids earlier releases gave.
  return `${group}.lake-sink.${fnv1a32Hex([...topics].sort().join(","))}`;
}

/** A sink's options resolved against the defaults and checked: what every part of it reads. */
export interface SinkSettings {
  group: string;
  topics: string[];
  rotation: Required<RotationOptions>;
  idleFlushMs: number;
  uploadConcurrency: number;
  maxQueuedFiles: number;
  commitIntervalMs: number;
  partitionsConcurrently: number;
  progressEveryMs: number;
  sessionTimeoutMs: number;
  maxCommitRetryMs: number;
  metadataMaxAgeMs: number;
  transactionalId: string;
  /** Largest DLQ batch given by the caller; undefined: read each DLQ topic's setting. */
  dlqMaxBytes?: number;
  once: boolean;
  retry: SinkOptions["retry"];
  eventTimeZone: string;
}

/**
 * Resolves `options` against {@linkcode SINK_DEFAULTS}; a bad number throws a `RangeError`
 * naming the option, before any work starts.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config/mod.ts";
 * import { resolveSinkSettings } from "./options.ts";
 * const settings = resolveSinkSettings(loadConfig(), { topics: ["orders"], flushSize: 10 });
 * settings.rotation.flushSize; // 10
 * ```
 */
export function resolveSinkSettings(config: Config, options: SinkOptions): SinkSettings {
  const d = SINK_DEFAULTS;
  const group = options.group ?? d.group;
  const topics = options.topics ?? TOPICS.map((t) => topicName(config.kafka, t));
  const s: SinkSettings = {
    group,
    topics,
    rotation: resolveRotation(options),
    idleFlushMs: options.idleFlushMs ?? d.idleFlushMs,
    uploadConcurrency: options.uploadConcurrency ?? d.uploadConcurrency,
    maxQueuedFiles: options.maxQueuedFiles ?? d.maxQueuedFiles,
    commitIntervalMs: options.commitIntervalMs ?? d.commitIntervalMs,
    partitionsConcurrently: options.partitionsConcurrently ?? d.partitionsConcurrently,
    progressEveryMs: options.progressEveryMs ?? d.progressEveryMs,
    sessionTimeoutMs: options.sessionTimeoutMs ?? d.sessionTimeoutMs,
    maxCommitRetryMs: options.maxCommitRetryMs ?? d.maxCommitRetryMs,
    metadataMaxAgeMs: options.metadataMaxAgeMs ?? d.metadataMaxAgeMs,
    transactionalId: options.transactionalId ?? defaultTransactionalId(group, topics),
    dlqMaxBytes: options.dlqMaxBytes,
    once: options.once ?? false,
    retry: options.retry,
    eventTimeZone: config.eventTimeZone,
  };
  for (const name of ["idleFlushMs", "commitIntervalMs", "maxCommitRetryMs"] as const) {
    if (!Number.isSafeInteger(s[name]) || s[name] < 0) {
      throw new RangeError(`${name} must be a whole number ≥ 0, got ${s[name]}`);
    }
  }
  const positive = [
    "uploadConcurrency",
    "maxQueuedFiles",
    "partitionsConcurrently",
    "metadataMaxAgeMs",
  ] as const;
  for (const name of positive) {
    if (!Number.isSafeInteger(s[name]) || s[name] < 1) {
      throw new RangeError(`${name} must be a whole number ≥ 1, got ${s[name]}`);
    }
  }
  if (topics.length === 0) throw new RangeError("The sink needs at least one topic");
  return s;
}

/** The lake and Kafka client of a sink: the caller's, else opened from `config`. */
export function sinkClients(
  config: Config,
  options: SinkOptions,
): { lake: LakeStorage; kafka: Kafka } {
  return {
    lake: options.lake ?? openLake(config.lake),
    kafka: options.kafka ?? createKafka(config.kafka, { clientId: "ecom-lake-sink" }),
  };
}
