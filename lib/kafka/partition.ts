/**
 * kafkajs's default partitioner for keyed records (murmur2 of the UTF-8 key, as the Java client
 * does), in 32-bit integer arithmetic rather than kafkajs's `Long` objects: the same partition,
 * computed before the records are handed to a producer; and the one map key of a
 * topic-partition.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Kafka's murmur2 hash of `data` (signed 32-bit). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2] << 16;
    // falls through
    case 2:
      h ^= data[tail + 1] << 8;
    // falls through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition kafkajs's `DefaultPartitioner` picks for a record with this key. */
export function partitionFor(key: string, partitions: number): number {
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}

/**
 * The one map key of a topic-partition, `topic/partition`: Kafka topic names cannot hold a `/`
 * (only letters, digits, `.`, `_`, `-`), so the key is unambiguous and reads well in logs.
 *
 * @example
 * ```ts
 * import { parsePartitionKey, partitionKey } from "./partition.ts";
 * partitionKey("orders", 3); // "orders/3"
 * parsePartitionKey("orders/3"); // { topic: "orders", partition: 3 }
 * ```
 */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** The topic and partition of a {@linkcode partitionKey}. */
export function parsePartitionKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf("/");
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}
