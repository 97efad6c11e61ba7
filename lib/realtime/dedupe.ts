/**
 * De-duplication by `event_id` in bounded memory.
 *
 * Ids are remembered with their event time in buckets of event time; once the watermark passes a
 * bucket's end, its ids are forgotten. That is safe: a copy of a forgotten event carries the same
 * timestamp, which is then before the watermark, so the copy is rejected as late instead (counted
 * as late, not as a duplicate, and never added twice). Memory is therefore bounded by the number
 * of events within the allowed lateness (plus one bucket).
 *
 * @module
 */

/** Options of {@linkcode Deduper}. */
export interface DeduperOptions {
  /** Width of the event-time buckets ids are forgotten by, in ms. @default 60000 */
  bucket?: number;
}

/**
 * Remembers event ids until the watermark passes them.
 *
 * @example
 * ```ts
 * import { Deduper } from "./dedupe.ts";
 * const d = new Deduper();
 * d.firstSeen("a", 1_000); // true
 * d.firstSeen("a", 1_000); // false: a duplicate
 * d.forgetBefore(120_000);
 * d.size; // 0
 * ```
 */
export class Deduper {
  readonly #bucket: number;
  readonly #ids = new Set<string>();
  readonly #buckets = new Map<number, string[]>();
  /** The bucket `firstSeen` added to last: events come mostly in time order. */
  #lastBucket = NaN;
  #lastList: string[] = [];

  constructor(options: DeduperOptions = {}) {
    this.#bucket = options.bucket ?? 60_000;
  }

  /** Records `id` (event time `t`); returns false when it was already seen (a duplicate). */
  firstSeen(id: string, t: number): boolean {
    const ids = this.#ids;
    const size = ids.size;
    ids.add(id); // one lookup, not has() then add(): an id already there leaves the size as is
    if (ids.size === size) return false;
    const b = Math.floor(t / this.#bucket);
    if (b !== this.#lastBucket) {
      let list = this.#buckets.get(b);
      if (list === undefined) this.#buckets.set(b, list = []);
      this.#lastBucket = b;
      this.#lastList = list;
    }
    this.#lastList.push(id);
    return true;
  }

  /** Forgets the ids of every bucket that ends at or before `watermark`. */
  forgetBefore(watermark: number): void {
    const size = this.#bucket;
    for (const [b, list] of this.#buckets) {
      if ((b + 1) * size <= watermark) {
        for (const id of list) this.#ids.delete(id);
        this.#buckets.delete(b);
        if (b === this.#lastBucket) this.#lastBucket = NaN;
      }
    }
  }

  /** Number of ids currently remembered. */
  get size(): number {
    return this.#ids.size;
  }
}
