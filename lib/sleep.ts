/**
 * The workspace's one pause: {@linkcode sleep}. Every wait between polls, retries and restarts
 * goes through it, so an abort signal ends any of them at once.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds, or as soon as `signal` aborts (never rejects: the caller
 * checks `signal.aborted` if it cares why it woke up).
 *
 * @example
 * ```ts
 * import { sleep } from "./sleep.ts";
 * const controller = new AbortController();
 * controller.abort();
 * await sleep(60_000, controller.signal); // returns at once
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
