/**
 * One topic-partition's open file and the rules that close it, as the Confluent sink connectors
 * apply them: by `flush.size` (records), by `rotate.interval.ms` measured on record time, and at
 * the hour boundary of the record time (a record of another hour closes the open file).
 *
 * Every rule depends only on the records and their offsets, never on the wall clock: fed the same
 * records from the same start offset, a buffer closes the same files. That is what lets a replay
 * after a crash rewrite identical files (see `sink.ts`).
 *
 * @module
 */
import { hourStart, rawPath } from "../lake/layout.ts";

/** When a file is closed. */
export interface RotationOptions {
  /**
   * Records per file (the connector's `flush.size`).
   * @default 1000
   */
  flushSize?: number;
  /**
   * Close a file once a record's time is this far past the file's first record time (the
   * connector's `rotate.interval.ms` with a record-time extractor). `0` turns it off.
   * @default 600000 (10 min)
   */
  rotateIntervalMs?: number;
}

/** The rotation defaults, in one place. */
export const ROTATION_DEFAULTS: Readonly<Required<RotationOptions>> = {
  flushSize: 1000,
  rotateIntervalMs: 600_000,
};

/** Fills in and checks rotation options; throws `RangeError` naming the bad one. */
export function resolveRotation(options: RotationOptions = {}): Required<RotationOptions> {
  const flushSize = options.flushSize ?? ROTATION_DEFAULTS.flushSize;
  const rotateIntervalMs = options.rotateIntervalMs ?? ROTATION_DEFAULTS.rotateIntervalMs;
  if (!Number.isSafeInteger(flushSize) || flushSize < 1) {
    throw new RangeError(`flushSize must be a whole number ≥ 1, got ${flushSize}`);
  }
  if (!Number.isSafeInteger(rotateIntervalMs) || rotateIntervalMs < 0) {
    throw new RangeError(`rotateIntervalMs must be a whole number ≥ 0, got ${rotateIntervalMs}`);
  }
  return { flushSize, rotateIntervalMs };
}

/** A closed file, ready for one atomic put. */
export interface ClosedFile {
  topic: string;
  partition: number;
  /** Offset of the first record: part of the file name. */
  startOffset: number;
  /** Offset of the last record (records that went to the DLQ may lie in between). */
  endOffset: number;
  /** Start of the record-time hour (UTC ms) the file belongs to. */
  hour: number;
  /** Number of lines. */
  records: number;
  /** `topics/<topic>/year=…/hour=HH/<topic>+<partition>+<startOffset:010>.json` */
  path: string;
  /** The JSON lines: every record value as produced (see `lakeLine`), each followed by `\n`. */
  data: Uint8Array;
}

const NEWLINE = 0x0a;
/** Least bytes reserved for an open file. */
const MIN_CAPACITY = 4096;

/**
 * The open file of one topic-partition. Feed it records in offset order with
 * {@linkcode PartitionBuffer.add}; it returns the files that closed.
 *
 * @example
 * ```ts
 * import { PartitionBuffer } from "./buffer.ts";
 * const buffer = new PartitionBuffer("orders", 0, { flushSize: 2 });
 * const line = new TextEncoder().encode('{"n":1}');
 * const t = Date.UTC(2026, 10, 26, 10);
 * buffer.add(7, t, line); // []
 * buffer.add(8, t, line)[0].path;
 * // "topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000007.json"
 * ```
 */
export class PartitionBuffer {
  readonly topic: string;
  readonly partition: number;
  readonly #rotation: Required<RotationOptions>;
  /**
   * The open file's bytes: each line is copied in as it arrives, so the record's own buffer
   * (a slice of a Kafka fetch response) is garbage at once rather than held until the file
   * closes, and closing copies nothing.
   */
  #data = new Uint8Array(0);
  #used = 0;
  #count = 0;
  #start = -1;
  #end = -1;
  #hour = 0;
  #firstTime = 0;

  constructor(topic: string, partition: number, options: RotationOptions = {}) {
    this.topic = topic;
    this.partition = partition;
    this.#rotation = resolveRotation(options);
  }

  /** Records in the open file. */
  get size(): number {
    return this.#count;
  }

  /** Offset of the open file's first record, or `undefined` when nothing is buffered. */
  get startOffset(): number | undefined {
    return this.#count > 0 ? this.#start : undefined;
  }

  /** Bytes the open file would hold. */
  get bytes(): number {
    return this.#used;
  }

  /**
   * Adds one record (its time in UTC ms, its value bytes as the line) and returns the files this
   * closed: the open one if the record belongs to another hour or lies `rotateIntervalMs` past
   * its first record, and the new one if it reached `flushSize`.
   */
  add(offset: number, time: number, line: Uint8Array): ClosedFile[] {
    const closed: ClosedFile[] = [];
    if (this.#count > 0) {
      if (offset <= this.#end) {
        throw new RangeError(
          `Offsets must increase: ${this.topic}+${this.partition} got ${offset} after ${this.#end}`,
        );
      }
      const interval = this.#rotation.rotateIntervalMs;
      if (
        hourStart(time) !== this.#hour ||
        (interval > 0 && time - this.#firstTime >= interval)
      ) {
        closed.push(this.close()!);
      }
    }
    if (this.#count === 0) {
      this.#start = offset;
      this.#hour = hourStart(time);
      this.#firstTime = time;
    }
    const need = this.#used + line.byteLength + 1;
    if (need > this.#data.length) {
      // The next file is sized like the last one; a bigger one grows by doubling.
      const grown = new Uint8Array(Math.max(need, this.#data.length * 2, MIN_CAPACITY));
      grown.set(this.#data.subarray(0, this.#used));
      this.#data = grown;
    }
    this.#data.set(line, this.#used);
    this.#used += line.byteLength;
    this.#data[this.#used++] = NEWLINE;
    this.#count++;
    this.#end = offset;
    if (this.#count >= this.#rotation.flushSize) closed.push(this.close()!);
    return closed;
  }

  /** Closes the open file now (end of a `--once` drain, idle flush); `undefined` if empty. */
  close(): ClosedFile | undefined {
    if (this.#count === 0) return undefined;
    const used = this.#used;
    // The file keeps its bytes (a view when they fill most of the array, else a tight copy);
    // the next file gets a fresh array of this one's size.
    const data = used * 4 >= this.#data.length * 3
      ? this.#data.subarray(0, used)
      : this.#data.slice(0, used);
    const file: ClosedFile = {
      topic: this.topic,
      partition: this.partition,
      startOffset: this.#start,
      endOffset: this.#end,
      hour: this.#hour,
      records: this.#count,
      path: rawPath({
        topic: this.topic,
        partition: this.partition,
        startOffset: this.#start,
        hour: this.#hour,
      }),
      data,
    };
    this.#data = new Uint8Array(Math.max(MIN_CAPACITY, Math.ceil(used * 1.1)));
    this.#used = 0;
    this.#count = 0;
    return file;
  }
}

/** One record for {@linkcode planFiles}: its offset, record time (UTC ms) and value. */
export interface PlannedRecord {
  offset: number;
  time: number;
  value: string | Uint8Array;
}

/**
 * The files a sequence of one partition's records becomes (the open tail closed too): the
 * rotation rules as a pure function, for tests and lessons.
 *
 * @example
 * ```ts
 * import { planFiles } from "./buffer.ts";
 * const t = Date.UTC(2026, 10, 26, 10, 59, 59);
 * const files = planFiles("clickstream", 1, [
 *   { offset: 0, time: t, value: "{}" },
 *   { offset: 1, time: t + 1000, value: "{}" }, // 11:00:00, a new hour
 * ]);
 * files.map((f) => f.path.split("/").slice(-2).join("/"));
 * // ["hour=10/clickstream+1+0000000000.json", "hour=11/clickstream+1+0000000001.json"]
 * ```
 */
export function planFiles(
  topic: string,
  partition: number,
  records: Iterable<PlannedRecord>,
  options: RotationOptions = {},
): ClosedFile[] {
  const buffer = new PartitionBuffer(topic, partition, options);
  const encoder = new TextEncoder();
  const files: ClosedFile[] = [];
  for (const r of records) {
    const line = typeof r.value === "string" ? encoder.encode(r.value) : r.value;
    files.push(...buffer.add(r.offset, r.time, line));
  }
  const tail = buffer.close();
  if (tail) files.push(tail);
  return files;
}
