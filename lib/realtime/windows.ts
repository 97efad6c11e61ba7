/**
 * Event-time windows: tumbling (fixed, non-overlapping) and sliding (fixed size, advancing by a
 * slide), aligned on the Unix epoch so that every process agrees on the boundaries.
 *
 * A window is the half-open interval `[start, start + size)`: an event at exactly
 * `10:01:00.000` belongs to `[10:01, 10:02)`, never to `[10:00, 10:01)`.
 *
 * @module
 */

/** The start (epoch ms) of the tumbling window of `size` ms holding event time `t`. */
export function tumblingWindow(t: number, size: number): number {
  return Math.floor(t / size) * size;
}

/**
 * The starts (epoch ms, ascending) of every sliding window of `size` ms, advancing by `slide`
 * ms, that holds event time `t`: `size / slide` windows when `slide` divides `size`.
 *
 * @example
 * ```ts
 * import { slidingWindows } from "./windows.ts";
 * slidingWindows(150_000, 180_000, 60_000); // [0, 60000, 120000]
 * ```
 */
export function slidingWindows(t: number, size: number, slide: number): number[] {
  const starts: number[] = [];
  const last = Math.floor(t / slide) * slide;
  for (let start = last; start > t - size; start -= slide) starts.unshift(start);
  return starts;
}

/**
 * Per-window state that closes (finalizes) windows once the watermark has passed their end:
 * no event accepted afterwards can fall into them (see `watermark.ts`), so their state can be
 * reduced to its final value and the working memory freed. Final values can then be dropped
 * too ({@linkcode WindowStore.drop}), which bounds a long run's memory.
 *
 * @example
 * ```ts
 * import { WindowStore } from "./windows.ts";
 * const users = new WindowStore<Set<string>, number>(60_000, () => new Set(), (s) => s.size);
 * users.at(61_000).add("u1");
 * users.close(120_000);
 * [...users.entries()]; // [[60000, 1]]
 * ```
 */
export class WindowStore<S, F> {
  /** Window length in ms. */
  readonly size: number;
  readonly #open = new Map<number, S>();
  readonly #closed = new Map<number, F>();
  readonly #create: () => S;
  readonly #finish: (state: S) => F;
  /** The window `at` returned last: most events fall in the same window as the one before. */
  #lastStart = NaN;
  #lastState: S | undefined;

  constructor(size: number, create: () => S, finish: (state: S) => F) {
    this.size = size;
    this.#create = create;
    this.#finish = finish;
  }

  /** The open state of the window starting at `start`, created on first use. */
  at(start: number): S {
    if (start === this.#lastStart) return this.#lastState!;
    let state = this.#open.get(start);
    if (state === undefined) {
      state = this.#create();
      this.#open.set(start, state);
    }
    this.#lastStart = start;
    this.#lastState = state;
    return state;
  }

  /** Finalizes every open window whose end is at or before `watermark`. */
  close(watermark: number): void {
    for (const [start, state] of this.#open) {
      if (start + this.size <= watermark) {
        this.#closed.set(start, this.#finish(state));
        this.#open.delete(start);
        if (start === this.#lastStart) this.#lastStart = NaN;
      }
    }
  }

  /** Forgets the final values of closed windows that end at or before `cutoff`. */
  drop(cutoff: number): void {
    for (const start of this.#closed.keys()) {
      if (start + this.size <= cutoff) this.#closed.delete(start);
    }
  }

  /** Number of final values kept. */
  get closedCount(): number {
    return this.#closed.size;
  }

  /** Number of windows still open. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Every window with its final (or current) value, by ascending start. */
  entries(): Array<[number, F]> {
    const all: Array<[number, F]> = [...this.#closed];
    for (const [start, state] of this.#open) all.push([start, this.#finish(state)]);
    return all.sort((a, b) => a[0] - b[0]);
  }
}
