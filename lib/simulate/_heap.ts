/**
 * The simulation's timeline: pending records ordered by (time, scheduling order). Ties keep
 * scheduling order, so runs are deterministic.
 *
 * Two heaps: most records (a session's clicks) fall due within minutes, while deliveries
 * wait hours or days. Keeping the far ones apart keeps the busy heap small and cache-resident,
 * which halves the cost of the timeline at a million records.
 *
 * Each heap keeps its sort keys (time, scheduling order) in a typed array beside the records:
 * a sift compares keys dozens of times, and contiguous memory is far cheaper to read than
 * records scattered over the garbage-collected heap.
 *
 * @module
 */

import type { Scheduled } from "./world.ts";

/** Records due further than this (ms) beyond the last popped time go to the far heap. */
const HORIZON = 15 * 60 * 1000;

/**
 * A 4-ary min-heap of records. A pop walks half as many levels as in a binary heap, and the
 * keys of a node's four children sit side by side (64 bytes, one or two cache lines).
 */
class Heap {
  /** The records, in heap order. */
  readonly items: Scheduled[] = [];
  /** Keys of items[i]: event time at 2i, scheduling order at 2i + 1. */
  #keys = new Float64Array(2048);

  push(item: Scheduled): void {
    const items = this.items;
    let i = items.length;
    if (2 * i === this.#keys.length) this.#grow();
    const keys = this.#keys;
    const t = item.t, seq = item.seq;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = keys[2 * parent];
      if (t > pt || (t === pt && seq > keys[2 * parent + 1])) break;
      items[i] = items[parent];
      keys[2 * i] = pt;
      keys[2 * i + 1] = keys[2 * parent + 1];
      i = parent;
    }
    items[i] = item;
    keys[2 * i] = t;
    keys[2 * i + 1] = seq;
  }

  pop(): Scheduled | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
    if (n === 0 || last === undefined) return top;
    const keys = this.#keys;
    const t = keys[2 * n], seq = keys[2 * n + 1];
    let i = 0;
    while (true) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // The smallest of up to four children.
      let c = first, ct = keys[2 * first], cs = keys[2 * first + 1];
      const end = Math.min(first + 4, n);
      for (let j = first + 1; j < end; j++) {
        const jt = keys[2 * j];
        if (jt < ct || (jt === ct && keys[2 * j + 1] < cs)) c = j, ct = jt, cs = keys[2 * j + 1];
      }
      if (ct > t || (ct === t && cs > seq)) break;
      items[i] = items[c];
      keys[2 * i] = ct;
      keys[2 * i + 1] = cs;
      i = c;
    }
    items[i] = last;
    keys[2 * i] = t;
    keys[2 * i + 1] = seq;
    return top;
  }

  /** The top's event time (only when not empty). */
  get topT(): number {
    return this.#keys[0];
  }

  /** The top's scheduling order (only when not empty). */
  get topSeq(): number {
    return this.#keys[1];
  }

  #grow(): void {
    const keys = new Float64Array(this.#keys.length * 2);
    keys.set(this.#keys);
    this.#keys = keys;
  }
}

/** The timeline of pending records. */
export class Timeline {
  readonly #near = new Heap();
  readonly #far = new Heap();
  #now = -Infinity;

  /** Number of pending records. */
  get size(): number {
    return this.#near.items.length + this.#far.items.length;
  }

  /** The earliest pending record (undefined when empty). */
  peek(): Scheduled | undefined {
    const near = this.#near, far = this.#far;
    if (near.items.length === 0) return far.items[0];
    if (far.items.length === 0) return near.items[0];
    return this.#farFirst() ? far.items[0] : near.items[0];
  }

  /** Adds a record. */
  push(item: Scheduled): void {
    if (item.t - this.#now > HORIZON) this.#far.push(item);
    else this.#near.push(item);
  }

  /** Removes and returns the earliest record. */
  pop(): Scheduled | undefined {
    const near = this.#near, far = this.#far;
    const item = near.items.length === 0 || (far.items.length > 0 && this.#farFirst())
      ? far.pop()
      : near.pop();
    if (item !== undefined) this.#now = item.t;
    return item;
  }

  /** Whether the far heap's top comes before the near heap's (both non-empty). */
  #farFirst(): boolean {
    const a = this.#near.topT, b = this.#far.topT;
    return b < a || (b === a && this.#far.topSeq < this.#near.topSeq);
  }
}
