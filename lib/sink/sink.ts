/**
 * The exactly-once Kafka → lake sink, in the Confluent ADLS Gen2 / Azure Blob sink connectors'
 * layout (`layout.ts`) and rotation rules (`buffer.ts`).
 *
 * How it stays exactly-once in the lake:
 * - one open file per topic-partition, closed by rules that depend only on record offsets and
 *   contents (`flush.size`, `rotate.interval.ms` on record time, the record-time hour), so the
 *   same records from the same start offset always make the same files;
 * - a file is stored in one atomic put, its name carries its first offset;
 * - offsets are committed only after the files holding them are stored, and never past the
 *   first offset still buffered: a restart resumes at a file boundary and a replay rewrites
 *   identical files over the old ones (same name, same bytes);
 * - uploads overlap with fetching: closed files wait in a bounded queue per partition, a pool
 *   of uploads serves all partitions, and a partition's commit candidate is the first offset of
 *   its oldest file not yet stored (else of its open file), so files stored out of order never
 *   let a commit pass one that is still on its way;
 * - records that fail the raw validity rule (`lib/schema/raw.ts`) go to `<topic>.dlq`, sent in
 *   the same Kafka transaction as the offset commit that passes them: exactly once in the DLQ
 *   too, for read-committed readers. Dead letters are split into sends that fit the DLQ topic's
 *   `max.message.bytes`; a commit that keeps failing is retried for `maxCommitRetryMs`, one the
 *   broker refuses for good (e.g. the DLQ rejects the record) at once, then the sink stops with
 *   the reason, having committed nothing past its last commit: nothing is lost;
 * - the layout settings (flush size, rotate interval, time field, zone) are recorded per topic in
 *   the lake on first write (`settings.ts`); a sink with other ones stops before any work;
 * - one sink process per consumer group: a sink that finds the group's member of another sink
 *   alive (still there after a session timeout) stops with a clear message before writing; two
 *   that start at the same moment are told apart by the transactional producer, which fences
 *   the older one.
 *
 * The wall-clock idle flush (`idleFlushMs`) closes files at moments a replay cannot repeat; it
 * serves slow demos and gives up the exactly-once guarantee.
 *
 * @module
 */
import type {
  Admin,
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Message,
  Producer,
} from "kafkajs";
import type { Config } from "../config/mod.ts";
import { errorMessage, KafkaError, WorkspaceError } from "../errors.ts";
import { ConfigResourceTypes } from "../kafka/_kafkajs.ts";
import { createKafka, dlqName, topicName } from "../kafka/client.ts";
import { TOPICS } from "../schema/events.ts";
import { type ClosedFile, PartitionBuffer, resolveRotation } from "./buffer.ts";
import { checkRecord, dlqMessage, fitMessage, splitSends } from "./dlq.ts";
import { openLake } from "../lake/open.ts";
import { retryLake, type RetryOptions } from "../retry.ts";
import { checkLayoutSettings, SINK_TIME_FIELD } from "./settings.ts";
import type { LakeStorage } from "../lake/storage.ts";

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
} as const;

/** Kafka's default `max.message.bytes`, for a DLQ topic whose setting cannot be read. */
const KAFKA_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * The sink consumer's fetch settings: large fetches (a round trip and a batch per few MB, not
 * per few hundred records). The benchmark's bare consumer uses the same.
 */
export const SINK_FETCH = {
  maxBytesPerPartition: 8 * 1024 * 1024,
  maxBytes: 64 * 1024 * 1024,
  maxWaitTimeInMs: 500,
} as const;

/** One topic-partition's state. */
interface PartitionState {
  topic: string;
  partition: number;
  buffer: PartitionBuffer;
  /** Next offset to take (last taken + 1); -1 before the first record. */
  next: number;
  /** Everything below this is stored in the lake or waiting in `dlq`: the commit candidate. */
  safe: number;
  /** Closed files not yet known stored, in offset order (the stored ones leave from the front). */
  uploads: Upload[];
  /** Aborted when the partition is no longer ours; with the sink's own abort, ends its uploads. */
  abort: AbortController;
  signal: AbortSignal;
  /** Committed offset (-1: none). */
  committed: number;
  /** Dead-letter records not yet committed, in offset order. */
  dlq: Array<{ offset: number; message: Message }>;
  /** Wall-clock time of the last record added to the buffer. */
  lastAppend: number;
  /** Serialises the batch handler and the idle flush. */
  lock: Promise<void>;
}

/** A closed file on its way to the lake. */
interface Upload {
  file: ClosedFile;
  st: PartitionState;
  stored: boolean;
  /** Resolves once the upload ended, stored or not. */
  settled: Promise<void>;
  settle: () => void;
}

interface Position {
  low: number;
  high: number;
  committed: number;
}

/**
 * The commit producer's transactional id: one per group and set of topics, so a restarted sink
 * fences (and aborts the open transaction of) the one it replaces, and sinks of other topics
 * never fence each other.
 *
 * @example
 * ```ts
 * import { defaultTransactionalId } from "./sink.ts";
 * defaultTransactionalId("ecom-lake-sink", ["orders"]).startsWith("ecom-lake-sink.lake-sink."); // true
 * ```
 */
export function defaultTransactionalId(group: string, topics: readonly string[]): string {
  let hash = 0x811c9dc5; // FNV-1a, 32 bits
  for (const ch of [...topics].sort().join(",")) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${group}.lake-sink.${hash.toString(16).padStart(8, "0")}`;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Broker answers flagged lasting that a new transactional producer gets past. */
const PASSING_TRANSACTION_ERRORS = [
  "INVALID_TXN_STATE",
  "UNKNOWN_PRODUCER_ID",
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "INVALID_PRODUCER_ID_MAPPING",
];

/**
 * Whether a Kafka failure may pass by trying again. Only the broker's refusal of the request
 * itself is lasting (a protocol error kafkajs flags not retriable: `INVALID_RECORD` from a
 * compacted DLQ, `MESSAGE_TOO_LARGE`, an authorization error); anything else — a lost
 * connection, the group coordinator not found while the broker restarts, kafkajs's own retries
 * exhausted — may pass, and is retried within `maxCommitRetryMs`.
 */
function kafkaRetriable(error: unknown): boolean {
  for (
    let e = error as { name?: string; type?: string; retriable?: unknown; cause?: unknown };
    e && typeof e === "object";
    e = e.cause as typeof e
  ) {
    if (
      e.name === "KafkaJSProtocolError" && e.retriable === false &&
      !PASSING_TRANSACTION_ERRORS.includes(e.type ?? "")
    ) return false;
  }
  return true;
}

function isFenced(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as never) {
    if (
      ["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH", "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"]
        .includes(e.type ?? "")
    ) return true;
  }
  return false;
}

class LakeSink {
  readonly #config: Config;
  readonly #o: Required<
    Pick<
      SinkOptions,
      | "group"
      | "idleFlushMs"
      | "uploadConcurrency"
      | "maxQueuedFiles"
      | "commitIntervalMs"
      | "partitionsConcurrently"
      | "progressEveryMs"
      | "maxCommitRetryMs"
    >
  >;
  readonly #options: SinkOptions;
  readonly #rotation: ReturnType<typeof resolveRotation>;
  readonly #topics: string[];
  readonly #lake: LakeStorage;
  readonly #kafka: Kafka;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  readonly #states = new Map<string, PartitionState>();
  readonly #positions = new Map<string, Position>();
  readonly #stats = new Map<string, SinkTopicStats>();
  /** Largest record batch each DLQ topic takes. */
  readonly #dlqMaxBytes = new Map<string, number>();
  /** Aborts lake retries: set on stop (signal) and on a fatal error, not on a drain. */
  readonly #abort = new AbortController();
  #consumer?: Consumer;
  #producer?: Producer;
  #stopping = false;
  #reason: SinkResult["reason"] = "stopped";
  #fatal: unknown;
  #finish!: () => void;
  readonly #finished = new Promise<void>((resolve) => (this.#finish = resolve));
  #commitWanted = false;
  #committing?: Promise<void>;
  #retryingLake = 0;
  #retryingKafka = false;
  /** Ends the pause between commits early. */
  #wake?: () => void;
  /** Uploads waiting for a free slot, oldest first. */
  readonly #queue: Upload[] = [];
  /** Uploads not yet settled (queued or running). */
  readonly #unsettled = new Set<Upload>();
  #uploading = 0;

  constructor(config: Config, options: SinkOptions) {
    this.#config = config;
    this.#options = options;
    this.#o = {
      group: options.group ?? SINK_DEFAULTS.group,
      idleFlushMs: options.idleFlushMs ?? SINK_DEFAULTS.idleFlushMs,
      uploadConcurrency: options.uploadConcurrency ?? SINK_DEFAULTS.uploadConcurrency,
      maxQueuedFiles: options.maxQueuedFiles ?? SINK_DEFAULTS.maxQueuedFiles,
      commitIntervalMs: options.commitIntervalMs ?? SINK_DEFAULTS.commitIntervalMs,
      partitionsConcurrently: options.partitionsConcurrently ??
        SINK_DEFAULTS.partitionsConcurrently,
      progressEveryMs: options.progressEveryMs ?? SINK_DEFAULTS.progressEveryMs,
      maxCommitRetryMs: options.maxCommitRetryMs ?? SINK_DEFAULTS.maxCommitRetryMs,
    };
    this.#rotation = resolveRotation(options);
    for (const name of ["idleFlushMs", "commitIntervalMs", "maxCommitRetryMs"] as const) {
      if (!Number.isSafeInteger(this.#o[name]) || this.#o[name] < 0) {
        throw new RangeError(`${name} must be a whole number ≥ 0, got ${this.#o[name]}`);
      }
    }
    for (const name of ["uploadConcurrency", "maxQueuedFiles", "partitionsConcurrently"] as const) {
      if (!Number.isSafeInteger(this.#o[name]) || this.#o[name] < 1) {
        throw new RangeError(`${name} must be a whole number ≥ 1, got ${this.#o[name]}`);
      }
    }
    this.#topics = options.topics ?? TOPICS.map((t) => topicName(config.kafka, t));
    if (this.#topics.length === 0) throw new RangeError("The sink needs at least one topic");
    this.#lake = options.lake ?? openLake(config.lake);
    this.#kafka = options.kafka ?? createKafka(config.kafka, { clientId: "ecom-lake-sink" });
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? Date.now;
    for (const topic of this.#topics) {
      this.#stats.set(topic, { topic, files: 0, records: 0, dlq: 0, bytes: 0, lag: 0 });
    }
  }

  async run(): Promise<SinkResult> {
    const signal = this.#options.signal;
    const onAbort = () => this.#stop("stopped");
    signal?.addEventListener("abort", onAbort, { once: true });
    const timers: Array<ReturnType<typeof setInterval>> = [];
    try {
      await retryLake(() => this.#lake.init(), this.#retry());
      await this.#prepareTopics();
      await this.#checkSettings();
      if (signal?.aborted) return this.#result();
      this.#producer = await this.#newProducer();
      if (this.#options.once && this.#drained()) {
        this.#reason = "drained";
        return this.#result();
      }
      await this.#startConsumer();
      if (this.#options.onProgress) {
        timers.push(setInterval(
          () => this.#options.onProgress!(this.#progress()),
          this.#o
            .progressEveryMs,
        ));
      }
      if (this.#o.idleFlushMs > 0) {
        const every = Math.max(10, Math.min(1000, Math.floor(this.#o.idleFlushMs / 2)));
        timers.push(setInterval(() => this.#idleFlush(), every));
      }
      await this.#finished;
      for (const t of timers) clearInterval(t);
      await this.#consumer?.stop().catch(() => {});
      await Promise.all([...this.#states.values()].map((st) => st.lock));
      if (this.#reason === "drained" && !this.#fatal) await this.#flushAll();
      // A stop aborted the uploads; what they stored before that is still committed.
      await this.#uploadsSettled();
      await this.#committing;
      if (!this.#fatal) await this.#finalCommit();
      if (this.#fatal) throw this.#fatal;
      return this.#result();
    } finally {
      for (const t of timers) clearInterval(t);
      this.#abort.abort();
      signal?.removeEventListener("abort", onAbort);
      await this.#consumer?.disconnect().catch(() => {});
      await this.#producer?.disconnect().catch(() => {});
      await this.#lake.close().catch(() => {});
    }
  }

  #retry(beat?: () => Promise<void>, signal: AbortSignal = this.#abort.signal): RetryOptions {
    return {
      ...this.#options.retry,
      beat,
      signal,
      onRetry: (error, attempt, delay) => {
        if (attempt === 1 || attempt % 10 === 0) {
          this.#log(`lake unreachable (${errorMessage(error)}); retrying every ≤ ${delay} ms`);
        }
      },
    };
  }

  #stop(reason: SinkResult["reason"]) {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#reason = reason;
    if (reason === "stopped") this.#abort.abort();
    this.#wake?.();
    this.#finish();
  }

  /** Waits `ms`, or less if the sink stops meanwhile. */
  #pause(ms: number): Promise<void> {
    if (this.#stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake!(), ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  #fail(error: unknown) {
    this.#fatal ??= error;
    this.#abort.abort();
    this.#stop("stopped");
  }

  /** Checks the source topics, creates missing DLQ topics, reads positions. */
  async #prepareTopics() {
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      // After a first metadata request: kafkajs finds the group coordinator in it (before one,
      // it waits a retry delay).
      await this.#checkAlone(admin);
      const missing = this.#topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        throw new KafkaError(
          `Topic '${missing[0]}' does not exist on ${
            this.#config.kafka.brokers.join(",")
          } (run \`deno task stack up\`, or check KAFKA_TOPIC_PREFIX and --topics)`,
        );
      }
      const dlqs = this.#topics.map(dlqName).filter((t) => !existing.has(t));
      if (dlqs.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: dlqs.map((topic) => ({
            topic,
            numPartitions: 1,
            replicationFactor: this.#config.kafka.local ? 1 : 3,
          })),
        });
      }
      await this.#readDlqLimits(admin);
      const committed = await admin.fetchOffsets({ groupId: this.#o.group, topics: this.#topics });
      for (const topic of this.#topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const o of offsets) {
          this.#positions.set(key(topic, o.partition), {
            low: Number(o.low),
            high: Number(o.high),
            committed: Number(done.find((d) => d.partition === o.partition)?.offset ?? -1),
          });
        }
      }
    } catch (error) {
      if (error instanceof WorkspaceError) throw error;
      throw new KafkaError(
        `Could not read topics from ${this.#config.kafka.brokers.join(",")}: ${
          errorMessage(error)
        }`,
        { cause: error, retriable: true },
      );
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  /**
   * One sink process per group: a member of the group still there after a session timeout is
   * a live sink (a crashed one's member expires by then), so this one stops before any work.
   */
  async #checkAlone(admin: Admin) {
    const group = this.#o.group;
    const session = this.#options.sessionTimeoutMs ?? SINK_DEFAULTS.sessionTimeoutMs;
    const deadline = Date.now() + Math.max(session, SINK_DEFAULTS.sessionTimeoutMs) + 5000;
    for (let first = true;; first = false) {
      const { groups } = await admin.describeGroups([group]);
      const members = groups.find((g) => g.groupId === group)?.members ?? [];
      if (members.length === 0) return;
      if (Date.now() >= deadline) {
        const m = members[0];
        throw new KafkaError(
          `Another sink is running in consumer group '${group}' (${m.clientId} on ${
            m.clientHost.replace(/^\//, "")
          }): one sink process per group. Stop it first, or give this one another --group`,
        );
      }
      if (first) {
        this.#log(
          `consumer group '${group}' has a member (a sink still running, or one that just ` +
            `crashed); waiting for it to leave`,
        );
      }
      await this.#pause(500);
      if (this.#stopping) return;
    }
  }

  /** Reads each DLQ topic's `max.message.bytes` (dead letters are sent in batches that fit). */
  async #readDlqLimits(admin: Admin) {
    const names = this.#topics.map(dlqName);
    for (const name of names) {
      this.#dlqMaxBytes.set(name, this.#options.dlqMaxBytes ?? KAFKA_MAX_MESSAGE_BYTES);
    }
    if (this.#options.dlqMaxBytes !== undefined) return;
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ["max.message.bytes"],
        })),
      });
      for (const r of described.resources) {
        const value = Number(
          r.configEntries.find((c) => c.configName === "max.message.bytes")
            ?.configValue,
        );
        if (Number.isSafeInteger(value) && value > 0) this.#dlqMaxBytes.set(r.resourceName, value);
      }
    } catch (error) {
      this.#log(
        `could not read the DLQ topics' max.message.bytes (${errorMessage(error)}); ` +
          `assuming Kafka's default`,
      );
    }
  }

  /** Records the layout settings per topic in the lake, or stops if they differ from the lake's. */
  async #checkSettings() {
    const settings = {
      ...this.#rotation,
      timeField: SINK_TIME_FIELD,
      timeZone: this.#config.eventTimeZone,
    };
    for (const topic of this.#topics) {
      await retryLake(() => checkLayoutSettings(this.#lake, topic, settings), this.#retry());
    }
  }

  async #newProducer(): Promise<Producer> {
    const producer = this.#kafka.producer({
      transactionalId: this.#options.transactionalId ??
        defaultTransactionalId(this.#o.group, this.#topics),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 2000 },
    });
    await producer.connect();
    return producer;
  }

  async #startConsumer() {
    const consumer = this.#kafka.consumer({
      groupId: this.#o.group,
      sessionTimeout: this.#options.sessionTimeoutMs ?? SINK_DEFAULTS.sessionTimeoutMs,
      heartbeatInterval: Math.max(
        500,
        Math.floor((this.#options.sessionTimeoutMs ?? SINK_DEFAULTS.sessionTimeoutMs) / 5),
      ),
      ...SINK_FETCH,
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set<string>();
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const p of partitions) assigned.add(key(topic, p));
      }
      // Partitions gone to another member: their buffers and uploads are its to replay.
      for (const [k, st] of [...this.#states]) {
        if (assigned.has(k)) continue;
        this.#states.delete(k);
        st.abort.abort();
      }
    });
    // Batches of transaction markers (or aborted records) reach no handler: move past them here,
    // or a drain would wait forever for offsets that hold no record.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      const st = this.#states.get(key(payload.topic, payload.partition)) ??
        this.#state(payload.topic, payload.partition);
      const after = Number(payload.lastOffset) + 1;
      this.#locked(st, () => {
        if (this.#stopping || st.next > after) return Promise.resolve();
        st.next = after;
        this.#advance(st);
        this.#requestCommit();
        if (this.#options.once) this.#checkDrained();
        return Promise.resolve();
      }).catch((error) => this.#fail(error));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.#fail(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.#topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#o.partitionsConcurrently,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
  }

  #state(topic: string, partition: number): PartitionState {
    const k = key(topic, partition);
    let st = this.#states.get(k);
    if (!st) {
      const committed = this.#positions.get(k)?.committed ?? -1;
      const abort = new AbortController();
      st = {
        topic,
        partition,
        buffer: new PartitionBuffer(topic, partition, this.#rotation),
        next: -1,
        safe: committed,
        uploads: [],
        abort,
        signal: AbortSignal.any([this.#abort.signal, abort.signal]),
        committed,
        dlq: [],
        lastAppend: 0,
        lock: Promise.resolve(),
      };
      this.#states.set(k, st);
    }
    return st;
  }

  /** Runs `fn` when no other work on this partition runs. */
  #locked(st: PartitionState, fn: () => Promise<void>): Promise<void> {
    const run = st.lock.then(fn);
    st.lock = run.catch(() => {});
    return run;
  }

  async #eachBatch(
    { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
  ): Promise<void> {
    if (this.#stopping) return;
    const st = this.#state(batch.topic, batch.partition);
    const lost = () =>
      this.#stopping || !isRunning() || isStale() ||
      this.#states.get(key(st.topic, st.partition)) !== st;
    try {
      await this.#locked(st, async () => {
        const position = this.#positions.get(key(batch.topic, batch.partition));
        if (position) position.high = Number(batch.highWatermark);
        // Back-pressure: a partition whose queue for the lake is full fetches nothing more.
        while (st.uploads.length >= this.#o.maxQueuedFiles) {
          if (lost()) return;
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            st.uploads[0].settled,
            new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
          ]);
          clearTimeout(timer);
          if (st.signal.aborted) return;
          try {
            await heartbeat();
          } catch {
            return; // a rebalance: nothing of this batch is taken, so it is fetched again
          }
        }
        const closed: ClosedFile[] = [];
        const size = st.buffer.size;
        let last: string | undefined;
        const messages = batch.messages;
        for (let i = 0; i < messages.length; i++) {
          const m = messages[i];
          if (i % 2000 === 1999) {
            if (lost()) break;
            await heartbeat();
          }
          const offset = Number(m.offset);
          // A batch fetched again (rebalance, retry) holds records already taken: skip them.
          if (st.next < 0 || offset >= st.next) {
            st.next = offset + 1;
            this.#take(st, m, offset, closed);
          }
          last = m.offset;
        }
        if (last !== undefined) resolveOffset(last);
        if (closed.length > 0 || st.buffer.size !== size) st.lastAppend = this.#now();
        this.#enqueue(st, closed);
        this.#advance(st);
        this.#requestCommit();
        if (this.#options.once) this.#checkDrained();
      });
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Adds one record to its file, or to the pending dead letters. */
  #take(st: PartitionState, m: KafkaMessage, offset: number, closed: ClosedFile[]) {
    const check = checkRecord(m.value, Number(m.timestamp), { zone: this.#config.eventTimeZone });
    if (!check.ok) {
      const letter = dlqMessage(
        {
          topic: st.topic,
          partition: st.partition,
          offset,
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          headers: m.headers,
        },
        check.rejection,
        this.#o.group,
      );
      const limit = this.#dlqMaxBytes.get(dlqName(st.topic)) ?? KAFKA_MAX_MESSAGE_BYTES;
      st.dlq.push({ offset, message: fitMessage(letter, limit) });
      return;
    }
    for (const file of st.buffer.add(offset, check.time, m.value!)) closed.push(file);
  }

  /** Queues closed files of a partition for the lake. */
  #enqueue(st: PartitionState, files: ClosedFile[]) {
    for (const file of files) {
      let settle!: () => void;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      const upload: Upload = { file, st, stored: false, settled, settle };
      st.uploads.push(upload);
      this.#queue.push(upload);
      this.#unsettled.add(upload);
    }
    this.#pump();
  }

  /** Starts queued uploads while slots are free. */
  #pump() {
    while (this.#uploading < this.#o.uploadConcurrency && this.#queue.length > 0) {
      const upload = this.#queue.shift()!;
      if (upload.st.signal.aborted) {
        this.#settle(upload);
        continue;
      }
      this.#uploading++;
      this.#upload(upload)
        .catch((error) => this.#fail(error))
        .finally(() => {
          this.#uploading--;
          this.#settle(upload);
          this.#pump();
        });
    }
  }

  #settle(upload: Upload) {
    this.#unsettled.delete(upload);
    upload.settle();
  }

  /** Stores one file (an atomic put, retried until it lands or its partition's signal aborts). */
  async #upload(upload: Upload): Promise<void> {
    const { file, st } = upload;
    let failed = false;
    try {
      await retryLake(() => this.#lake.put(file.path, file.data), {
        ...this.#retry(undefined, st.signal),
        onRetry: (error, attempt, delay) => {
          if (!failed) this.#retryingLake++;
          failed = true;
          this.#retry().onRetry!(error, attempt, delay);
        },
      }).finally(() => {
        if (failed) {
          this.#retryingLake--;
          if (!st.signal.aborted) this.#log("lake reachable again; resuming");
        }
      });
    } catch (error) {
      if (st.signal.aborted) return;
      throw error;
    }
    upload.stored = true;
    const stats = this.#stats.get(file.topic)!;
    stats.files++;
    stats.records += file.records;
    stats.bytes += file.data.byteLength;
    if (this.#states.get(key(st.topic, st.partition)) !== st) return;
    this.#advance(st);
    this.#requestCommit();
  }

  /** Resolves once no upload is queued or running. */
  async #uploadsSettled() {
    while (this.#unsettled.size > 0) {
      await Promise.all([...this.#unsettled].map((u) => u.settled));
    }
  }

  /**
   * Moves a partition's commit candidate up to its oldest file not yet stored, else its open
   * file, else its next offset: never past an offset whose record is not in the lake or the DLQ.
   */
  #advance(st: PartitionState) {
    let stored = 0;
    while (stored < st.uploads.length && st.uploads[stored].stored) stored++;
    if (stored > 0) st.uploads.splice(0, stored);
    const safe = st.uploads.length > 0
      ? st.uploads[0].file.startOffset
      : st.buffer.startOffset ?? st.next;
    if (safe > st.safe) st.safe = safe;
  }

  #idleFlush() {
    if (this.#stopping) return;
    const now = this.#now();
    for (const st of this.#states.values()) {
      if (st.buffer.size === 0 || now - st.lastAppend < this.#o.idleFlushMs) continue;
      this.#locked(st, () => {
        if (st.buffer.size === 0 || this.#now() - st.lastAppend < this.#o.idleFlushMs) {
          return Promise.resolve();
        }
        this.#enqueue(st, [st.buffer.close()!]);
        this.#advance(st);
        return Promise.resolve();
      }).catch((error) => this.#fail(error));
    }
  }

  /** End of a drain: closes every open file and stores it. */
  async #flushAll() {
    for (const st of this.#states.values()) {
      const file = st.buffer.close();
      if (file) this.#enqueue(st, [file]);
    }
    await this.#uploadsSettled();
    for (const st of this.#states.values()) this.#advance(st);
  }

  #drained(): boolean {
    for (const [k, p] of this.#positions) {
      if (!this.#topics.some((t) => k.startsWith(`${t}\u0000`))) continue;
      const st = this.#states.get(k);
      // Records deleted below the low watermark (delete-records) are no longer there to take.
      const at = st && st.next >= 0 ? st.next : Math.max(p.committed, p.low);
      if (at < p.high) return false;
    }
    return true;
  }

  #checkDrained() {
    if (!this.#stopping && this.#drained()) {
      // The high watermarks of the drain are those seen at start: freeze them.
      this.#stop("drained");
    }
  }

  #requestCommit() {
    this.#commitWanted = true;
    if (this.#committing) return;
    this.#committing = (async () => {
      let delay = this.#options.retry?.initialDelayMs ?? 200;
      let failingSince = 0;
      while (this.#commitWanted && !this.#fatal) {
        this.#commitWanted = false;
        try {
          await this.#commitOnce();
          if (this.#retryingKafka) this.#log("Kafka reachable again; commits resume");
          this.#retryingKafka = false;
          failingSince = 0;
          delay = this.#options.retry?.initialDelayMs ?? 200;
          // Pace the transactions (each costs the broker several writes): what is stored
          // meanwhile goes into the next one. A stop ends the pause.
          await this.#pause(this.#o.commitIntervalMs);
        } catch (error) {
          if (!(error as WorkspaceError).retriable) return this.#fail(error);
          const now = Date.now();
          failingSince ||= now;
          if (now - failingSince >= this.#o.maxCommitRetryMs) {
            return this.#fail(
              new KafkaError(
                `${errorMessage(error)}; gave up after ${
                  Math.round((now - failingSince) / 1000)
                } s of retries`,
                { cause: error },
              ),
            );
          }
          if (!this.#retryingKafka) this.#log(`commit failed (${errorMessage(error)}); retrying`);
          this.#retryingKafka = true;
          this.#commitWanted = true;
          if (this.#stopping) return;
          await wait(delay);
          delay = Math.min(delay * 2, this.#options.retry?.maxDelayMs ?? 5000);
        }
      }
    })().finally(() => (this.#committing = undefined));
  }

  /**
   * Commits, in one Kafka transaction, every partition's safe offset together with the dead
   * letters below it (sent in batches that fit each DLQ topic). On failure the transaction is
   * aborted: nothing of it is committed, and the error says what failed and whether trying
   * again may help.
   */
  async #commitOnce(): Promise<void> {
    const taken: Array<{ st: PartitionState; safe: number; dlq: number }> = [];
    const offsets = new Map<string, Array<{ partition: number; offset: string }>>();
    const letters = new Map<string, Message[]>();
    for (const st of this.#states.values()) {
      const safe = st.safe;
      let n = 0;
      while (n < st.dlq.length && st.dlq[n].offset < safe) n++;
      if (safe <= st.committed && n === 0) continue;
      taken.push({ st, safe, dlq: n });
      if (safe > st.committed) {
        const list = offsets.get(st.topic) ?? [];
        list.push({ partition: st.partition, offset: String(safe) });
        offsets.set(st.topic, list);
      }
      if (n > 0) {
        const list = letters.get(dlqName(st.topic)) ?? [];
        for (let i = 0; i < n; i++) list.push(st.dlq[i].message);
        letters.set(dlqName(st.topic), list);
      }
    }
    if (taken.length === 0) return;
    const producer = this.#producer!;
    let transaction;
    let stage = "commit the sink's offsets";
    try {
      transaction = await producer.transaction();
      for (const [topic, messages] of letters) {
        stage = `send ${messages.length} dead letter(s) to ${topic}`;
        const limit = this.#dlqMaxBytes.get(topic) ?? KAFKA_MAX_MESSAGE_BYTES;
        for (const batch of splitSends(messages, limit)) {
          await transaction.send({ topic, messages: batch, acks: -1 });
        }
      }
      stage = "commit the sink's offsets";
      await transaction.sendOffsets({
        consumerGroupId: this.#o.group,
        topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })),
      });
      await transaction.commit();
    } catch (error) {
      await transaction?.abort().catch(async () => {
        // A producer whose transaction cannot even be aborted is replaced; the new one fences
        // the old transactional epoch, which aborts whatever it left open.
        await producer.disconnect().catch(() => {});
        this.#producer = await this.#newProducer().catch(() => producer);
      });
      if (isFenced(error)) {
        throw new KafkaError(
          `Another sink process took over consumer group '${this.#o.group}' (its transactional ` +
            `producer fenced this one): stopping, nothing more committed here. One sink process ` +
            `per group`,
          { cause: error },
        );
      }
      const retriable = kafkaRetriable(error);
      throw new KafkaError(
        `Could not ${stage}: ${errorMessage(error)}; nothing past the last commit was ` +
          `committed${retriable ? "" : " (the broker refuses it: trying again cannot help)"}`,
        { cause: error, retriable },
      );
    }
    for (const t of taken) {
      t.st.committed = Math.max(t.st.committed, t.safe);
      t.st.dlq.splice(0, t.dlq);
      this.#stats.get(t.st.topic)!.dlq += t.dlq;
    }
  }

  async #finalCommit() {
    for (let attempt = 1;; attempt++) {
      try {
        await this.#commitOnce();
        return;
      } catch (error) {
        const lasting = !(error as WorkspaceError).retriable;
        // On a drain the commit must land; on a stop, what is not committed is replayed later.
        if (lasting || (this.#reason === "stopped" && attempt >= 3)) {
          if (this.#reason === "drained") throw error;
          this.#log(`final commit failed (${errorMessage(error)}); the next run replays it`);
          return;
        }
        if (attempt >= 30) throw error;
        await wait(Math.min(200 * attempt, 2000));
      }
    }
  }

  #progress(): SinkProgress {
    const lag = new Map<string, number>();
    for (const [k, p] of this.#positions) {
      const [topic] = k.split("\u0000");
      const st = this.#states.get(k);
      const at = st && st.next >= 0 ? st.next : Math.max(p.committed, p.low);
      lag.set(topic, (lag.get(topic) ?? 0) + Math.max(0, p.high - at));
    }
    const topics = [...this.#stats.values()].map((s) => ({ ...s, lag: lag.get(s.topic) ?? 0 }));
    const sum = (f: (s: SinkTopicStats) => number) => topics.reduce((a, s) => a + f(s), 0);
    return {
      topics,
      files: sum((s) => s.files),
      records: sum((s) => s.records),
      dlq: sum((s) => s.dlq),
      lag: sum((s) => s.lag),
      retrying: this.#retryingLake > 0 || this.#retryingKafka,
    };
  }

  #result(): SinkResult {
    return { ...this.#progress(), reason: this.#reason };
  }
}

/**
 * Runs the sink until `signal` aborts or, with `once`, until it has drained the topics to the
 * high watermarks seen at start; returns what it did.
 *
 * @example
 * ```ts ignore
 * import { loadConfig } from "../config/mod.ts";
 * import { runSink } from "./sink.ts";
 * const result = await runSink(loadConfig(), { once: true });
 * console.log(result.files, result.records, result.dlq);
 * ```
 */
export function runSink(config: Config, options: SinkOptions = {}): Promise<SinkResult> {
  return new LakeSink(config, options).run();
}
