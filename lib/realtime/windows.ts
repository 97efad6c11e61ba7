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
 * The rows a snapshot shows for a {@linkcode WindowStore}'s closed windows, rendered once: a
 * closed window's value never changes, so later snapshots reuse its rows instead of rendering
 * thousands of old windows again (the latency of a snapshot per consumed batch).
 */
export class RowCache<R> {
  /** Rows of the first `windows` closed windows, by ascending start (frozen: shared). */
  rows: R[] = [];
  /** Closed windows rendered into `rows`. */
  windows = 0;
  /** The store's drop count when rendered: a drop shifts its closed windows, so all go. */
  drops = -1;
  /** What else the rendering depended on (a flag): another tag renders all again. */
  tag: unknown = undefined;
}

/**
 * Per-window state that closes (finalizes) windows once the watermark has passed their end:
 * no event accepted afterwards can fall into them (see `watermark.ts`), so their state can be
 * reduced to its final value and the working memory freed. Final values can then be dropped
 * too ({@linkcode WindowStore.drop}), which bounds a long run's memory.
 *
 * Every closed window starts before every open one (a closed window ended at or before a
 * watermark; an accepted event is at or after it, and so is the end of its window), and windows
 * close in batches of later starts: the closed ones are kept in start order without sorting them
 * all again.
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
  /** Closed windows' starts, ascending, and their final values. */
  readonly #closedStarts: number[] = [];
  readonly #closedValues: F[] = [];
  /** How many times `drop` forgot windows. */
  #drops = 0;
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
    const closing: number[] = [];
    for (const start of this.#open.keys()) {
      if (start + this.size <= watermark) closing.push(start);
    }
    // Windows opened out of order (events within the lateness) close in start order too.
    closing.sort((a, b) => a - b);
    for (const start of closing) {
      this.#closedStarts.push(start);
      this.#closedValues.push(this.#finish(this.#open.get(start)!));
      this.#open.delete(start);
      if (start === this.#lastStart) this.#lastStart = NaN;
    }
  }

  /** Forgets the final values of closed windows that end at or before `cutoff`. */
  drop(cutoff: number): void {
    let n = 0;
    while (n < this.#closedStarts.length && this.#closedStarts[n] + this.size <= cutoff) n++;
    if (n === 0) return;
    this.#closedStarts.splice(0, n);
    this.#closedValues.splice(0, n);
    this.#drops++;
  }

  /** Number of final values kept. */
  get closedCount(): number {
    return this.#closedStarts.length;
  }

  /** Number of windows still open. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Every window with its final (or current) value, by ascending start. */
  entries(): Array<[number, F]> {
    const all: Array<[number, F]> = this.#closedStarts.map((s, i) => [s, this.#closedValues[i]]);
    return all.concat(this.#openEntries());
  }

  #openEntries(): Array<[number, F]> {
    const open: Array<[number, F]> = [];
    for (const [start, state] of this.#open) open.push([start, this.#finish(state)]);
    return open.sort((a, b) => a[0] - b[0]);
  }

  /**
   * The rows `render` makes of every window, by ascending start: those of closed windows kept in
   * `cache` (rendered once, frozen), those of open windows rendered on each call. `tag` is what
   * else `render` depends on; a new one renders every window again.
   */
  rows<R extends object>(
    cache: RowCache<R>,
    render: (start: number, value: F) => R[],
    tag?: unknown,
  ): R[] {
    if (cache.drops !== this.#drops || cache.tag !== tag) {
      cache.rows = [];
      cache.windows = 0;
      cache.drops = this.#drops;
      cache.tag = tag;
    }
    for (; cache.windows < this.#closedStarts.length; cache.windows++) {
      const i = cache.windows;
      for (const row of render(this.#closedStarts[i], this.#closedValues[i])) {
        cache.rows.push(Object.freeze(row));
      }
    }
    const rows = cache.rows.slice();
    for (const [start, value] of this.#openEntries()) rows.push(...render(start, value));
    return rows;
  }
}
