/**
 * One producer thread of `produceRecords({ workers })`: its own idempotent kafkajs producer
 * (acks=all, one request in flight), sending the batches the main thread hands it in the order
 * it receives them. Each (topic, partition) belongs to one worker, so order per key and the
 * producer's sequence numbers hold per partition.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { Buffer } from "node:buffer";
import type { Message, Producer } from "kafkajs";
import { CompressionTypes } from "./_kafkajs.ts";
import type { KafkaConfig } from "../config/mod.ts";
import { createKafka } from "./client.ts";
import { headersFor } from "./produce.ts";

/**
 * A batch for one worker, in columns: one entry per record. The values travel as one buffer of
 * their UTF-8 bytes (transferred, not copied: cloning a thousand 300-character strings cost the
 * main thread more than routing them), which the encoder copies as they are.
 */
export interface WorkerBatch {
  id: number;
  topics: string[];
  /** Per record: index into `topics`. */
  topic: Uint8Array;
  partition: Int32Array;
  keys: (string | null)[];
  /** Every value's UTF-8 bytes, one after another. */
  values: Uint8Array;
  /** Per record: where its value ends in `values` (it starts where the previous one ends). */
  valueEnds: Int32Array;
  timestamps: Float64Array;
  /** Per record: the `event-type` header, or null for a record sent without headers. */
  eventTypes: (string | null)[];
}

/** Main thread → worker. */
export type ToWorker =
  | { type: "init"; config: KafkaConfig; gzip: boolean }
  | ({ type: "batch" } & WorkerBatch)
  | { type: "close" };

/** Worker → main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "done"; id: number }
  | { type: "failed"; id: number; message: string }
  | { type: "closed" };

let producer: Producer | undefined;
let compression = CompressionTypes.None;
let queue: Promise<void> = Promise.resolve();
const post = (message: FromWorker) => self.postMessage(message);

async function send(batch: WorkerBatch) {
  const byTopic: Message[][] = batch.topics.map(() => []);
  const { values, valueEnds } = batch;
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0, start = 0; i < batch.keys.length; i++) {
    const end = valueEnds[i];
    byTopic[batch.topic[i]].push({
      key: batch.keys[i],
      value: bytes.subarray(start, end),
      partition: batch.partition[i],
      timestamp: String(batch.timestamps[i]),
      headers: batch.eventTypes[i] === null ? undefined : headersFor(batch.eventTypes[i]!),
    });
    start = end;
  }
  try {
    await producer!.sendBatch({
      acks: -1,
      compression,
      topicMessages: batch.topics.map((topic, i) => ({ topic, messages: byTopic[i] })),
    });
    post({ type: "done", id: batch.id });
  } catch (error) {
    post({ type: "failed", id: batch.id, message: (error as Error).message });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "init") {
    compression = message.gzip ? CompressionTypes.GZIP : CompressionTypes.None;
    producer = createKafka(message.config).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 },
      // The main thread set every message's partition (kafkajs's default partitioner would
      // return it too, after filtering the partition metadata once per message).
      createPartitioner: () => ({ message }) => message.partition!,
    });
    queue = producer.connect().then(
      () => post({ type: "ready" }),
      (error) => post({ type: "failed", id: -1, message: (error as Error).message }),
    );
  } else if (message.type === "batch") {
    // One batch at a time, in arrival order.
    queue = queue.then(() => send(message));
  } else {
    queue = queue.then(async () => {
      await producer?.disconnect().catch(() => {});
      post({ type: "closed" });
    });
  }
};
