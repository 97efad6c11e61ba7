/**
 * The order a bounded replay (`once` with `fromBeginning`) hands records to the aggregator in:
 * each partition in offset order, partitions merged by record timestamp (the Kafka timestamp:
 * for our producer the event time, for others the time they sent it), ties broken by the
 * partitions' order in the plan (topic order, then partition number). It depends on the log
 * only, not on how the broker's fetches interleave the partitions: two replays of the same
 * records give the same snapshot, down to which records count as late (without it, a replay's
 * late records depended on which partition's fetch came first).
 *
 * Records fetched ahead wait in memory until every partition still being read has a record
 * buffered (its next record could come first); a partition with more than
 * {@linkcode PAUSE_ABOVE} records waiting is paused, and resumed once half of them went. Records
 * still waiting after a {@linkcode ReplayMerge.drain} keep a copy of their value only, not the
 * fetch response their value is a slice of (which holds every partition's records).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { FastRecord, timestampOf as recordTime } from "../kafka/mod.ts";
import type { Topic } from "../schema/events.ts";

/** Records a partition may have waiting before it is paused. */
export const PAUSE_ABOVE = 2_000;

/** What the merge needs of a record (a kafkajs message has these fields). */
export interface MergeRecord {
  offset: string;
  timestamp: string;
  value: Buffer | null;
}

/** One partition of a replay, in the plan's order. */
export interface MergePartition {
  /** `<full topic name>/<partition>`. */
  key: string;
  /** Base topic name. */
  topic: Topic;
  /** The watermark source (`<base topic>/<partition>`). */
  source: string;
  partition: number;
}

/** What the merge tells its owner. */
export interface MergeHandlers {
  /** Hands one record on, in the merged order, with its timestamp as the merge read it (ms). */
  emit(part: MergePartition, message: MergeRecord, timestamp: number): void;
  /** Too many records of a partition wait (`true`: pause fetching it) or few again (`false`). */
  pause?(part: MergePartition, paused: boolean): void;
}

interface Part extends MergePartition {
  /** Its place in the plan (the tie-break). */
  index: number;
  /** More records may come (not read to its end yet). */
  open: boolean;
  /** Waiting records, batch by batch; the next one is `chunks[0][head]`. */
  chunks: MergeRecord[][];
  head: number;
  /** The last `fresh` chunks are the fetched messages themselves (not detached yet). */
  fresh: number;
  waiting: number;
  /** The next record's timestamp (while `waiting > 0`). */
  ts: number;
  paused: boolean;
}

/** A k-way merge of partitions by record timestamp (see the module doc). */
export class ReplayMerge {
  readonly #parts = new Map<string, Part>();
  readonly #handlers: MergeHandlers;
  /** Partitions with records waiting, a binary min-heap on (ts, index). */
  readonly #heap: Part[] = [];
  /** Open partitions with nothing waiting: until each has a record, nothing can go. */
  #starved: number;

  /** `partitions`: every partition the run reads, in the plan's order. */
  constructor(partitions: readonly MergePartition[], handlers: MergeHandlers) {
    this.#handlers = handlers;
    partitions.forEach((p, index) => {
      this.#parts.set(p.key, {
        ...p,
        index,
        open: true,
        chunks: [],
        head: 0,
        fresh: 0,
        waiting: 0,
        ts: 0,
        paused: false,
      });
    });
    this.#starved = partitions.length;
  }

  /** Records waiting, in all partitions. */
  get waiting(): number {
    let n = 0;
    for (const p of this.#heap) n += p.waiting;
    return n;
  }

  /** Adds records of partition `key` that follow the ones added before, in offset order. */
  add(key: string, messages: MergeRecord[]): void {
    const p = this.#parts.get(key);
    if (!p || messages.length === 0) return;
    p.chunks.push(messages);
    p.fresh++;
    if (p.waiting === 0) {
      p.head = 0;
      p.ts = timestampOf(messages[0]);
      if (p.open) this.#starved--;
      this.#push(p);
    }
    p.waiting += messages.length;
    if (!p.paused && p.waiting > PAUSE_ABOVE) {
      p.paused = true;
      this.#handlers.pause?.(p, true);
    }
  }

  /** Partition `key` was read to its end: no record of it will come any more. */
  close(key: string): void {
    const p = this.#parts.get(key);
    if (!p || !p.open) return;
    p.open = false;
    if (p.waiting === 0) this.#starved--;
  }

  /** A new consumer (after a restart) fetches every partition: none is paused any more. */
  unpaused(): void {
    for (const p of this.#parts.values()) p.paused = false;
  }

  /**
   * Hands on every record whose turn has come; returns how many. The records left waiting no
   * longer refer to the messages they were added as (see `#detach`).
   */
  drain(): number {
    let n = 0;
    const heap = this.#heap;
    while (this.#starved === 0 && heap.length > 0) {
      const p = heap[0];
      const chunk = p.chunks[0];
      const message = chunk[p.head++];
      p.waiting--;
      if (p.head === chunk.length) {
        p.chunks.shift();
        p.head = 0;
        p.fresh = Math.min(p.fresh, p.chunks.length);
      }
      this.#handlers.emit(p, message, p.ts);
      n++;
      if (p.paused && p.waiting <= PAUSE_ABOVE / 2) {
        p.paused = false;
        this.#handlers.pause?.(p, false);
      }
      if (p.waiting > 0) {
        p.ts = timestampOf(p.chunks[0][p.head]);
        this.#siftDown(0);
      } else {
        this.#popTop();
        if (p.open) this.#starved++;
      }
    }
    this.#detach();
    return n;
  }

  /**
   * Replaces the waiting records that are still the fetched messages by copies of what the merge
   * needs (offset, timestamp, a copy of the value), so that records waiting for other partitions
   * do not keep whole fetch responses alive.
   */
  #detach(): void {
    for (const p of this.#heap) {
      const chunks = p.chunks;
      for (let c = chunks.length - p.fresh; c < chunks.length; c++) {
        const from = c === 0 ? p.head : 0;
        const chunk = chunks[c];
        chunks[c] = detached(chunk, from);
        if (c === 0) p.head = 0;
      }
      p.fresh = 0;
    }
  }

  #less(a: Part, b: Part): boolean {
    return a.ts < b.ts || (a.ts === b.ts && a.index < b.index);
  }

  #push(p: Part): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(p);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(p, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = p;
  }

  #popTop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    this.#siftDown(0);
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const p = heap[i];
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#less(heap[c + 1], heap[c])) c++;
      if (!this.#less(heap[c], p)) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = p;
  }
}

/**
 * Copies of `chunk`'s records from `from` on, holding what the merge needs (offset, timestamp,
 * value) and no longer the fetched bytes. Runs of our decoder's records over the same bytes
 * copy the stretch holding their values at once (one copy for a run, not one per record).
 */
function detached(chunk: readonly MergeRecord[], from: number): MergeRecord[] {
  const copy: MergeRecord[] = new Array(chunk.length - from);
  let i = from;
  while (i < chunk.length) {
    const m = chunk[i];
    if (!(m instanceof FastRecord)) {
      copy[i - from] = {
        offset: m.offset,
        timestamp: m.timestamp,
        value: m.value === null ? null : Buffer.from(m.value),
      };
      i++;
      continue;
    }
    const bytes = m.bytes;
    let end = i, low = Infinity, high = -Infinity;
    for (let r = chunk[end]; r instanceof FastRecord && r.bytes === bytes; r = chunk[++end]) {
      low = Math.min(low, r.valueStart);
      high = Math.max(high, r.valueStart + Math.max(0, r.valueLength));
    }
    const kept = new Uint8Array(bytes.buffer, bytes.byteOffset + low, high - low).slice();
    for (; i < end; i++) copy[i - from] = (chunk[i] as FastRecord).rebased(kept, low);
  }
  return copy;
}

/** A record's timestamp, ms (a record without a readable one sorts first: -Infinity). */
function timestampOf(message: MergeRecord): number {
  const t = recordTime(message);
  return Number.isFinite(t) ? t : -Infinity;
}
