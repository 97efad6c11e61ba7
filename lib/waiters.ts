/**
 * Waiting for a condition another callback changes: {@linkcode Waiters}. The threads that hand
 * work to a worker (the producer's, the replay's aggregator) wait while too many batches are in
 * flight, and wake when the worker answers or fails.
 *
 * @module
 */

/**
 * Callers wait while a condition holds; whoever may have changed it calls {@linkcode wake}, and
 * each waiter checks its condition again.
 *
 * @example
 * ```ts
 * import { Waiters } from "./waiters.ts";
 * const waiters = new Waiters();
 * let inFlight = 3;
 * const below = waiters.until(() => inFlight < 3);
 * inFlight--;
 * waiters.wake();
 * await below; // resolved: 2 in flight
 * ```
 */
export class Waiters {
  #waiting: Array<() => void> = [];

  /** Resolves once `done()` holds, checked now and after each {@linkcode wake}. */
  async until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Lets every waiter check its condition again. */
  wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}
