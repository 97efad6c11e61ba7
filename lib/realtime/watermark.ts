/**
 * The watermark: how far event time has certainly progressed.
 *
 * Events come from *sources* (Kafka partitions: each is read in order, while the consumer
 * interleaves partitions as the broker answers). Each source's max event time is tracked, and
 *
 * `watermark = min over sources (max event time seen in that source) − allowed lateness`.
 *
 * An event whose time is strictly before the watermark is *late beyond the allowed lateness*: it
 * is counted and reported, never added to any metric. An event at or after the watermark is
 * accepted, however out of order it arrives. Only accepted events move the watermark, and it
 * never moves back, so windows ending at or before it are final.
 *
 * Taking the minimum over sources is what makes a replay correct: a consumer may read a whole
 * partition's backlog before the next one, and with one global max the other partitions' events
 * would all look late. Sources announced up front (`expect`) hold the watermark at `-Infinity`
 * until each has delivered an event; a source that goes quiet holds it back too (windows then
 * stay open longer; nothing is dropped), until it is marked *idle* (`setIdle`: the consumer does
 * so for a partition read to its end that stayed quiet for a while). An idle source no longer
 * counts in the minimum; its next event makes it active again, and, as for a source first seen
 * after the watermark has moved, the watermark does not move back: its events before the
 * watermark are late. Once every source is idle (all caught up, nothing new), the watermark is
 * the latest of their max event times − lateness, so the last windows close too. Without
 * sources, there is one implicit source and the watermark is simply max event time − lateness.
 *
 * @module
 */

/**
 * Tracks each source's max event time and the watermark they imply.
 *
 * @example
 * ```ts
 * import { Watermark } from "./watermark.ts";
 * const w = new Watermark(5 * 60_000);
 * w.observe(Date.parse("2026-11-26T10:10:00Z"));
 * w.isLate(Date.parse("2026-11-26T10:05:00Z")); // false: exactly at the watermark
 * w.isLate(Date.parse("2026-11-26T10:04:59.999Z")); // true
 * ```
 */
export class Watermark {
  /** Allowed lateness in ms. */
  readonly lateness: number;
  readonly #max = new Map<string, number>();
  readonly #idle = new Set<string>();
  #min = -Infinity;
  #global = -Infinity;

  constructor(lateness: number) {
    this.lateness = lateness;
  }

  /** Announces sources that will deliver events: the watermark waits for each of them. */
  expect(sources: Iterable<string>): void {
    for (const s of sources) if (!this.#max.has(s)) this.#max.set(s, -Infinity);
    this.#recompute();
  }

  /** The largest event time observed over all sources (epoch ms), `-Infinity` before any. */
  get maxEventTime(): number {
    return this.#global;
  }

  /** The watermark (epoch ms), `-Infinity` until every known source has an event. */
  get value(): number {
    return this.#min - this.lateness;
  }

  /** Whether an event at `t` is late beyond the allowed lateness (strictly before the watermark). */
  isLate(t: number): boolean {
    return t < this.#min - this.lateness;
  }

  /** Takes an accepted event's time (from `source`) into account. */
  observe(t: number, source = ""): void {
    if (t > this.#global) this.#global = t;
    if (this.#idle.size > 0) this.#idle.delete(source);
    const old = this.#max.get(source);
    if (old !== undefined && t <= old) return;
    this.#max.set(source, t);
    // Only a source at or below the minimum can move it (one first seen late, or active again
    // after being idle, sits below it until it catches up).
    if (old === undefined || old <= this.#min) this.#recompute();
  }

  /**
   * Marks a known source idle (left out of the minimum until its next event) and returns
   * whether the watermark moved.
   */
  setIdle(source: string): boolean {
    if (!this.#max.has(source) || this.#idle.has(source)) return false;
    this.#idle.add(source);
    const before = this.#min;
    this.#recompute();
    return this.#min !== before;
  }

  /** Sources marked idle and not heard from since. */
  get idle(): ReadonlySet<string> {
    return this.#idle;
  }

  #recompute(): void {
    let min = Infinity;
    let max = -Infinity;
    for (const [source, m] of this.#max) {
      if (this.#idle.has(source)) {
        if (m > max) max = m;
      } else if (m < min) min = m;
    }
    // Every source idle: everything sent has been read, so the latest source's time holds.
    if (min === Infinity && max > -Infinity) min = max;
    // A source first seen late (not announced) must not move the watermark back: windows it
    // passed are final.
    if (min !== Infinity && min > this.#min) this.#min = min;
  }
}
