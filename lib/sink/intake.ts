/**
 * The sink's intake: the consumer group, and what each fetched batch does: records that pass
 * the raw validity rule go to their partition's open file (`buffer.ts` closes it by the
 * rotation rules), the others become dead letters; closed files go to the uploads. A partition
 * whose upload queue is full fetches nothing more (back-pressure). Partitions that leave this
 * member on a rebalance are dropped with their buffers and uploads: their new owner replays them.
 *
 * @module
 */
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import { KafkaError } from "../errors.ts";
import { dlqName, noBrokerAnswered, whileBrokerAway } from "../kafka/client.ts";
import { logRestartedBelow, offsetOf, readableEnd, timestampOf } from "../kafka/consume.ts";
import { partitionKey } from "../kafka/partition.ts";
import type { ClosedFile } from "./buffer.ts";
import { checkRecord, dlqMessage, fitMessage } from "./dlq.ts";
import { lakeLine } from "../schema/raw.ts";
import { KAFKA_MAX_MESSAGE_BYTES, SINK_FETCH, type SinkSettings } from "./options.ts";
import { isDrained } from "./progress.ts";
import { advance, locked, newPartitionState, type PartitionState, type Position } from "./state.ts";
import type { Uploader } from "./uploads.ts";

/** What an {@linkcode Intake} needs from its sink. */
export interface IntakeOptions {
  kafka: Kafka;
  settings: SinkSettings;
  positions: ReadonlyMap<string, Position>;
  dlqMaxBytes: ReadonlyMap<string, number>;
  uploader: Uploader;
  requestCommit: () => void;
  /** With `once`: every partition is taken up to the high watermark seen at start. */
  onDrained: () => void;
  fail: (error: unknown) => void;
  /** Whether the sink is stopping: no record is taken any more. */
  stopping: () => boolean;
  /** Aborted on a stop or a fatal error: ends every partition's uploads. */
  signal: AbortSignal;
  /** Wall clock of the idle flush. */
  now: () => number;
}

/** The consumer side of one sink and its partitions' states. */
export class Intake {
  readonly #o: IntakeOptions;
  /** The partitions this member holds, per {@linkcode partitionKey}. */
  readonly states = new Map<string, PartitionState>();
  #consumer?: Consumer;

  constructor(options: IntakeOptions) {
    this.#o = options;
  }

  /** Each partition's offsets seen at start (live, `high` moves on with every batch). */
  get positions(): ReadonlyMap<string, Position> {
    return this.#o.positions;
  }

  /** Whether every partition is taken up to the high watermark seen at start. */
  drained(): boolean {
    return isDrained(this.#o.positions, this.states, this.#o.settings.topics);
  }

  /** Joins the group and starts fetching; on a failure the consumer it made is disconnected. */
  async start(): Promise<void> {
    const s = this.#o.settings;
    const consumer = this.#o.kafka.consumer({
      groupId: s.group,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(s.sessionTimeoutMs / 5)),
      metadataMaxAge: s.metadataMaxAgeMs,
      ...SINK_FETCH,
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.#assigned(payload));
    // Batches of transaction markers (or aborted records) reach no handler: move past them here,
    // or a drain would wait forever for offsets that hold no record.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      this.#passed(payload.topic, payload.partition, Number(payload.lastOffset) + 1);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || consumer !== this.#consumer) return;
      if (noBrokerAnswered(payload.error) && !this.#o.stopping()) this.#rejoin(payload.error);
      else this.#o.fail(payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: s.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: s.partitionsConcurrently,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
  }

  /**
   * After kafkajs gave up because no broker or group coordinator answered (a broker restart):
   * a new consumer joins the group once a broker answers, for up to two minutes, as kafkajs's
   * own restart would (the group's rebalance keeps or drops partitions as on any other).
   */
  #rejoin(cause: unknown): void {
    whileBrokerAway(() => this.#o.stopping() ? Promise.resolve() : this.start(), {
      signal: this.#o.signal,
    }).catch(() => this.#o.fail(cause));
  }

  /** Stops fetching and waits for the batches being handled. */
  async stop(): Promise<void> {
    await this.#consumer?.stop().catch(() => {});
    await Promise.all([...this.states.values()].map((st) => st.lock));
  }

  async disconnect(): Promise<void> {
    await this.#consumer?.disconnect().catch(() => {});
  }

  /** Closes files no record reached for `idleFlushMs` of wall clock (gives up exactly-once). */
  idleFlush(): void {
    if (this.#o.stopping()) return;
    const idle = this.#o.settings.idleFlushMs;
    const isIdle = (st: PartitionState) =>
      st.buffer.size > 0 && this.#o.now() - st.lastAppend >= idle;
    for (const st of this.states.values()) {
      if (!isIdle(st)) continue;
      locked(st, () => {
        if (isIdle(st)) {
          this.#o.uploader.enqueue(st, [st.buffer.close()!]);
          advance(st);
        }
        return Promise.resolve();
      }).catch((error) => this.#o.fail(error));
    }
  }

  /** End of a drain: closes every open file and stores it. */
  async flushAll(): Promise<void> {
    for (const st of this.states.values()) {
      const file = st.buffer.close();
      if (file) this.#o.uploader.enqueue(st, [file]);
    }
    await this.#o.uploader.settled();
    for (const st of this.states.values()) advance(st);
  }

  #state(topic: string, partition: number): PartitionState {
    const k = partitionKey(topic, partition);
    let st = this.states.get(k);
    if (!st) {
      const committed = this.#o.positions.get(k)?.committed ?? -1;
      st = newPartitionState(
        topic,
        partition,
        committed,
        this.#o.settings.rotation,
        this.#o.signal,
      );
      this.states.set(k, st);
    }
    return st;
  }

  /** Partitions gone to another member: their buffers and uploads are its to replay. */
  #assigned(payload: { memberAssignment: Record<string, number[]> }) {
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const p of partitions) assigned.add(partitionKey(topic, p));
    }
    for (const [k, st] of [...this.states]) {
      if (assigned.has(k)) continue;
      this.states.delete(k);
      st.abort.abort();
    }
  }

  /** A batch without records (markers, aborted records) ended before `after`: move past it. */
  #passed(topic: string, partition: number, after: number) {
    const st = this.#state(topic, partition);
    locked(st, () => {
      if (this.#o.stopping() || st.next > after) return Promise.resolve();
      st.next = after;
      this.#moved(st);
      return Promise.resolve();
    }).catch((error) => this.#o.fail(error));
  }

  /** A partition moved on: its commit candidate, a commit, and with `once` the drain check. */
  #moved(st: PartitionState) {
    advance(st);
    this.#o.requestCommit();
    if (this.#o.settings.once && !this.#o.stopping() && this.drained()) this.#o.onDrained();
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    if (this.#o.stopping()) return;
    const { batch } = payload;
    const st = this.#state(batch.topic, batch.partition);
    try {
      await locked(st, async () => {
        const position = this.#o.positions.get(partitionKey(batch.topic, batch.partition));
        // Live, the lag follows the log, up to where a read-committed consumer can read (the
        // last stable offset, as at start: another producer's open transaction is no lag). A
        // drain (`once`) keeps the end it was given at start: waiting for an open transaction's
        // records would wait for the broker to time it out (up to 15 minutes), to read nothing.
        if (position && !this.#o.settings.once) position.high = readableEnd(batch);
        const restarted = logRestarted(batch, st.next);
        if (restarted) throw restarted;
        if (!await this.#roomFor(st, payload)) return;
        const closed: ClosedFile[] = [];
        const size = st.buffer.size;
        await this.#takeBatch(st, payload, closed);
        if (closed.length > 0 || st.buffer.size !== size) st.lastAppend = this.#o.now();
        this.#o.uploader.enqueue(st, closed);
        this.#moved(st);
      });
    } catch (error) {
      // No broker answered (a heartbeat in a long batch, during a broker restart): kafkajs
      // fetches again or restarts the consumer; records below `st.next` are skipped then.
      if (noBrokerAnswered(error) && !this.#o.stopping()) throw error;
      this.#o.fail(error);
    }
  }

  /** Whether this member still holds `st` (no stop, rebalance or newer state since). */
  #lost(st: PartitionState, { isRunning, isStale }: EachBatchPayload): boolean {
    return this.#o.stopping() || !isRunning() || isStale() ||
      this.states.get(partitionKey(st.topic, st.partition)) !== st;
  }

  /**
   * Back-pressure: waits while the partition's queue for the lake is full, heartbeating;
   * false when the partition is lost meanwhile (nothing of the batch is taken: it is fetched
   * again).
   */
  async #roomFor(st: PartitionState, payload: EachBatchPayload): Promise<boolean> {
    while (st.uploads.length >= this.#o.settings.maxQueuedFiles) {
      if (this.#lost(st, payload)) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        st.uploads[0].settled,
        new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
      ]);
      clearTimeout(timer);
      if (st.signal.aborted) return false;
      try {
        await payload.heartbeat();
      } catch {
        return false; // a rebalance: nothing of this batch is taken, so it is fetched again
      }
    }
    return true;
  }

  /**
   * Takes the batch's new records (a batch fetched again holds some already taken). Offsets
   * after its last record that hold none (an aborted transaction's records, its marker) are
   * passed too: the next fetch starts after them, and a drain would wait for them for ever.
   */
  async #takeBatch(st: PartitionState, payload: EachBatchPayload, closed: ClosedFile[]) {
    const messages = payload.batch.messages;
    let last: string | undefined;
    let taken = -1; // the index of the last record looked at
    let complete = true;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (i % 2000 === 1999) {
        if (this.#lost(st, payload)) {
          complete = false;
          break;
        }
        await payload.heartbeat();
      }
      const offset = offsetOf(m);
      if (st.next < 0 || offset >= st.next) {
        st.next = offset + 1;
        this.#take(st, m, offset, closed);
      }
      taken = i;
    }
    if (taken >= 0) last = messages[taken].offset;
    // Every record taken: the batch's end (its last offset, records or not) is passed.
    const end = payload.batch.lastOffset();
    const after = Number(end) + 1;
    if (complete && messages.length > 0 && after > st.next) {
      st.next = after;
      last = end;
    }
    if (last !== undefined) payload.resolveOffset(last);
  }

  /** Adds one record to its file, or to the pending dead letters. */
  #take(st: PartitionState, m: KafkaMessage, offset: number, closed: ClosedFile[]) {
    const zone = this.#o.settings.eventTimeZone;
    const check = checkRecord(m.value, timestampOf(m), { zone });
    if (!check.ok) {
      const source = {
        topic: st.topic,
        partition: st.partition,
        offset,
        key: m.key,
        value: m.value,
        timestamp: m.timestamp,
        headers: m.headers,
      };
      const letter = dlqMessage(source, check.rejection, this.#o.settings.group);
      const limit = this.#o.dlqMaxBytes.get(dlqName(st.topic)) ?? KAFKA_MAX_MESSAGE_BYTES;
      st.dlq.push({ offset, message: fitMessage(letter, limit) });
      return;
    }
    for (const file of st.buffer.add(offset, check.time, lakeLine(m.value!))) closed.push(file);
  }
}

/**
 * The error for a batch that shows the partition's log started again below the sink's position
 * (`logRestartedBelow`: the topic was deleted and made again, or its log cut short): its records
 * would be stored under the names of lake files that hold the old log's records (files are named
 * by offset), replacing them, so the sink stops instead.
 */
export function logRestarted(
  batch: Pick<Batch, "topic" | "partition" | "highWatermark" | "messages">,
  next: number,
): KafkaError | null {
  if (!logRestartedBelow(batch, next)) return null;
  const end = Number(batch.highWatermark);
  return new KafkaError(
    `${batch.topic} partition ${batch.partition} started again: its log ends at offset ${end}, ` +
      `below the ${next} the sink had taken (the topic was deleted and made again, or its log ` +
      `cut short), and its new records would replace the lake files named by the same offsets. ` +
      `Move the lake's topics/${batch.topic}/ aside, then start the sink with a new --group.`,
  );
}
