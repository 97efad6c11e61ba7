/**
 * The bookkeeping every produce path shares (in-process and threaded): the batch size, the
 * running stats and progress calls, the error of a failed batch, and pacing (to a rate, or to
 * the records' event times).
 *
 * @module
 */
import { KafkaError } from "../errors.ts";
import { sleep } from "../sleep.ts";
import type { ProduceOptions, ProduceStats, ProducibleRecord } from "./produce.ts";

/** One produce run's bookkeeping. */
export interface ProduceRun {
  readonly stats: ProduceStats;
  /** Records per request: the option, or smaller when a rate needs finer pacing. */
  readonly batchSize: number;
  /** Counts a confirmed batch (per base topic) and reports progress every `progressEvery`. */
  sent(count: number, perTopic: Record<string, number>): void;
  /** Counts a failed batch; returns the error to throw, the stats so far in its `cause`. */
  failed(count: number, error: Error): KafkaError;
  /**
   * Milliseconds to wait after `handed` records, the latest of them at event time `latest`: so
   * that they keep to the rate, or, pacing by event time, until the wall clock reaches `latest`
   * (0 without pacing).
   */
  delay(handed: number, latest?: number): number;
  /**
   * Waits until `batch`, handed after `handed` records, may go (see {@linkcode delay}: no record
   * leaves before its event time, or ahead of the rate); at once when the run was stopped.
   */
  pace(handed: number, batch: readonly ProducibleRecord[]): Promise<void>;
  /**
   * Starts the clock again: called once the producers are connected, so that the rate and the
   * pacing count sending, not the start of threads and connections (as Kafka's own
   * `producer-perf-test` times from a constructed producer).
   */
  connected(): void;
  /** The final stats, after a last progress call. */
  finish(): ProduceStats;
}

/** Starts the bookkeeping of a produce run (the clock starts now, and again at `connected`). */
export function startProduceRun(options: ProduceOptions): ProduceRun {
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? Date.now;
  const progressEvery = options.progressEvery ?? 5000;
  const stats: ProduceStats = { sent: 0, failed: 0, perTopic: {}, seconds: 0, rate: 0 };
  let t0 = now();
  let nextProgress = progressEvery;
  const update = () => {
    stats.seconds = (now() - t0) / 1000;
    stats.rate = stats.seconds > 0 ? stats.sent / stats.seconds : 0;
  };
  const delay = (handed: number, latest = -Infinity) => {
    if (options.paceBy === "eventTime") return Math.max(0, latest - wallClock());
    // Pace on the total: the run as a whole keeps to the rate, whatever a batch took.
    return options.rate ? Math.max(0, t0 + (handed / options.rate) * 1000 - now()) : 0;
  };
  return {
    stats,
    // Paced: a tenth of a second's records per request (100 by event time without a rate).
    batchSize: options.rate || options.paceBy === "eventTime"
      ? Math.max(1, Math.min(options.batchSize ?? 1000, Math.ceil((options.rate ?? 0) / 10) || 100))
      : options.batchSize ?? 1000,
    sent(count, perTopic) {
      stats.sent += count;
      for (const [topic, n] of Object.entries(perTopic)) {
        stats.perTopic[topic] = (stats.perTopic[topic] ?? 0) + n;
      }
      if (stats.sent >= nextProgress) {
        update();
        options.onProgress?.(stats);
        nextProgress = stats.sent + progressEvery;
      }
    },
    failed(count, error) {
      stats.failed += count;
      update();
      return new KafkaError(`Sending ${count} records failed: ${error.message}`, {
        cause: Object.assign(error, { stats }),
        retriable: true,
      });
    },
    delay,
    async pace(handed, batch) {
      if (batch.length === 0 || options.signal?.aborted) return;
      // The batch's latest time: the batches before it waited for theirs.
      let latest = -Infinity;
      for (const record of batch) if (record.timestamp > latest) latest = record.timestamp;
      const wait = delay(handed + batch.length, latest);
      if (wait > 0) await sleep(wait);
    },
    connected() {
      t0 = now();
    },
    finish() {
      update();
      options.onProgress?.(stats);
      return stats;
    },
  };
}
