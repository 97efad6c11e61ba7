/**
 * De-duplication by `event_id` in bounded memory.
 *
 * Ids are remembered with their event time's bucket (event time in buckets of `bucket` ms); once
 * the watermark passes a bucket's end, its ids are forgotten. That is safe: a copy of a forgotten
 * event carries the same timestamp, which is then before the watermark, so the copy is rejected
 * as late instead (counted as late, not as a duplicate, and never added twice). Memory is
 * therefore bounded by the number of events within the allowed lateness (plus one bucket).
 *
 * The ids live in an open-addressing hash table of typed arrays (a 32-bit hash of the id and its
 * bucket per slot, the id itself beside them to confirm a match): one probe, usually one cache
 * line, per new id, where a `Set` of a replay's hundreds of thousands of strings missed the
 * cache several times. Forgetting a bucket touches no slot: a slot whose bucket the watermark
 * passed counts as free (a tombstone: lookups go on past it, an insert takes it), and the table
 * is rebuilt from its live ids once half its slots have been used.
 *
 * @module
 */

/** Options of {@linkcode Deduper}. */
export interface DeduperOptions {
  /** Width of the event-time buckets ids are forgotten by, in ms. @default 60000 */
  bucket?: number;
}

/** A never-used slot's bucket. */
const EMPTY = -Infinity;
const MIN_CAPACITY = 1024;

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
  /** Buckets below this one are forgotten (the watermark only grows). */
  #minLive = -Infinity;
  #mask = 0;
  #hashes = new Int32Array(0);
  /** Each slot's bucket; `EMPTY` for a slot never used since the last rebuild. */
  #buckets = new Float64Array(0);
  #ids: (string | undefined)[] = [];
  /** Slots used since the last rebuild (live ids and tombstones). */
  #used = 0;
  #size = 0;
  /** Live ids per bucket (the one being filled is counted in `#current` until it changes). */
  readonly #counts = new Map<number, number>();
  #currentBucket = NaN;
  #current = 0;

  constructor(options: DeduperOptions = {}) {
    this.#bucket = options.bucket ?? 60_000;
    this.#allocate(MIN_CAPACITY);
  }

  /**
   * Records `id` (event time `t`); returns false when it was already seen (a duplicate). An id
   * whose bucket the watermark has already passed is not remembered (a copy would be late).
   */
  firstSeen(id: string, t: number): boolean {
    const h = hashOf(id);
    const mask = this.#mask, hashes = this.#hashes, buckets = this.#buckets;
    const minLive = this.#minLive;
    let slot = h & mask;
    let free = -1;
    for (;;) {
      const b = buckets[slot];
      if (b === EMPTY) break;
      if (b < minLive) {
        if (free < 0) free = slot;
      } else if (hashes[slot] === h && this.#ids[slot] === id) return false;
      slot = (slot + 1) & mask;
    }
    const bucket = Math.floor(t / this.#bucket);
    if (bucket < minLive) return true;
    if (free < 0) {
      free = slot;
      this.#used++;
    }
    hashes[free] = h;
    buckets[free] = bucket;
    this.#ids[free] = id;
    this.#size++;
    if (bucket !== this.#currentBucket) {
      this.#flushCount();
      this.#currentBucket = bucket;
      this.#current = this.#counts.get(bucket) ?? 0;
    }
    this.#current++;
    if (2 * this.#used > mask) this.#rebuild();
    return true;
  }

  /** Forgets the ids of every bucket that ends at or before `watermark`. */
  forgetBefore(watermark: number): void {
    const min = Math.floor(watermark / this.#bucket);
    if (!(min > this.#minLive)) return;
    this.#minLive = min;
    this.#flushCount();
    this.#currentBucket = NaN;
    for (const [b, n] of this.#counts) {
      if (b < min) {
        this.#size -= n;
        this.#counts.delete(b);
      }
    }
    // Mostly forgotten: a smaller table (the live ids rehashed) keeps probes in the cache. Well
    // below the size a rebuild makes (a quarter full), so a size that swings does not rebuild
    // the table back and forth.
    if (32 * this.#size < this.#mask && this.#mask >= 2 * MIN_CAPACITY) this.#rebuild();
  }

  /** Number of ids currently remembered. */
  get size(): number {
    return this.#size;
  }

  #flushCount() {
    if (!Number.isNaN(this.#currentBucket)) {
      this.#counts.set(this.#currentBucket, this.#current);
    }
  }

  #allocate(capacity: number) {
    this.#mask = capacity - 1;
    this.#hashes = new Int32Array(capacity);
    this.#buckets = new Float64Array(capacity).fill(EMPTY);
    // Pushed, not `new Array(capacity)`: a large array made that way holds its elements in a
    // dictionary, slow to store into.
    const ids: (string | undefined)[] = [];
    for (let i = 0; i < capacity; i++) ids.push(undefined);
    this.#ids = ids;
    this.#used = 0;
  }

  /** A table for the live ids at a quarter of its capacity, tombstones dropped. */
  #rebuild() {
    const hashes = this.#hashes, buckets = this.#buckets, ids = this.#ids;
    const minLive = this.#minLive;
    let capacity = MIN_CAPACITY;
    while (capacity < 4 * this.#size) capacity *= 2;
    this.#allocate(capacity);
    const mask = this.#mask;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i];
      if (b === EMPTY || b < minLive) continue;
      let slot = hashes[i] & mask;
      while (this.#buckets[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.#hashes[slot] = hashes[i];
      this.#buckets[slot] = b;
      this.#ids[slot] = ids[i];
      this.#used++;
    }
  }
}

/** FNV-1a over the UTF-16 code units, then murmur3's finalizer (spreads the low bits). */
function hashOf(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
