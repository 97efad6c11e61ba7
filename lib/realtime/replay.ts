/**
 * A replay on two threads: `realtime --once` reads a bounded log as fast as it can, and one
 * thread would spend two thirds of its time aggregating while Kafka's fetches wait. Here the
 * calling thread runs the consumer (fetch, record-batch decoding, the replay's merge of the
 * partitions) and hands the values of each fetched batch's turn, as one buffer, to an aggregator
 * on a worker thread (`_replay_worker.ts`), which adds them in that order: the same calls as
 * {@linkcode consumeInto} makes in one thread, so the same snapshot. At most {@linkcode MAX_IN_FLIGHT} batches wait for the worker (memory stays bounded
 * when it falls behind).
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { KafkaConfig } from "../config/mod.ts";
import type { Topic } from "../schema/events.ts";
import { Waiters } from "../waiters.ts";
import {
  type AggregatorOptions,
  LIVE_DEFAULTS,
  type Outcome,
  resolveAggregatorOptions,
  type Snapshot,
} from "./aggregator.ts";
import {
  consumeIntoSink,
  type ConsumeOptions,
  type ConsumeStats,
  type RecordSink,
} from "./consumer.ts";
import type { FromReplayWorker, ToReplayWorker, ValueBatch } from "./_replay_worker.ts";

const loose = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Batches handed to the aggregator's thread and not yet added, at most. */
export const MAX_IN_FLIGHT = 8;

/**
 * A replay's own bound: an event more than 15 minutes ahead of its record's Kafka timestamp (the
 * time its producer wrote it) counts as future. The log decides, not the wall clock, so two
 * replays of the same log agree; options given to {@linkcode replay} override it.
 */
export const REPLAY_DEFAULTS = {
  maxFuture: LIVE_DEFAULTS.maxFuture,
  futureClock: "record",
} as const satisfies AggregatorOptions;

/** What a replay read, and the aggregator's snapshot at its end. */
export interface ReplayResult {
  stats: ConsumeStats;
  snapshot: Snapshot;
}

/**
 * Reads the four topics from the beginning up to their high watermarks at the start (as
 * `consumeInto` with `once` and `fromBeginning`), aggregating on a worker thread; returns the
 * counts and the final snapshot. Same options as `consumeInto` but `onRecord` (the outcome of a
 * record is only known on the other thread) and the ones a bounded replay ignores; the
 * aggregator's options over {@linkcode REPLAY_DEFAULTS}.
 *
 * @example
 * ```ts ignore
 * const { snapshot } = await replay(createKafka(config.kafka), config.kafka, { lateness: 60_000 });
 * console.log(snapshot.totals);
 * ```
 */
export async function replay(
  kafka: Kafka,
  config: KafkaConfig,
  aggregatorOptions: Omit<AggregatorOptions, "now"> = {},
  options: Pick<ConsumeOptions, "groupId" | "startOffsets" | "signal" | "onBatch" | "maxWaitMs"> =
    {},
): Promise<ReplayResult> {
  // A bad option stops here, before the thread starts or anything is read.
  const resolved = resolveAggregatorOptions({ ...REPLAY_DEFAULTS, ...aggregatorOptions });
  const thread = new AggregatorThread(resolved);
  try {
    const stats = await Promise.race([
      consumeIntoSink(kafka, config, thread, { ...options, once: true, fromBeginning: true }),
      thread.failed,
    ]);
    const snapshot = await Promise.race([thread.snapshot(), thread.failed]);
    return { stats, snapshot };
  } finally {
    thread.close();
  }
}

/** The consumer's side of the aggregator thread: a {@linkcode RecordSink} that batches values. */
class AggregatorThread implements RecordSink {
  readonly #worker: Worker;
  /** Rejects when the worker fails (never resolves). */
  readonly failed: Promise<never>;
  #fail!: (error: Error) => void;
  #failure: Error | undefined;
  #inFlight = 0;
  readonly #waiters = new Waiters();
  #snapshot: ((snapshot: Snapshot) => void) | undefined;
  // The batch being filled: each value's source, as an index into the batch's table of them.
  #sources: string[] = [];
  #topics: Topic[] = [];
  #sourceIndex = new Map<string, number>();
  #recordSource = new Uint16Array(1024);
  #recordTimes = new Float64Array(1024);
  #bytes = new Uint8Array(1 << 20);
  #ends = new Int32Array(1024);
  #size = 0;
  #count = 0;
  // The bytes values were last copied from, and a plain view of them.
  #from: Uint8Array = EMPTY;
  #fromView: Uint8Array = EMPTY;

  constructor(options: Omit<AggregatorOptions, "now">) {
    this.#worker = new Worker(new URL("./_replay_worker.ts", import.meta.url), { type: "module" });
    this.failed = new Promise<never>((_, reject) => {
      this.#fail = (error) => {
        this.#failure ??= error;
        reject(this.#failure);
        this.#waiters.wake();
      };
    });
    this.failed.catch(() => {}); // raced where it matters; never unhandled
    this.#worker.onmessage = (event: MessageEvent<FromReplayWorker>) => {
      const message = event.data;
      if (message.type === "added") {
        this.#inFlight--;
        this.#waiters.wake();
      } else if (message.type === "snapshot") this.#snapshot?.(message.snapshot);
      else this.#fail(new Error(`The aggregator thread failed: ${message.message}`));
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(new Error(`The aggregator thread failed: ${event.message}`));
    };
    this.#post({ type: "start", options });
  }

  #post(message: ToReplayWorker, transfer: Transferable[] = []) {
    this.#worker.postMessage(message, transfer);
  }

  addLine(
    topic: Topic,
    line: Uint8Array | null,
    source: string,
    recordTime: number,
  ): Outcome | undefined {
    return line === null
      ? this.addSpan(topic, EMPTY, 0, -1, source, recordTime)
      : this.addSpan(topic, line, 0, line.byteLength, source, recordTime);
  }

  addSpan(
    topic: Topic,
    bytes: Uint8Array,
    start: number,
    length: number,
    source: string,
    recordTime: number,
  ): Outcome | undefined {
    let index = this.#sourceIndex.get(source);
    if (index === undefined) {
      // A batch names at most 65,536 sources (a replay's partitions are far fewer).
      if (this.#sources.length === 0x10000) this.#flush();
      index = this.#sources.length;
      this.#sourceIndex.set(source, index);
      this.#sources.push(source);
      this.#topics.push(topic);
    }
    const n = Math.max(0, length); // no value: as an empty one (both are no record)
    if (this.#size + n > this.#bytes.byteLength) {
      const grown = new Uint8Array(Math.max(2 * this.#bytes.byteLength, this.#size + n));
      grown.set(this.#bytes.subarray(0, this.#size));
      this.#bytes = grown;
    }
    if (n > 0) {
      // From a plain view of the whole bytes: a Buffer's own subarray costs a Buffer per record.
      if (bytes !== this.#from) {
        this.#from = bytes;
        this.#fromView = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      this.#bytes.set(this.#fromView.subarray(start, start + n), this.#size);
    }
    this.#size += n;
    if (this.#count === this.#ends.length) {
      const ends = new Int32Array(2 * this.#ends.length);
      ends.set(this.#ends);
      this.#ends = ends;
      const sources = new Uint16Array(2 * this.#recordSource.length);
      sources.set(this.#recordSource);
      this.#recordSource = sources;
      const times = new Float64Array(2 * this.#recordTimes.length);
      times.set(this.#recordTimes);
      this.#recordTimes = times;
    }
    this.#recordSource[this.#count] = index;
    this.#recordTimes[this.#count] = recordTime;
    this.#ends[this.#count++] = this.#size;
    return undefined;
  }

  /** Hands the batch being filled to the worker (its buffers transferred, not copied). */
  #flush() {
    if (this.#count === 0) return;
    const bytes = this.#bytes.subarray(0, this.#size);
    const ends = this.#ends.subarray(0, this.#count);
    const source = this.#recordSource.subarray(0, this.#count);
    const times = this.#recordTimes.subarray(0, this.#count);
    const batch: ValueBatch = {
      topics: this.#topics,
      sources: this.#sources,
      source,
      times,
      ends,
      count: this.#count,
    };
    // Valid UTF-8 value by value: the text, decoded here on the consumer's thread, which has
    // time to spare, and each value's end counted in UTF-16 units; else the bytes themselves.
    const text = loose.decode(bytes);
    if (
      !text.includes("\uFFFD") &&
      (text.length === bytes.byteLength || utf16Ends(bytes, ends, text))
    ) {
      batch.text = text;
      this.#post({ type: "batch", ...batch }, [ends.buffer, source.buffer, times.buffer]);
    } else {
      batch.bytes = bytes;
      const transfer = [bytes.buffer, ends.buffer, source.buffer, times.buffer];
      this.#post({ type: "batch", ...batch }, transfer);
      this.#bytes = new Uint8Array(Math.max(1 << 16, this.#size));
    }
    this.#inFlight++;
    this.#ends = new Int32Array(Math.max(1024, this.#count));
    this.#recordSource = new Uint16Array(this.#ends.length);
    this.#recordTimes = new Float64Array(this.#ends.length);
    this.#sources = [];
    this.#topics = [];
    this.#sourceIndex.clear();
    this.#size = this.#count = 0;
  }

  async endBatch(): Promise<void> {
    this.#flush();
    await this.#waiters.until(() => this.#inFlight < MAX_IN_FLIGHT || this.#failure !== undefined);
    if (this.#failure) throw this.#failure;
  }

  expectSources(sources: Iterable<string>): void {
    this.#post({ type: "sources", sources: [...sources] });
  }

  /** A bounded replay never marks a source idle (it does not use the wall clock). */
  markIdle(): boolean {
    return false;
  }

  /** The snapshot once every batch handed over has been added. */
  snapshot(): Promise<Snapshot> {
    this.#flush();
    return new Promise<Snapshot>((resolve) => {
      this.#snapshot = resolve;
      this.#post({ type: "snapshot" });
    });
  }

  close() {
    this.#worker.terminate();
    this.#waiters.wake();
  }
}

/**
 * Turns `ends` (each value's end in the UTF-8 `bytes`, values back to back) into ends in `text`,
 * what those bytes decode to (UTF-16 units). For bytes that decode without a replacement
 * character only, and only when no value starts with a continuation byte (a character split
 * across two values is no text of either: each value alone is not UTF-8) or a byte-order mark
 * (decoded alone, a value loses it; in the batch's text it stays, or goes with the batch's first
 * value): else it returns false and leaves `ends` as they were.
 *
 * Only the non-ASCII characters are visited (found in the text natively, a few per batch): an
 * end's units are its bytes less the bytes the characters before it take beyond their units (one
 * for a character below U+0800, two above, two for a surrogate pair's four bytes).
 *
 * @example
 * ```ts
 * import { utf16Ends } from "./replay.ts";
 * const bytes = new TextEncoder().encode("aé😀b");
 * const ends = new Int32Array([1, 3, 7, 8]);
 * utf16Ends(bytes, ends, "aé😀b"); // true
 * [...ends]; // [1, 2, 4, 5]
 * utf16Ends(new Uint8Array([0xc3, 0xa9]), new Int32Array([1, 2]), "é"); // false: é split
 * ```
 */
export function utf16Ends(bytes: Uint8Array, ends: Int32Array, text: string): boolean {
  let from = 0;
  for (const to of ends) {
    if (to > from && ((bytes[from] & 0xc0) === 0x80 || bomAt(bytes, from, to))) return false;
    from = to;
  }
  const counted = new Int32Array(ends.length);
  let extra = 0, i = 0;
  const nonAscii = /[\u0080-\uffff]/g;
  for (let m = nonAscii.exec(text); m !== null; m = nonAscii.exec(text)) {
    const unit = m.index, code = text.charCodeAt(unit);
    // Ends at or before this character's first byte are before it.
    for (const first = unit + extra; i < ends.length && ends[i] <= first; i++) {
      counted[i] = ends[i] - extra;
    }
    if (code < 0x800) extra += 1;
    else {
      extra += 2;
      // A high surrogate: its low one is the pair's second unit, no bytes of its own.
      if (code >= 0xd800 && code <= 0xdbff) nonAscii.lastIndex = unit + 2;
    }
  }
  for (; i < ends.length; i++) counted[i] = ends[i] - extra;
  if (bytes.byteLength - extra !== text.length) return false;
  ends.set(counted);
  return true;
}

/** Whether `bytes[from, to)` starts with a UTF-8 byte-order mark. */
function bomAt(bytes: Uint8Array, from: number, to: number): boolean {
  return to - from >= 3 && bytes[from] === 0xef && bytes[from + 1] === 0xbb &&
    bytes[from + 2] === 0xbf;
}
