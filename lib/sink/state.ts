/**
 * One topic-partition's state in the sink: its open file (`buffer.ts` rotates it), the files on
 * their way to the lake, its dead letters, and its commit candidate `safe`, which never passes
 * a record not yet in the lake or the DLQ.
 *
 * @module
 */
import type { Message } from "kafkajs";
import { type ClosedFile, PartitionBuffer, type RotationOptions } from "./buffer.ts";

/** One topic-partition's state. */
export interface PartitionState {
  topic: string;
  partition: number;
  buffer: PartitionBuffer;
  /** Next offset to take (last taken + 1); -1 before the first record. */
  next: number;
  /** Everything below this is stored in the lake or waiting in `dlq`: the commit candidate. */
  safe: number;
  /** Closed files not yet known stored, in offset order (the stored ones leave from the front). */
  uploads: Upload[];
  /** Aborted when the partition is no longer ours; with the sink's own abort, ends its uploads. */
  abort: AbortController;
  signal: AbortSignal;
  /** Committed offset (-1: none). */
  committed: number;
  /** Dead-letter records not yet committed, in offset order. */
  dlq: Array<{ offset: number; message: Message }>;
  /** Wall-clock time of the last record added to the buffer. */
  lastAppend: number;
  /** Serialises the batch handler and the idle flush. */
  lock: Promise<void>;
}

/** A closed file on its way to the lake. */
export interface Upload {
  file: ClosedFile;
  st: PartitionState;
  stored: boolean;
  /** Resolves once the upload ended, stored or not. */
  settled: Promise<void>;
  settle: () => void;
}

/** A partition's offsets as the broker and the group saw them at start (high moves on). */
export interface Position {
  low: number;
  high: number;
  committed: number;
}

/** A new partition state, resuming at the group's committed offset (-1: none). */
export function newPartitionState(
  topic: string,
  partition: number,
  committed: number,
  rotation: Required<RotationOptions>,
  sinkSignal: AbortSignal,
): PartitionState {
  const abort = new AbortController();
  return {
    topic,
    partition,
    buffer: new PartitionBuffer(topic, partition, rotation),
    next: -1,
    safe: committed,
    uploads: [],
    abort,
    signal: AbortSignal.any([sinkSignal, abort.signal]),
    committed,
    dlq: [],
    lastAppend: 0,
    lock: Promise.resolve(),
  };
}

/** Runs `fn` when no other work on this partition runs. */
export function locked(st: PartitionState, fn: () => Promise<void>): Promise<void> {
  const run = st.lock.then(fn);
  st.lock = run.catch(() => {});
  return run;
}

/**
 * Moves a partition's commit candidate up to its oldest file not yet stored, else its open
 * file, else its next offset: never past an offset whose record is not in the lake or the DLQ.
 */
export function advance(st: PartitionState): void {
  let stored = 0;
  while (stored < st.uploads.length && st.uploads[stored].stored) stored++;
  if (stored > 0) st.uploads.splice(0, stored);
  const safe = st.uploads.length > 0
    ? st.uploads[0].file.startOffset
    : st.buffer.startOffset ?? st.next;
  if (safe > st.safe) st.safe = safe;
}
