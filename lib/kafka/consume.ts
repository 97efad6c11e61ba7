/**
 * Reading topics to their end, read-committed, with a throw-away group (nothing is committed):
 * for tests, notebooks, the audit and checks against the lake. One reader: {@linkcode readToEnd}
 * gives the records per topic as bytes, {@linkcode readAll} the same records as text in one list.
 *
 * @module
 */
import type { Batch, Kafka } from "kafkajs";
import { partitionKey } from "./partition.ts";
import { FastRecord } from "./_kafkajs_decode.ts";
import { fetchOffsets } from "./topics.ts";
export { FastRecord };

/** One record as read back, its key and value as bytes. */
export interface ReadBytes {
  partition: number;
  offset: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: number;
  headers: Record<string, string>;
}

/** One record as read back, its key and value as text. */
export interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

/**
 * A fetched record's offset as a number: read where our decoder left it (no decimal string made
 * and parsed again), else from kafkajs's string.
 */
export function offsetOf(message: { offset: string }): number {
  return message instanceof FastRecord ? message.offsetNumber : Number(message.offset);
}

/** A fetched record's timestamp (ms) as a number, the same way as {@linkcode offsetOf}. */
export function timestampOf(message: { timestamp: string }): number {
  return message instanceof FastRecord ? message.timeNumber : Number(message.timestamp);
}

/**
 * How far a read-committed consumer (kafkajs's default) can read the partition of a fetched
 * `batch`: the fetch's last stable offset, before which every transaction has ended (kept by
 * `./_kafkajs_stable.ts`), else its high watermark. With another producer's transaction open, the
 * high watermark lies past records no one can read until it ends: a consumer at this end has read
 * everything there is.
 *
 * @example
 * ```ts
 * import { readableEnd } from "./consume.ts";
 * readableEnd({ highWatermark: "12", lastStableOffset: "9" } as never); // 9
 * readableEnd({ highWatermark: "12" } as never); // 12
 * ```
 */
export function readableEnd(batch: Pick<Batch, "highWatermark">): number {
  const high = Number(batch.highWatermark);
  const stable = Number((batch as { lastStableOffset?: string }).lastStableOffset ?? -1);
  return stable >= 0 ? Math.min(stable, high) : high;
}

/**
 * Whether a fetched batch shows its partition's log started again below `position` (the next
 * offset a consumer had to read): the log now ends before it, and the batch holds records below
 * it (the consumer went back to the log's start). The topic was deleted and made again, or its
 * log cut short. A fetch after a leader change, whose new leader's high watermark has not caught
 * up yet, holds no records: it is not taken for one.
 *
 * @example
 * ```ts
 * import { logRestartedBelow } from "./consume.ts";
 * const batch = (high: number, offsets: number[]) =>
 *   ({ highWatermark: String(high), messages: offsets.map((o) => ({ offset: String(o) })) }) as never;
 * logRestartedBelow(batch(2, [0, 1]), 4); // true
 * logRestartedBelow(batch(3, []), 4); // false: no records
 * logRestartedBelow(batch(9, [2, 3]), 4); // false: the log goes on past the position
 * ```
 */
export function logRestartedBelow(
  batch: Pick<Batch, "highWatermark" | "messages">,
  position: number,
): boolean {
  return position > 0 && Number(batch.highWatermark) < position &&
    batch.messages.length > 0 && Number(batch.messages[0].offset) < position;
}

/**
 * Each partition's end as a read-committed reader sees it (kafkajs asks for the last stable
 * offset). A transaction's commit markers are written just after its commit returns, so right
 * after a sink's commit that end may still lie before the records it committed: the offsets are
 * read until two reads a moment apart agree (at most a few seconds).
 */
async function stableEnds(kafka: Kafka, topics: string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const read = async () => {
      const ends = new Map<string, number>();
      for (const topic of topics) {
        for (const o of await fetchOffsets(admin, topic)) {
          if (Number(o.high) > Number(o.low)) {
            ends.set(partitionKey(topic, o.partition), Number(o.high));
          }
        }
      }
      return ends;
    };
    let ends = await read();
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const again = await read();
      const same = again.size === ends.size && [...again].every(([k, v]) => ends.get(k) === v);
      ends = again;
      if (same) break;
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads every record of `topics` below the high watermarks at call time, read-committed, with a
 * throw-away group; per topic, in partition and offset order. Knows transactional topics: commit
 * markers take offsets but hold no record. A record fetched twice (rebalance, retried fetch) is
 * kept once.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: string[],
): Promise<Map<string, ReadBytes[]>> {
  const ends = await stableEnds(kafka, topics);
  const out = new Map<string, ReadBytes[]>(topics.map((t) => [t, []]));
  if (ends.size === 0) return out;
  const limits = new Map(ends);
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: `read-${crypto.randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const advance = (topic: string, partition: number, after: number) => {
        const k = partitionKey(topic, partition);
        if ((ends.get(k) ?? 0) <= after) ends.delete(k);
        if (ends.size === 0) resolve();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        advance(payload.topic, payload.partition, Number(payload.lastOffset) + 1);
      });
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const list = out.get(batch.topic)!;
          const end = limits.get(partitionKey(batch.topic, batch.partition)) ?? 0;
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            const k = `${partitionKey(batch.topic, batch.partition)}/${offset}`;
            if (offset >= end || seen.has(k)) continue;
            seen.add(k);
            const headers: Record<string, string> = {};
            for (const [name, v] of Object.entries(m.headers ?? {})) headers[name] = String(v);
            list.push({
              partition: batch.partition,
              offset,
              key: m.key,
              value: m.value,
              timestamp: Number(m.timestamp),
              headers,
            });
          }
          await Promise.resolve();
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  for (const list of out.values()) {
    list.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }
  return out;
}

/**
 * {@linkcode readToEnd}'s records of every topic in one list (by topic, partition, offset),
 * key and value decoded as UTF-8 text.
 */
export async function readAll(kafka: Kafka, topics: string[]): Promise<ReadRecord[]> {
  const decoder = new TextDecoder();
  const text = (b: Uint8Array | null) => b === null ? null : decoder.decode(b);
  const read = await readToEnd(kafka, topics);
  const out: ReadRecord[] = [];
  for (const topic of [...read.keys()].sort()) {
    for (const r of read.get(topic)!) {
      out.push({ ...r, topic, key: text(r.key), value: text(r.value) });
    }
  }
  return out;
}
