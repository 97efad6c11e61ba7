/**
 * The simulation's timeline: pending records ordered by (time, scheduling order). Ties keep
 * scheduling order, so runs are deterministic.
 *
 * Two binary heaps: most records (a session's clicks) fall due within minutes, while deliveries
 * wait hours or days. Keeping the far ones apart keeps the busy heap small and cache-resident,
 * which halves the cost of the timeline at a million records.
 *
 * @module
 */

import type { Scheduled } from "./world.ts";

/** Records due further than this (ms) beyond the last popped time go to the far heap. */
const HORIZON = 15 * 60 * 1000;

function before(x: Scheduled, y: Scheduled): boolean {
  return x.t < y.t || (x.t === y.t && x.seq < y.seq);
}

class Heap {
  readonly items: Scheduled[] = [];

  push(item: Scheduled): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (!before(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Scheduled | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const n = items.length;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r], items[l]) ? r : l;
      if (!before(items[c], last)) break;
      items[i] = items[c];
      i = c;
    }
    items[i] = last;
    return top;
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
    const a = this.#near.items[0], b = this.#far.items[0];
    if (a === undefined) return b;
    if (b === undefined) return a;
    return before(b, a) ? b : a;
  }

  /** Adds a record. */
  push(item: Scheduled): void {
    if (item.t - this.#now > HORIZON) this.#far.push(item);
    else this.#near.push(item);
  }

  /** Removes and returns the earliest record. */
  pop(): Scheduled | undefined {
    const a = this.#near.items[0], b = this.#far.items[0];
    const item = a === undefined || (b !== undefined && before(b, a))
      ? this.#far.pop()
      : this.#near.pop();
    if (item !== undefined) this.#now = item.t;
    return item;
  }
}
