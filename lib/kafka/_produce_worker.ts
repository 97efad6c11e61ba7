/**
 * One producer thread of `produceRecords({ workers })`: its own idempotent kafkajs producer
 * (acks=all, one request in flight), sending the batches the main thread hands it in the order
 * it receives them. Each (topic, partition) belongs to one worker, so order per key and the
 * producer's sequence numbers hold per partition.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { Message, Producer } from "kafkajs";
import { CompressionTypes } from "./_kafkajs.ts";
import type { KafkaConfig } from "../config/mod.ts";
import { createKafka } from "./client.ts";
import { headersFor } from "./produce.ts";

/** A batch for one worker, in columns (cheap to clone): one entry per record. */
export interface WorkerBatch {
  id: number;
  topics: string[];
  /** Per record: index into `topics`. */
  topic: Uint8Array;
  partition: Int32Array;
  keys: (string | null)[];
  values: string[];
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
  for (let i = 0; i < batch.keys.length; i++) {
    byTopic[batch.topic[i]].push({
      key: batch.keys[i],
      value: batch.values[i],
      partition: batch.partition[i],
      timestamp: String(batch.timestamps[i]),
      headers: batch.eventTypes[i] === null ? undefined : headersFor(batch.eventTypes[i]!),
    });
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
