/**
 * Keys filed under a time, so that a tick finds the ones a horizon has passed without visiting
 * every key it holds.
 *
 * The metrics keep state per session (its last click) and per open order (its earliest delivery
 * event) and forget it once the watermark's horizon passes that time. Scanning every entry on
 * every tick made a replay of a day quadratic: 1,440 ticks × every open order. Here each key is
 * filed in a bucket of its time's `width`; a key whose time moves to another bucket is filed
 * again (its old filing goes stale), and {@linkcode TimeIndex.sweep} visits only the buckets
 * at or before the horizon's. The visitor decides from the key's current state and answers with
 * the key's time if it stays, so stale filings and keys already gone cost one look-up each and
 * change nothing.
 *
 * @module
 */

/**
 * Keys by a movable time, in buckets of `width` ms.
 *
 * @example
 * ```ts
 * import { TimeIndex } from "./time_index.ts";
 * const last = new Map([["s1", 1_000], ["s2", 90_000]]);
 * const index = new TimeIndex(60_000);
 * for (const [id, t] of last) index.file(id, t);
 * index.sweep(61_000, (id) => {
 *   const t = last.get(id);
 *   if (t === undefined || t >= 61_000) return t;
 *   last.delete(id);
 * });
 * [...last.keys()]; // ["s2"]
 * ```
 */
export class TimeIndex {
  readonly #width: number;
  readonly #buckets = new Map<number, string[]>();
  /** No bucket below this one holds keys. */
  #first = Infinity;

  constructor(width: number) {
    if (!(width > 0)) throw new RangeError(`TimeIndex width must be > 0 (got ${width})`);
    this.#width = width;
  }

  /**
   * Files `key` under time `t` unless it is filed in `t`'s bucket already (`filed`, the bucket
   * this returned when it was filed last); returns `t`'s bucket, for the caller to keep.
   */
  file(key: string, t: number, filed = NaN): number {
    const b = Math.floor(t / this.#width);
    if (b === filed) return b;
    let list = this.#buckets.get(b);
    if (list === undefined) this.#buckets.set(b, list = []);
    list.push(key);
    if (b < this.#first) this.#first = b;
    return b;
  }

  /**
   * Calls `visit` for every filing in a bucket at or before `horizon`'s: every key whose time
   * (as last filed) is below `horizon` is among them, with stale filings and some later keys of
   * the horizon's own bucket. `visit` forgets what the horizon passed and returns the time of a
   * key that stays (undefined for one gone). Buckets wholly before `horizon` are dropped; the
   * horizon's bucket keeps the filings of keys that stay with their time in it.
   */
  sweep(horizon: number, visit: (key: string) => number | undefined): void {
    if (!(horizon > -Infinity) || this.#first === Infinity) return;
    const partial = Math.floor(horizon / this.#width);
    if (this.#first < partial) {
      const drop = (b: number, list: string[]) => {
        this.#buckets.delete(b);
        for (const key of list) visit(key);
      };
      if (partial - this.#first <= this.#buckets.size) {
        for (let b = this.#first; b < partial; b++) {
          const list = this.#buckets.get(b);
          if (list !== undefined) drop(b, list);
        }
      } else {
        // A wide gap (a key far in the past): the buckets themselves are fewer than the steps.
        for (const [b, list] of [...this.#buckets]) if (b < partial) drop(b, list);
      }
      this.#first = partial;
    }
    const list = this.#buckets.get(partial);
    if (list === undefined) return;
    let kept = 0;
    for (const key of list) {
      const t = visit(key);
      if (t !== undefined && Math.floor(t / this.#width) === partial) list[kept++] = key;
    }
    if (kept === 0) this.#buckets.delete(partial);
    else list.length = kept;
  }

  /** Filings held, stale ones included (for tests and memory figures). */
  get filings(): number {
    let n = 0;
    for (const list of this.#buckets.values()) n += list.length;
    return n;
  }
}
