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
 * stay open longer; nothing is dropped). A source first seen after the watermark has moved does
 * not move it back: its events before the watermark are late. Without sources, there is one
 * implicit source and the watermark is simply max event time − lateness.
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
    const old = this.#max.get(source);
    if (old !== undefined && t <= old) return;
    this.#max.set(source, t);
    if (old === undefined || old === this.#min) this.#recompute();
  }

  #recompute(): void {
    let min = Infinity;
    for (const m of this.#max.values()) if (m < min) min = m;
    // A source first seen late (not announced) must not move the watermark back: windows it
    // passed are final.
    if (min !== Infinity && min > this.#min) this.#min = min;
  }
}
