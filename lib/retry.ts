/**
 * Retrying lake calls with backoff: only errors flagged `retriable` (Azurite stopped, network
 * down, HTTP 5xx/408/429) are retried; anything else is thrown at once. While waiting, a `beat`
 * callback keeps the caller alive elsewhere (the sink heartbeats its consumer group), and an
 * abort signal ends the wait.
 *
 * @module
 */
import { WorkspaceError } from "./errors.ts";

/** Options of {@linkcode retryLake}. */
export interface RetryOptions {
  /** First wait after a failure, ms. @default 200 */
  initialDelayMs?: number;
  /** Longest wait between tries, ms. @default 5000 */
  maxDelayMs?: number;
  /** Growth of the wait per failure. @default 2 */
  factor?: number;
  /** Tries in all, `Infinity` to retry until it works or the signal aborts. @default Infinity */
  maxTries?: number;
  /** Called while waiting, at least every `beatEveryMs` (e.g. a consumer heartbeat). */
  beat?: () => Promise<void>;
  /** @default 1000 */
  beatEveryMs?: number;
  /** Called after each retriable failure, before the wait. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Ends the retries: the wait resolves early and the last error is thrown. */
  signal?: AbortSignal;
}

/** The retry defaults, in one place (tests shorten them). */
export const RETRY_DEFAULTS = {
  initialDelayMs: 200,
  maxDelayMs: 5000,
  factor: 2,
  maxTries: Infinity,
  beatEveryMs: 1000,
} as const;

/** Whether an error may go away by trying again. */
export function isRetriable(error: unknown): boolean {
  return error instanceof WorkspaceError && error.retriable;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, retrying retriable errors with exponential backoff.
 *
 * @example
 * ```ts
 * import { LakeError } from "./errors.ts";
 * import { retryLake } from "./retry.ts";
 * let calls = 0;
 * const value = await retryLake(() => {
 *   if (++calls < 3) throw new LakeError("Azurite away", { retriable: true });
 *   return Promise.resolve("stored");
 * }, { initialDelayMs: 1 });
 * // value === "stored", calls === 3
 * ```
 */
export async function retryLake<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const o = { ...RETRY_DEFAULTS, ...options };
  let delay = o.initialDelayMs;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isRetriable(error) || attempt >= o.maxTries || o.signal?.aborted) throw error;
      o.onRetry?.(error, attempt, delay);
      const until = performance.now() + delay;
      for (let left = delay; left > 0 && !o.signal?.aborted; left = until - performance.now()) {
        await wait(Math.min(left, o.beatEveryMs), o.signal);
        if (o.beat && !o.signal?.aborted) await o.beat().catch(() => {});
      }
      if (o.signal?.aborted) throw error;
      delay = Math.min(delay * o.factor, o.maxDelayMs);
    }
  }
}
