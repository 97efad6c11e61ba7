/**
 * A consume run's partition positions: where each partition starts (from the beginning, or at its
 * end for a live tail), keeping the consumer there when it (re)joins its group or restarts, and
 * which of a fetched batch's records are new. The consumer commits nothing: these positions are
 * the run's own (`consumer.ts`).
 *
 * @module
 */
import type { Batch, Consumer, Kafka, KafkaMessage } from "kafkajs";
import {
  logRestartedBelow,
  offsetOf,
  parsePartitionKey,
  partitionKey,
  topicsOffsets,
} from "../kafka/mod.ts";
import type { Topic } from "../schema/events.ts";

/** Where each listed partition starts, from the beginning. */
export function startPositions(
  base: ReadonlyMap<string, Topic>,
  startOffsets: Iterable<[string, number]> = [],
): Map<string, number> {
  return new Map([...startOffsets].filter(([key]) => base.has(parsePartitionKey(key).topic)));
}

/**
 * Where a live tail starts: every partition at its end (as a read-committed reader sees it) when
 * the run starts, read before the consumer joins. Kept as the partitions' positions from the
 * start, they outlast a restart: a partition that had sent nothing yet goes on from there after
 * a broker restart (left to the consumer, it started at its end again, past the records written
 * meanwhile), and records written while the consumer joins are read.
 */
export async function liveStart(
  kafka: Kafka,
  base: ReadonlyMap<string, Topic>,
): Promise<Map<string, number>> {
  const start = new Map<string, number>();
  for (const [name, offsets] of await topicsOffsets(kafka, [...base.keys()])) {
    for (const { partition, high } of offsets) start.set(partitionKey(name, partition), high);
  }
  return start;
}

/**
 * Keeps the consumer on course: a crash kafkajs does not recover from itself goes to `crashed`
 * (kafkajs restarts it after errors it deems passing); a consumer that (re)joins starts from the
 * group's offsets, and this group commits none, so it is sent back to the positions reached; in a
 * live run, a partition without a position was added to its topic after the run started: it
 * starts at its beginning (a fresh group would start it at its end, past the records written
 * before the consumer found it); batches of transaction markers or aborted records, which reach
 * no handler, count as read.
 */
export function keepPositions(
  consumer: Consumer,
  run: { next: ReadonlyMap<string, number>; options: { fromBeginning?: boolean } },
  crashed: (error: unknown) => void,
  passed: (key: string, lastOffset: number) => void,
): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) crashed(payload.error);
  });
  const added = run.options.fromBeginning ? undefined : EARLIEST;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const partition of partitions) {
        const key = partitionKey(topic, partition);
        const offset = run.next.get(key) ?? added;
        if (offset !== undefined) seekTo(consumer, new Map([[key, offset]]));
      }
    }
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize === 0) {
      passed(partitionKey(payload.topic, payload.partition), Number(payload.lastOffset));
    }
  });
}

/** kafkajs's offset for "the partition's first record" in a seek. */
const EARLIEST = -2;

/**
 * Seeks partitions (`topic/partition` → offset, or {@linkcode EARLIEST}). Records below a
 * position are skipped anyway, should a fetch come back before the seek applies (or the consumer
 * not run yet).
 */
export function seekTo(consumer: Consumer, positions: ReadonlyMap<string, number>): void {
  for (const [key, offset] of positions) {
    const { topic, partition } = parsePartitionKey(key);
    try {
      consumer.seek({
        topic,
        partition,
        offset: String(offset),
      });
    } catch { /* not running yet */ }
  }
}

/**
 * Where a live run takes a batch's records from: its position, unless the partition's log now
 * ends before it and the batch holds records below it (the consumer was reset to the log's
 * start): the log started again (the topic was deleted and made again, or its log cut short),
 * and all it holds now is new.
 */
export function liveFirst(batch: Batch, next: number): number {
  return logRestartedBelow(batch, next) ? 0 : next;
}

/**
 * A batch's records from offset `first` on (up to `last`, in `once` mode), and the next offset:
 * records below `first` were read already (a fetch that came back before a seek applied).
 */
export function inRange(
  batch: Batch,
  first: number,
  last: number | undefined,
): { messages: KafkaMessage[]; position: number } {
  const messages: KafkaMessage[] = [];
  let position = first;
  for (const message of batch.messages) {
    const offset = offsetOf(message);
    if (offset < first) continue;
    if (last !== undefined && offset > last) break;
    messages.push(message);
    position = offset + 1;
  }
  return { messages, position };
}
