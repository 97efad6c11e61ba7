/**
 * `produceRecords` across worker threads: the main thread picks each record's partition as
 * kafkajs's default partitioner would (murmur2 of the key), and hands every (topic, partition)
 * to one worker, which owns an idempotent producer. Order per key and exactly-once delivery
 * hold per partition, as with one producer; the CPU-bound encoding in kafkajs runs on several
 * cores.
 *
 * @module
 */
import type { Admin, Kafka } from "kafkajs";
import type { KafkaConfig } from "../config/mod.ts";
import { KafkaError } from "../errors.ts";
import { Waiters } from "../waiters.ts";
import { METADATA_MAX_AGE_MS, topicName, whileBrokerAway } from "./client.ts";
import { partitionFor, partitionKey } from "./partition.ts";
import { startProduceRun } from "./_produce_run.ts";
import type { FromWorker, ToWorker, WorkerBatch } from "./_produce_worker.ts";
import type { ProduceOptions, ProduceStats, ProducibleRecord } from "./produce.ts";

/** Batches handed to one worker and not yet acknowledged, at most. */
const MAX_IN_FLIGHT = 2;

interface Pending {
  count: number;
  perTopic: Record<string, number>;
}

class ProducerThread {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  readonly #waiters = new Waiters();
  #ready: Promise<void>;
  #closed: Promise<void>;
  failure: Error | undefined;

  constructor(config: KafkaConfig, gzip: boolean, onDone: (pending: Pending) => void) {
    this.worker = new Worker(new URL("./_produce_worker.ts", import.meta.url), { type: "module" });
    let ready!: () => void;
    let closed!: () => void;
    this.#ready = new Promise<void>((resolve) => ready = resolve);
    this.#closed = new Promise<void>((resolve) => closed = resolve);
    const fail = (error: Error) => {
      this.failure ??= error;
      ready();
      closed();
      this.#waiters.wake();
    };
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "ready") ready();
      else if (message.type === "closed") closed();
      else {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.type === "done") onDone(pending!);
        else {
          const error = new Error(message.message);
          Object.assign(error, { records: pending?.count ?? 0 });
          fail(error);
        }
        this.#waiters.wake();
      }
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      fail(new Error(`Producer worker failed: ${event.message}`));
    };
    this.#post({ type: "init", config, gzip });
  }

  #post(message: ToWorker, transfer: Transferable[] = []) {
    this.worker.postMessage(message, transfer);
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  /** Resolves when fewer than `limit` batches are in flight (or the worker failed). */
  async below(limit: number): Promise<void> {
    await this.#waiters.until(() => this.pending.size < limit || this.failure !== undefined);
  }

  send(batch: WorkerBatch, pending: Pending) {
    this.pending.set(batch.id, pending);
    this.#post({ type: "batch", ...batch }, [
      batch.topic.buffer,
      batch.partition.buffer,
      batch.timestamps.buffer,
      batch.values.buffer,
      batch.valueEnds.buffer,
    ]);
  }

  /** Flushes what was handed over, disconnects and ends the thread. */
  async close(timeoutMs: number) {
    if (!this.failure) {
      this.#post({ type: "close" });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#closed,
        new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
      ]);
      clearTimeout(timer);
    }
    this.worker.terminate();
  }
}

/** Columns of one worker's share of a batch, filled record by record. */
class Builder {
  topics: string[] = [];
  topicIndex = new Map<string, number>();
  topic: number[] = [];
  partition: number[] = [];
  keys: (string | null)[] = [];
  values: string[] = [];
  timestamps: number[] = [];
  eventTypes: (string | null)[] = [];
  perTopic: Record<string, number> = {};

  add(record: ProducibleRecord, name: string, partition: number) {
    let t = this.topicIndex.get(name);
    if (t === undefined) {
      this.topicIndex.set(name, t = this.topics.length);
      this.topics.push(name);
    }
    this.topic.push(t);
    this.partition.push(partition);
    this.keys.push(record.key);
    this.values.push(record.value);
    this.timestamps.push(record.timestamp);
    // No event type: no headers (the original producers sent none).
    this.eventTypes.push(record.format === "original" ? null : record.eventType);
    this.perTopic[record.topic] = (this.perTopic[record.topic] ?? 0) + 1;
  }

  build(id: number): WorkerBatch {
    return {
      id,
      topics: this.topics,
      topic: Uint8Array.from(this.topic),
      partition: Int32Array.from(this.partition),
      keys: this.keys,
      ...utf8Column(this.values),
      timestamps: Float64Array.from(this.timestamps),
      eventTypes: this.eventTypes,
    };
  }
}

const utf8 = new TextEncoder();

/**
 * The UTF-8 bytes of `strings`, one after another, and where each ends. All ASCII (the usual
 * case: JSON from `JSON.stringify` of ASCII data), the joined text is encoded at once and a
 * string's bytes are its characters; else each string is encoded in turn.
 *
 * @example
 * ```ts ignore
 * utf8Column(["ab", "é"]); // { values: [0x61, 0x62, 0xc3, 0xa9], valueEnds: [2, 4] }
 * ```
 */
export function utf8Column(
  strings: readonly string[],
): { values: Uint8Array; valueEnds: Int32Array } {
  const valueEnds = new Int32Array(strings.length);
  const joined = strings.join("");
  const bytes = utf8.encode(joined);
  if (bytes.length === joined.length) {
    let end = 0;
    for (let i = 0; i < strings.length; i++) valueEnds[i] = end += strings[i].length;
    return { values: bytes, valueEnds };
  }
  const values = new Uint8Array(joined.length * 3);
  let end = 0;
  for (let i = 0; i < strings.length; i++) {
    valueEnds[i] = end += utf8.encodeInto(strings[i], values.subarray(end)).written;
  }
  return { values: values.slice(0, end), valueEnds };
}

/**
 * Where each record goes: its partition (murmur2 of the key, or the partitions in turn per
 * topic for keyless records, as kafkajs's partitioner sends them) and the thread that owns that
 * topic-partition (assigned in turn on first use, so a partition's records stay in order).
 */
class Router {
  readonly admin: Admin;
  readonly #threads: number;
  readonly #maxAgeMs: number;
  /** Partitions per topic (admin metadata). */
  readonly #counts = new Map<string, number>();
  /** When each topic's count was read (`performance.now`), or looked up again. */
  readonly #readAt = new Map<string, number>();
  /** Owning thread per {@linkcode partitionKey}. */
  readonly #owners = new Map<string, number>();
  readonly #roundRobin = new Map<string, number>();
  #nextOwner = 0;

  constructor(admin: Admin, threads: number, maxAgeMs: number) {
    this.admin = admin;
    this.#threads = threads;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The partition count of `name`, if known (else {@linkcode Router.learn} it first). */
  count(name: string): number | undefined {
    return this.#counts.get(name);
  }

  /**
   * Looks up again, in the background, each count read longer than the metadata age ago, so
   * partitions added to a topic during a long run get its records (as a Java producer's metadata
   * refresh does); until the answer comes, and when none comes (a broker away), the known count
   * goes on.
   */
  refresh(): void {
    const now = performance.now();
    for (const [name, at] of this.#readAt) {
      if (now - at < this.#maxAgeMs) continue;
      this.#readAt.set(name, now);
      this.#read(name).then((fresh) => {
        if (fresh > (this.#counts.get(name) ?? 0)) this.#counts.set(name, fresh);
      }, () => {/* the next look-up will tell */});
    }
  }

  async #read(name: string): Promise<number> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [name] });
    const count = metadata.topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new KafkaError(`Topic ${name} has no partitions`, { retriable: true });
    return count;
  }

  /** A record's partition and owning thread, its topic having `count` partitions. */
  route(name: string, key: string | null, count: number): { partition: number; owner: number } {
    let partition: number;
    if (key !== null) partition = partitionFor(key, count);
    else {
      partition = this.#roundRobin.get(name) ?? 0;
      this.#roundRobin.set(name, (partition + 1) % count);
    }
    const slot = partitionKey(name, partition);
    let owner = this.#owners.get(slot);
    if (owner === undefined) {
      this.#owners.set(slot, owner = this.#nextOwner);
      this.#nextOwner = (this.#nextOwner + 1) % this.#threads;
    }
    return { partition, owner };
  }

  /**
   * Reads the partition count of `name` from the broker, the first time a record of that topic
   * comes, which may be while the broker restarts (a soak run's first orders did): a broker that
   * does not answer is waited for, as the producer threads' own retries wait for it.
   */
  async learn(name: string): Promise<number> {
    const count = await whileBrokerAway(() => this.#read(name), {
      initialDelayMs: 500,
      maxDelayMs: 5000,
    });
    this.#counts.set(name, count);
    this.#readAt.set(name, performance.now());
    return count;
  }
}

/** `produceRecords` with `workers` ≥ 1 producer threads. */
export async function produceParallel(
  kafka: Kafka,
  config: KafkaConfig,
  records: Iterable<ProducibleRecord>,
  options: ProduceOptions,
  workers: number,
): Promise<ProduceStats> {
  const run = startProduceRun(options);
  const onDone = (pending: Pending) => run.sent(pending.count, pending.perTopic);
  const threads = Array.from(
    { length: workers },
    () => new ProducerThread(config, options.compression === "gzip", onDone),
  );
  const check = () => {
    const failed = threads.find((t) => t.failure);
    if (!failed) return;
    const error = failed.failure!;
    throw run.failed((error as Error & { records?: number }).records ?? 0, error);
  };

  const router = new Router(
    kafka.admin(),
    threads.length,
    options.metadataMaxAgeMs ?? METADATA_MAX_AGE_MS,
  );
  let nextId = 0;
  let handed = 0;
  const dispatch = async (batch: ProducibleRecord[]) => {
    if (batch.length === 0) return;
    const builders = threads.map(() => new Builder());
    router.refresh();
    for (const record of batch) {
      const name = topicName(config, record.topic);
      const count = router.count(name) ?? await router.learn(name);
      const { partition, owner } = router.route(name, record.key, count);
      builders[owner].add(record, name, partition);
    }
    for (let i = 0; i < threads.length; i++) {
      const builder = builders[i];
      if (builder.keys.length === 0) continue;
      await threads[i].below(MAX_IN_FLIGHT);
      check();
      threads[i].send(builder.build(nextId++), {
        count: builder.keys.length,
        perTopic: builder.perTopic,
      });
    }
    handed += batch.length;
  };

  try {
    await router.admin.connect();
    await Promise.all(threads.map((t) => t.ready()));
    check();
    run.connected();
    let batch: ProducibleRecord[] = [];
    for (const record of records) {
      if (options.signal?.aborted) break;
      batch.push(record);
      if (batch.length >= run.batchSize) {
        await run.pace(handed, batch);
        check();
        await dispatch(batch);
        batch = [];
      }
    }
    // The last, partial batch waits for its moment too (unless stopped: then it goes at once).
    await run.pace(handed, batch);
    check();
    await dispatch(batch);
    for (const thread of threads) await thread.below(1);
    check();
  } finally {
    await router.admin.disconnect().catch(() => {});
    await Promise.all(threads.map((t) => t.close(10_000)));
  }
  return run.finish();
}
