/**
 * The one retry with backoff of the workspace: lake writes, the sink's commits, Azure puts and
 * Kafka's "not yet served" waits all go through {@linkcode retry}. Only errors the `retriable`
 * test accepts are retried (by default a {@linkcode WorkspaceError} flagged `retriable`: Azurite
 * stopped, network down, HTTP 5xx/408/429, a broker away); anything else is thrown at once.
 * While waiting, a `beat` callback keeps the caller alive elsewhere (the sink heartbeats its
 * consumer group), and an abort signal ends the wait.
 *
 * @module
 */
import { sleep } from "./sleep.ts";
import { WorkspaceError } from "./errors.ts";

/** Options of {@linkcode retry}. */
export interface RetryOptions {
  /** First wait after a failure, ms. @default 200 */
  initialDelayMs?: number;
  /** Longest wait between tries, ms. @default 5000 */
  maxDelayMs?: number;
  /** Growth of the wait per failure (1: a fixed wait). @default 2 */
  factor?: number;
  /** Tries in all, `Infinity` to retry until it works or the signal aborts. @default Infinity */
  maxTries?: number;
  /**
   * Longest time to keep retrying, ms from the first failure; past it the last error is
   * thrown (through `onGiveUp` when given). @default Infinity
   */
  maxElapsedMs?: number;
  /** Which errors may pass by trying again. @default {@linkcode isRetriable} */
  retriable?: (error: unknown) => boolean;
  /** Called while waiting, at least every `beatEveryMs` (e.g. a consumer heartbeat). */
  beat?: () => Promise<void>;
  /** @default 1000 */
  beatEveryMs?: number;
  /** Called after each retriable failure, before the wait. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Turns the last error into the one thrown once `maxElapsedMs` has passed. */
  onGiveUp?: (error: unknown, elapsedMs: number) => unknown;
  /** Ends the retries: the wait resolves early and the last error is thrown. */
  signal?: AbortSignal;
}

/** The retry defaults, in one place (tests shorten them). */
export const RETRY_DEFAULTS = {
  initialDelayMs: 200,
  maxDelayMs: 5000,
  factor: 2,
  maxTries: Infinity,
  maxElapsedMs: Infinity,
  beatEveryMs: 1000,
} as const;

/** Whether an error may go away by trying again: a workspace error flagged `retriable`. */
export function isRetriable(error: unknown): boolean {
  return error instanceof WorkspaceError && error.retriable;
}

/**
 * Runs `fn` until it succeeds, retrying retriable errors with exponential backoff.
 *
 * @example
 * ```ts
 * import { LakeError } from "./errors.ts";
 * import { retry } from "./retry.ts";
 * let calls = 0;
 * const value = await retry(() => {
 *   if (++calls < 3) throw new LakeError("Azurite away", { retriable: true });
 *   return Promise.resolve("stored");
 * }, { initialDelayMs: 1 });
 * // value === "stored", calls === 3
 * ```
 */
export async function retry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const o = { ...RETRY_DEFAULTS, retriable: isRetriable, ...options };
  let delay = o.initialDelayMs;
  let failingSince: number | undefined;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!o.retriable(error) || attempt >= o.maxTries || o.signal?.aborted) throw error;
      failingSince ??= performance.now();
      const elapsed = performance.now() - failingSince;
      if (elapsed >= o.maxElapsedMs) throw o.onGiveUp ? o.onGiveUp(error, elapsed) : error;
      o.onRetry?.(error, attempt, delay);
      await waitBeating(delay, o);
      if (o.signal?.aborted) throw error;
      delay = Math.min(delay * o.factor, o.maxDelayMs);
    }
  }
}

/** Waits `ms`, calling `beat` at least every `beatEveryMs`, until done or aborted. */
async function waitBeating(
  ms: number,
  o: Pick<RetryOptions, "beat" | "signal"> & { beatEveryMs: number },
): Promise<void> {
  const until = performance.now() + ms;
  for (let left = ms; left > 0 && !o.signal?.aborted; left = until - performance.now()) {
    await sleep(Math.min(left, o.beatEveryMs), o.signal);
    if (o.beat && !o.signal?.aborted) await o.beat().catch(() => {});
  }
}
