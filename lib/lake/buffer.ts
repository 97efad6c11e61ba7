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
import { hourStart, rawPath } from "./layout.ts";

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
  /** The JSON lines: every record value as produced, each followed by `\n`. */
  data: Uint8Array;
}

const NEWLINE = 0x0a;

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
  #lines: Uint8Array[] = [];
  #bytes = 0;
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
    return this.#lines.length;
  }

  /** Offset of the open file's first record, or `undefined` when nothing is buffered. */
  get startOffset(): number | undefined {
    return this.#lines.length > 0 ? this.#start : undefined;
  }

  /** Bytes the open file would hold. */
  get bytes(): number {
    return this.#bytes + this.#lines.length;
  }

  /**
   * Adds one record (its time in UTC ms, its value bytes as the line) and returns the files this
   * closed: the open one if the record belongs to another hour or lies `rotateIntervalMs` past
   * its first record, and the new one if it reached `flushSize`.
   */
  add(offset: number, time: number, line: Uint8Array): ClosedFile[] {
    const closed: ClosedFile[] = [];
    if (this.#lines.length > 0) {
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
    if (this.#lines.length === 0) {
      this.#start = offset;
      this.#hour = hourStart(time);
      this.#firstTime = time;
    }
    this.#lines.push(line);
    this.#bytes += line.byteLength;
    this.#end = offset;
    if (this.#lines.length >= this.#rotation.flushSize) closed.push(this.close()!);
    return closed;
  }

  /** Closes the open file now (end of a `--once` drain, idle flush); `undefined` if empty. */
  close(): ClosedFile | undefined {
    if (this.#lines.length === 0) return undefined;
    const data = new Uint8Array(this.#bytes + this.#lines.length);
    let at = 0;
    for (const line of this.#lines) {
      data.set(line, at);
      at += line.byteLength;
      data[at++] = NEWLINE;
    }
    const file: ClosedFile = {
      topic: this.topic,
      partition: this.partition,
      startOffset: this.#start,
      endOffset: this.#end,
      hour: this.#hour,
      records: this.#lines.length,
      path: rawPath({
        topic: this.topic,
        partition: this.partition,
        startOffset: this.#start,
        hour: this.#hour,
      }),
      data,
    };
    this.#lines = [];
    this.#bytes = 0;
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
