/** Reading topics to their end: for tests, notebooks and checks against the lake. */
import type { Kafka } from "kafkajs";
import { highWatermarks } from "./topics.ts";

/** One record as read back. */
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
 * Reads every record of `topics` from the beginning to the high watermark at call time, with a
 * throw-away consumer group (nothing is committed).
 */
export async function readAll(kafka: Kafka, topics: string[]): Promise<ReadRecord[]> {
  const ends = new Map<string, Map<number, number>>();
  let remaining = 0;
  for (const topic of topics) {
    const hw = await highWatermarks(kafka, topic);
    ends.set(topic, hw);
    for (const end of hw.values()) remaining += end;
  }
  // Keyed by position: a consumer may see a batch twice (rebalance, retried fetch); the log holds it once.
  const seen = new Map<string, ReadRecord>();
  if (remaining === 0) return [];
  const consumer = kafka.consumer({ groupId: `read-all-${crypto.randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        autoCommit: false,
        // deno-lint-ignore require-await
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.topic)?.get(batch.partition) ?? 0;
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            const position = `${batch.topic}\u0000${batch.partition}\u0000${offset}`;
            if (offset >= end || seen.has(position)) continue;
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
            seen.set(position, {
              topic: batch.topic,
              partition: batch.partition,
              offset,
              key: m.key?.toString() ?? null,
              value: m.value?.toString() ?? null,
              timestamp: Number(m.timestamp),
              headers,
            });
            remaining--;
          }
          if (remaining <= 0) resolve();
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return [...seen.values()].sort((a, b) =>
    a.topic < b.topic
      ? -1
      : a.topic > b.topic
      ? 1
      : a.partition - b.partition || a.offset - b.offset
  );
}
