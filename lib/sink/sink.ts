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
import type { Kafka } from "kafkajs";
import type { Config } from "../config/mod.ts";
import { errorMessage } from "../errors.ts";
import { whileBrokerAway } from "../kafka/client.ts";
import { partitionKey } from "../kafka/partition.ts";
import type { LakeStorage } from "../lake/storage.ts";
import { retry, type RetryOptions } from "../retry.ts";
import { Committer } from "./committer.ts";
import { Intake } from "./intake.ts";
import {
  resolveSinkSettings,
  sinkClients,
  type SinkOptions,
  type SinkResult,
  type SinkSettings,
  type SinkTopicStats,
} from "./options.ts";
import { sinkProgress } from "./progress.ts";
import { checkLayoutSettings, SINK_TIME_FIELD } from "./settings.ts";
import { advance, type Upload } from "./state.ts";
import { prepareTopics } from "./topics.ts";
import { Uploader } from "./uploads.ts";

/** One run of the sink: wires the intake, the uploads and the committer, and stops them. */
class LakeSink {
  readonly #config: Config;
  readonly #options: SinkOptions;
  readonly #s: SinkSettings;
  readonly #lake: LakeStorage;
  readonly #kafka: Kafka;
  readonly #log: (line: string) => void;
  readonly #stats = new Map<string, SinkTopicStats>();
  /** Aborts lake retries and uploads: set on stop (signal) and on a fatal error, not on a drain. */
  readonly #abort = new AbortController();
  /** Aborted on any stop, a drain too: ends the waits between commits and for another sink. */
  readonly #stopped = new AbortController();
  readonly #uploader: Uploader;
  readonly #committer: Committer;
  #intake?: Intake;
  #reason: SinkResult["reason"] = "stopped";
  #fatal: unknown;
  #finish!: () => void;
  readonly #finished = new Promise<void>((resolve) => (this.#finish = resolve));
  readonly #timers: Array<ReturnType<typeof setInterval>> = [];

  constructor(config: Config, options: SinkOptions) {
    this.#config = config;
    this.#options = options;
    this.#s = resolveSinkSettings(config, options);
    const { lake, kafka } = sinkClients(config, options);
    this.#lake = lake;
    this.#log = options.log ?? (() => {});
    for (const topic of this.#s.topics) {
      this.#stats.set(topic, { topic, files: 0, records: 0, dlq: 0, bytes: 0, lag: 0 });
    }
    const fail = (error: unknown) => this.#fail(error);
    this.#uploader = new Uploader({
      lake,
      concurrency: this.#s.uploadConcurrency,
      retry: (signal) => this.#lakeRetry(signal),
      log: this.#log,
      onStored: (upload) => this.#stored(upload),
      fail,
    });
    this.#committer = new Committer({
      kafka,
      settings: this.#s,
      states: () => this.#intake?.states.values() ?? [],
      stats: this.#stats,
      log: this.#log,
      fail,
      stopped: this.#stopped.signal,
    });
    this.#kafka = kafka;
  }

  async run(): Promise<SinkResult> {
    const signal = this.#options.signal;
    const onAbort = () => this.#stop("stopped");
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (await this.#start()) {
        await this.#finished;
        await this.#shutDown();
      }
      if (this.#fatal) throw this.#fatal;
      return this.#result();
    } finally {
      for (const t of this.#timers) clearInterval(t);
      this.#abort.abort();
      signal?.removeEventListener("abort", onAbort);
      await this.#intake?.disconnect();
      await this.#committer.disconnect();
      await this.#lake.close().catch(() => {});
    }
  }

  /**
   * The steps before the first record: the lake, the topics, the layout settings, the commit
   * producer, the consumer and the timers. False when there is nothing to do (stopped, or
   * `once` with nothing to drain).
   */
  async #start(): Promise<boolean> {
    await retry(() => this.#lake.init(), this.#lakeRetry());
    const { positions, dlqMaxBytes } = await this.#whileBrokerAway(() =>
      prepareTopics(this.#kafka, this.#config.kafka, this.#s, {
        log: this.#log,
        signal: this.#stopped.signal,
      })
    );
    await this.#checkSettings();
    if (this.#options.signal?.aborted) return false;
    await this.#whileBrokerAway(() => this.#committer.connect(dlqMaxBytes));
    this.#intake = new Intake({
      kafka: this.#kafka,
      settings: this.#s,
      positions,
      dlqMaxBytes,
      uploader: this.#uploader,
      requestCommit: () => this.#committer.request(),
      onDrained: () => this.#stop("drained"),
      fail: (error) => this.#fail(error),
      stopping: () => this.#stopped.signal.aborted,
      signal: this.#abort.signal,
      now: this.#options.now ?? Date.now,
    });
    if (this.#s.once && this.#intake.drained()) {
      this.#reason = "drained";
      return false;
    }
    const intake = this.#intake;
    await this.#whileBrokerAway(() => intake.start());
    this.#startTimers(intake);
    return true;
  }

  /**
   * A start-up step retried while Kafka is away (a broker restarting as the sink starts, say
   * right after a crash), as a commit would wait for it; a refusal (a missing topic, another
   * live sink) stops it at once.
   */
  #whileBrokerAway<T>(step: () => Promise<T>): Promise<T> {
    return whileBrokerAway(step, {
      ...this.#s.retry,
      maxElapsedMs: this.#s.maxCommitRetryMs,
      signal: this.#stopped.signal,
      onRetry: (error, attempt) => {
        if (attempt === 1) this.#log(`${errorMessage(error)}; retrying`);
      },
    });
  }

  #startTimers(intake: Intake) {
    const onProgress = this.#options.onProgress;
    if (onProgress) {
      this.#timers.push(setInterval(() => onProgress(this.#progress()), this.#s.progressEveryMs));
    }
    if (this.#s.idleFlushMs > 0) {
      const every = Math.max(10, Math.min(1000, Math.floor(this.#s.idleFlushMs / 2)));
      this.#timers.push(setInterval(() => intake.idleFlush(), every));
    }
  }

  /**
   * The steps after a stop: stop fetching; on a drain close and store every file; wait for the
   * uploads (a stop aborted them: what they stored before is still committed) and the commit
   * running; then the final commit.
   */
  async #shutDown() {
    for (const t of this.#timers) clearInterval(t);
    await this.#intake!.stop();
    if (this.#reason === "drained" && !this.#fatal) await this.#intake!.flushAll();
    await this.#uploader.settled();
    await this.#committer.idle();
    if (!this.#fatal) await this.#committer.final(this.#reason === "drained");
  }

  /** Records the layout settings per topic in the lake, or stops if they differ from the lake's. */
  async #checkSettings() {
    const settings = {
      ...this.#s.rotation,
      timeField: SINK_TIME_FIELD,
      timeZone: this.#config.eventTimeZone,
    };
    for (const topic of this.#s.topics) {
      await retry(() => checkLayoutSettings(this.#lake, topic, settings), this.#lakeRetry());
    }
  }

  /** The lake retry: the caller's backoff, ended by `signal`, logged every tenth failure. */
  #lakeRetry(signal: AbortSignal = this.#abort.signal): RetryOptions {
    return {
      ...this.#s.retry,
      signal,
      onRetry: (error, attempt, delay) => {
        if (attempt === 1 || attempt % 10 === 0) {
          this.#log(`lake unreachable (${errorMessage(error)}); retrying every ≤ ${delay} ms`);
        }
      },
    };
  }

  /** A file is in the lake: count it, and let its partition's commit candidate move. */
  #stored({ file, st }: Upload) {
    const stats = this.#stats.get(file.topic)!;
    stats.files++;
    stats.records += file.records;
    stats.bytes += file.data.byteLength;
    if (this.#intake?.states.get(partitionKey(st.topic, st.partition)) !== st) return;
    advance(st);
    this.#committer.request();
  }

  #stop(reason: SinkResult["reason"]) {
    if (this.#stopped.signal.aborted) return;
    this.#reason = reason;
    if (reason === "stopped") this.#abort.abort();
    this.#stopped.abort();
    this.#finish();
  }

  #fail(error: unknown) {
    this.#fatal ??= error;
    this.#committer.halt();
    this.#abort.abort();
    this.#stop("stopped");
  }

  #progress() {
    const states = this.#intake?.states ?? new Map();
    const retrying = this.#uploader.retrying || this.#committer.retrying;
    return sinkProgress(this.#intake?.positions ?? new Map(), states, this.#stats, retrying);
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
