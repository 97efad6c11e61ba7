/**
 * Consumer lag per partition: how many records the dashboard's consumer is behind each
 * partition's end, from the batches it reads (`ConsumeOptions.onBatch`): the high watermark, or
 * the last stable offset before another producer's open transaction (whose records it cannot read
 * yet, so they are no lag).
 *
 * A partition's lag is as of its last batch holding records (Kafka sends no batch for a partition
 * with nothing new, so a partition read to its end keeps the lag of its last batch, usually 0).
 * Partitions announced before reading start at the lag of where reading begins.
 *
 * @module
 */
import { partitionKey } from "../kafka/partition.ts";
import type { ConsumedBatch } from "../realtime/mod.ts";
import { type Topic, TOPICS } from "../schema/events.ts";

/** One partition's position and lag. */
export interface PartitionLag {
  topic: Topic;
  partition: number;
  /** The offset of the next record to read. */
  nextOffset: number;
  /** The partition's end last seen (`ConsumedBatch.end`). */
  end: number;
  /** `end − nextOffset` (never negative). */
  lag: number;
}

/**
 * Positions and ends of the partitions being read.
 *
 * @example
 * ```ts
 * import { LagTracker } from "./lag.ts";
 * const lag = new LagTracker();
 * lag.update({ topic: "orders", partition: 0, nextOffset: 90, end: 100 });
 * lag.rows(["orders"]); // [{ topic: "orders", partition: 0, nextOffset: 90, end: 100, lag: 10 }]
 * ```
 */
export class LagTracker {
  readonly #partitions = new Map<string, PartitionLag>();

  /** Records where a partition stands (a batch just read, or the start of reading). */
  update(batch: ConsumedBatch): void {
    const key = partitionKey(batch.topic, batch.partition);
    const known = this.#partitions.get(key);
    // A batch's end can be older than one already seen from another fetch.
    const end = Math.max(batch.end, known?.end ?? 0);
    const nextOffset = Math.max(batch.nextOffset, known?.nextOffset ?? 0);
    this.#partitions.set(key, {
      topic: batch.topic,
      partition: batch.partition,
      nextOffset,
      end,
      lag: Math.max(0, end - nextOffset),
    });
  }

  /** The partitions of `topics` (default all), by topic (contract order) then partition. */
  rows(topics: readonly Topic[] = TOPICS): PartitionLag[] {
    return [...this.#partitions.values()]
      .filter((p) => topics.includes(p.topic))
      .sort((a, b) =>
        TOPICS.indexOf(a.topic) - TOPICS.indexOf(b.topic) || a.partition - b.partition
      )
      .map((p) => ({ ...p }));
  }

  /** The sum of every partition's lag. */
  get total(): number {
    let sum = 0;
    for (const p of this.#partitions.values()) sum += p.lag;
    return sum;
  }
}
