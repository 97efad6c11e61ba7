/**
 * Sending simulated records to Kafka: kafkajs idempotent producer, acks=all, the record key per
 * topic, headers (event type, schema version), batches in emission order, an optional rate limit.
 * The original producers' records (`format: "original"`) go as they did: no headers, and the
 * clickstream without a key (round-robin over the partitions).
 *
 * With the same seed and options it sends exactly the records `simulate` writes, in the same
 * order per key: batches go one at a time, and a batch whose answer was lost (a broker restart)
 * is sent again only if it is not in the log already (`./_in_doubt.ts`: the broker's own
 * duplicate check forgets producers whose records are dated more than a day back).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Kafka, Message } from "kafkajs";
import { CompressionTypes } from "./_kafkajs.ts";
import type { KafkaConfig } from "../config/mod.ts";
import { SCHEMA_VERSION, type Topic } from "../schema/events.ts";
import { METADATA_MAX_AGE_MS, topicName } from "./client.ts";
import { produceParallel } from "./_produce_parallel.ts";
import { startProduceRun } from "./_produce_run.ts";

/** What a producer sends: the simulator's records have this shape. */
export interface ProducibleRecord {
  topic: Topic;
  /** The record key, or null for none. */
  key: string | null;
  value: string;
  eventType: string;
  /** Event time, ms: used as the Kafka record timestamp. */
  timestamp: number;
  /** `original`: sent without headers, as the original producers did. */
  format?: "original";
}

/** Progress and the final summary of a produce run. */
export interface ProduceStats {
  sent: number;
  failed: number;
  perTopic: Record<string, number>;
  /** Seconds since the producers were connected (starting threads and connections left out). */
  seconds: number;
  /** Records per second so far. */
  rate: number;
}

/** Options of {@linkcode produceRecords}. */
export interface ProduceOptions {
  /**
   * Records per second, 0 for full speed; pacing by event time, the rate sets only the size of
   * a request (a tenth of a second's records). @default 0
   */
  rate?: number;
  /**
   * How sending is paced: to `rate`, or by the records' event times (a live run: a request waits
   * until the wall clock reaches its latest record's time, so no record goes out before it
   * happened, however the traffic varies over the run; records already past go at once).
   * @default "rate"
   */
  paceBy?: "rate" | "eventTime";
  /** The wall clock for pacing by event time (tests pass their own). @default Date.now */
  wallClock?: () => number;
  /** Records per `sendBatch` request. @default 1000 */
  batchSize?: number;
  /** Compression of record batches. @default "none" */
  compression?: "none" | "gzip";
  /** Stop early (Ctrl-C): what was handed to the producer is flushed first. */
  signal?: AbortSignal;
  /** Called about every `progressEvery` records and at the end. */
  onProgress?: (stats: ProduceStats) => void;
  /** @default 5000 */
  progressEvery?: number;
  /** The clock for rates and pacing (tests pass their own). @default performance.now */
  now?: () => number;
  /**
   * Producer threads (Web Workers, each with its own idempotent producer; every partition
   * belongs to one of them), or 0 to send from this thread. One thread lets the caller's
   * work (simulation, partitioning) overlap kafkajs's; with the faster encoder installed in
   * kafkajs (`./_kafkajs_fast.ts`) more threads only pay off where the broker has cores to
   * spare. @default 1
   */
  workers?: number;
  /**
   * How often a topic's partition count is looked up again during a run, ms: partitions added to
   * a topic meanwhile get its records from then on. @default METADATA_MAX_AGE_MS (30 s;
   * kafkajs's default, 5 minutes, and the threads' count read once per run, kept them out longer)
   */
  metadataMaxAgeMs?: number;
}

const DEFAULT_WORKERS = 1;

/** The Kafka message for a record: key, value, timestamp and headers. */
export function toMessage(record: ProducibleRecord): Message {
  return {
    key: record.key,
    value: record.value,
    timestamp: String(record.timestamp),
    headers: record.format === "original" ? undefined : headersFor(record.eventType),
  };
}

// Header values repeat (a few event types, one schema version): build each Buffer once, since
// kafkajs would otherwise convert the strings for every record.
const HEADERS = new Map<string, Record<string, Buffer>>();
const SCHEMA_VERSION_BYTES = Buffer.from(SCHEMA_VERSION);
export function headersFor(eventType: string): Record<string, Buffer> {
  let headers = HEADERS.get(eventType);
  if (!headers) {
    headers = { "event-type": Buffer.from(eventType), "schema-version": SCHEMA_VERSION_BYTES };
    HEADERS.set(eventType, headers);
  }
  return headers;
}

/**
 * Sends `records` (in order) to their topics, batched; returns the summary. Throws `KafkaError`
 * if a batch cannot be sent after kafkajs's retries (the summary so far is in its `cause`).
 *
 * @example
 * ```ts ignore
 * const stats = await produceRecords(kafka, config.kafka, simulate({ seed: 1, events: 1000 }));
 * console.log(stats.sent); // 1000
 * ```
 */
export async function produceRecords(
  kafka: Kafka,
  config: KafkaConfig,
  records: Iterable<ProducibleRecord>,
  options: ProduceOptions = {},
): Promise<ProduceStats> {
  const workers = options.workers ?? DEFAULT_WORKERS;
  if (workers > 0) return produceParallel(kafka, config, records, options, workers);
  const run = startProduceRun(options);
  const compression = options.compression === "gzip"
    ? CompressionTypes.GZIP
    : CompressionTypes.None;
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Its partitioner counts the partitions its metadata lists: partitions added during a run
    // get records once it is read again.
    metadataMaxAge: options.metadataMaxAgeMs ?? METADATA_MAX_AGE_MS,
    // Generous retries: a broker restart of a few seconds must not fail the run, and a resend
    // by the same idempotent producer cannot duplicate (see ./_in_doubt.ts).
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  let batch: ProducibleRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const record of batch) {
      const name = topicName(config, record.topic);
      let list = byTopic.get(name);
      if (!list) byTopic.set(name, list = []);
      list.push(toMessage(record));
    }
    try {
      await producer.sendBatch({
        acks: -1,
        compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      throw run.failed(batch.length, error as Error);
    }
    const perTopic: Record<string, number> = {};
    for (const record of batch) perTopic[record.topic] = (perTopic[record.topic] ?? 0) + 1;
    run.sent(batch.length, perTopic);
    batch = [];
  };
  await producer.connect();
  run.connected();
  try {
    for (const record of records) {
      if (options.signal?.aborted) break;
      batch.push(record);
      if (batch.length >= run.batchSize) {
        await run.pace(run.stats.sent, batch);
        await flush();
      }
    }
    // The last, partial batch waits for its moment too (unless stopped: then it goes at once).
    await run.pace(run.stats.sent, batch);
    await flush();
  } finally {
    await producer.disconnect();
  }
  return run.finish();
}
