/**
 * Filling a lake from simulated records without Kafka: the same files, in the same layout, as the
 * sink (`lib/sink/sink.ts`) writes from a topic, so tests, notebooks, the benchmark and the
 * Databricks parity check can all start from a seeded raw layer.
 *
 * How records become files (what a Kafka producer + the sink would do):
 * - each record goes to partition `murmur2(key) % partitions` (Kafka's default partitioner);
 * - offsets count up per (topic, partition) from 0 (or from `startOffsets`), one per record;
 * - a value that fails the raw validity rule (`lib/schema/raw.ts`) takes its offset but is not
 *   written (the sink's dead-letter queue would take it);
 * - a record without a key (the original producers' clickstream) goes to the partitions in turn,
 *   per topic, starting at 0 (kafkajs sends keyless records round-robin);
 * - per (topic, partition) one file is open per hour (the record's `timestamp` read by the
 *   event-time rule in `zone`, as a UTC hour; the Kafka timestamp when it has no event time); it
 *   is written when it holds `flushSize` records, and every
 *   open file is written at the end. The files are the sink's own `PartitionBuffer`s
 *   (`lib/sink/buffer.ts`): the same bytes and names (after the first record's offset).
 *
 * @module
 */
import { partitionFor, partitionKey } from "../kafka/partition.ts";
import type { LakeStorage } from "../lake/storage.ts";
import { hourStart, recordTime } from "../lake/layout.ts";
import { type ClosedFile, PartitionBuffer } from "../sink/buffer.ts";
import { DEFAULT_EVENT_TIME_ZONE } from "../schema/event_time.ts";
import { lakeLine, parseRaw } from "../schema/raw.ts";

/** The part of a simulated record the fixture needs (`lib/simulate` `SimRecord` fits). */
export interface FixtureRecord {
  /** Topic base name. */
  topic: string;
  /** Record key (user_id or order_id), or null for none. */
  key: string | null;
  /** The exact JSON line, or a malformed non-JSON string. */
  value: string;
  /** Event time in epoch ms (the Kafka record timestamp). */
  timestamp: number;
}

/** Options of {@linkcode writeLakeFromRecords}. */
export interface LakeFixtureOptions {
  /**
   * Partitions per topic.
   * @default 3
   */
  partitions?: number;
  /**
   * Records per file at most (the sink's `flush.size`).
   * @default 1000
   */
  flushSize?: number;
  /**
   * Prefix of every topic folder (`KAFKA_TOPIC_PREFIX`).
   * @default ""
   */
  topicPrefix?: string;
  /**
   * Next offset per `<topic>/<partition>`, to continue a lake written by an earlier call
   * (pass the previous result's `nextOffsets`).
   * @default every partition starts at 0
   */
  startOffsets?: Record<string, number>;
  /**
   * Files written at the same time.
   * @default 16
   */
  concurrency?: number;
  /**
   * The zone of wall-clock timestamps (`EVENT_TIME_ZONE`).
   * @default "UTC"
   */
  zone?: string;
}

/** What {@linkcode writeLakeFromRecords} wrote. */
export interface LakeFixtureResult {
  /** Paths of the files written, sorted. */
  files: string[];
  /** Records written (JSON lines in the files). */
  records: number;
  /** Records skipped because their value is no valid raw record (they still took an offset). */
  skipped: number;
  /** Next offset per `<topic>/<partition>`: give it as `startOffsets` to continue. */
  nextOffsets: Record<string, number>;
}

const DEFAULTS = { partitions: 3, flushSize: 1000, topicPrefix: "", concurrency: 16 } as const;

/**
 * Writes records to `lake` as the sink would (see the module doc) and returns what it wrote.
 *
 * @example
 * ```ts
 * import { FileLake } from "../lake/file.ts";
 * import { writeLakeFromRecords } from "./fixture.ts";
 * const root = await Deno.makeTempDir();
 * const lake = new FileLake(root);
 * const value = JSON.stringify({ order_id: "order_1", timestamp: "2026-11-26T10:15:30.123Z" });
 * const result = await writeLakeFromRecords(lake, [
 *   { topic: "orders", key: "order_1", value, timestamp: Date.parse("2026-11-26T10:15:30.123Z") },
 *   { topic: "orders", key: "order_1", value: "{'not': json", timestamp: 0 },
 * ], { partitions: 1 });
 * if (result.files[0] !== "topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json") {
 *   throw new Error(result.files[0]);
 * }
 * if (result.skipped !== 1 || result.nextOffsets["orders/0"] !== 2) throw new Error("offsets");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeLakeFromRecords(
  lake: LakeStorage,
  records: Iterable<FixtureRecord>,
  options: LakeFixtureOptions = {},
): Promise<LakeFixtureResult> {
  const { partitions, flushSize, prefix, concurrency, zone } = fixtureSettings(options);
  const next: Record<string, number> = { ...options.startOffsets };
  const roundRobin = new Map<string, number>();
  /** Open files, the sink's `PartitionBuffer`s: `<topic>/<partition>/<hour>` → its buffer. */
  const open = new Map<string, PartitionBuffer>();
  const pending: ClosedFile[] = [];
  const written: string[] = [];
  let records_ = 0;
  let skipped = 0;

  const flushPending = async (all: boolean) => {
    while (pending.length >= concurrency || (all && pending.length > 0)) {
      const batch = pending.splice(0, concurrency);
      await Promise.all(batch.map((f) => lake.put(f.path, f.data)));
      written.push(...batch.map((f) => f.path));
    }
  };
  const encoder = new TextEncoder();

  for (const record of records) {
    const topic = prefix + record.topic;
    const partition = partitionOf(record.key, topic, partitions, roundRobin);
    const tp = partitionKey(record.topic, partition);
    const offset = next[tp] ?? 0;
    next[tp] = offset + 1;
    const raw = parseRaw(record.value);
    if (!raw.ok) {
      skipped++;
      continue;
    }
    const time = recordTime(raw.record, record.timestamp, zone);
    const id = `${tp}/${hourStart(time)}`;
    let buffer = open.get(id);
    if (!buffer) {
      // One file per hour open at once, closed by flush.size only: no record-time rotation.
      buffer = new PartitionBuffer(topic, partition, { flushSize, rotateIntervalMs: 0 });
      open.set(id, buffer);
    }
    records_++;
    const closed = buffer.add(offset, time, encoder.encode(lakeLine(record.value)));
    if (closed.length > 0) {
      open.delete(id);
      pending.push(...closed);
      await flushPending(false);
    }
  }
  for (const buffer of open.values()) pending.push(buffer.close()!);
  await flushPending(true);
  return { files: written.sort(), records: records_, skipped, nextOffsets: next };
}

/** The options of {@linkcode writeLakeFromRecords}, defaults filled in and checked. */
function fixtureSettings(options: LakeFixtureOptions) {
  const partitions = options.partitions ?? DEFAULTS.partitions;
  const flushSize = options.flushSize ?? DEFAULTS.flushSize;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`Option partitions must be a positive integer, got ${partitions}`);
  }
  if (!Number.isInteger(flushSize) || flushSize < 1) {
    throw new RangeError(`Option flushSize must be a positive integer, got ${flushSize}`);
  }
  return {
    partitions,
    flushSize,
    prefix: options.topicPrefix ?? DEFAULTS.topicPrefix,
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
    zone: options.zone ?? DEFAULT_EVENT_TIME_ZONE,
  };
}

/** The partition of a record, as the producer picks it: by key, or round robin without one. */
function partitionOf(
  key: string | null,
  topic: string,
  partitions: number,
  roundRobin: Map<string, number>,
): number {
  if (key !== null) return partitionFor(key, partitions);
  const partition = roundRobin.get(topic) ?? 0;
  roundRobin.set(topic, (partition + 1) % partitions);
  return partition;
}
