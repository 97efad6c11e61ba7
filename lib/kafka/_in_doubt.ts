/**
 * In-doubt batches of an idempotent producer: a Produce request that failed without an answer
 * (connection lost, request timed out, broker restarted) may or may not be in the log.
 *
 * kafkajs sends such a batch again with the same producer id, epoch and sequence numbers, and
 * the broker drops the copy, but only while it remembers the producer. A broker forgets every
 * producer whose last batch's timestamp is older than `producer.id.expiration.ms` (one day by
 * default) whenever it loads producer state, that is at every restart, clean or not, and every
 * `producer.id.expiration.check.interval.ms` (ten minutes). The timestamp it compares is the
 * record timestamp, and ours is the event time: simulated history, backfills and the original
 * producers' data are days old. For an unknown producer the broker accepts any sequence, so
 * the resent batch lands a second time (Kafka's own guarantee only covers what it remembers).
 *
 * So before a batch is resent, the ledger looks for it. It keeps, per partition, a *floor*: an
 * offset at or below wherever this producer's next batch lands (the log end before its first
 * batch there, then the end of its last acknowledged batch). A batch from the floor on with
 * the in-doubt batch's producer id, epoch and first sequence is that batch: it counts as
 * written, its sequence numbers as used, and it is not sent again. Otherwise it is resent with
 * the same sequence numbers, which is right whether or not the broker still remembers us.
 *
 * All of this happens only after a failure, except one ListOffsets request the first time the
 * producer writes to a partition; nothing is added per record. Looking needs permission to read
 * the topic; a client without it resends as kafkajs alone would.
 *
 * @module
 */

/** One partition of a Produce request, as kafkajs's `createTopicData` builds it. */
export interface PartitionData {
  partition: number;
  messages: unknown[];
  /** Set by kafkajs just before the request is sent. */
  firstSequence?: number;
}

/** One topic of a Produce request. */
export interface TopicData {
  topic: string;
  partitions: PartitionData[];
}

/** The header of a record batch in a partition's log. */
export interface BatchHeader {
  /** As kafkajs decodes an int64: a decimal string. */
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  firstOffset: number;
  lastOffset: number;
}

/** What the ledger reads from a partition's leader. */
export interface LogReader {
  /** The log end offsets (high watermarks) of these partitions, in the same order. */
  ends(partitions: Array<{ topic: string; partition: number }>): Promise<number[]>;
  /**
   * Batches from `offset` on (the first may start before it; at least one when any lies at or
   * after `offset`), and the log end offset; null when this client may not read the topic.
   */
  read(
    topic: string,
    partition: number,
    offset: number,
  ): Promise<{ batches: BatchHeader[]; end: number } | null>;
}

/** The producer's sequence numbers per partition (kafkajs's `eosManager` has these). */
export interface Sequences {
  getSequence(topic: string, partition: number): number;
  updateSequence(topic: string, partition: number, increment: number): void;
}

/** The producer as the broker knows it. */
export interface ProducerIdentity {
  producerId: string;
  producerEpoch: number;
}

/** A partition's result, as kafkajs reports a Produce response (`responseSerializer`). */
export interface PartitionResult {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

interface Doubt {
  firstSequence: number;
  count: number;
  /** The batch's first and last message objects: whether a resend carries the same messages. */
  first: unknown;
  last: unknown;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Per producer: the floors of its partitions and its in-doubt batches (see the module doc). */
export class InDoubtLedger {
  readonly #floors = new Map<string, number>();
  readonly #doubts = new Map<string, Doubt>();

  /** The floor of a partition, once known. */
  floor(topic: string, partition: number): number | undefined {
    return this.#floors.get(key(topic, partition));
  }

  /** Whether a batch of this partition is in doubt. */
  inDoubt(topic: string, partition: number): boolean {
    return this.#doubts.has(key(topic, partition));
  }

  /**
   * Before a Produce request: learns the floors of partitions new to this producer, then looks
   * for the in-doubt batches of the request's partitions. A batch found in the log has its
   * sequence numbers counted and, when the request carries the same messages again, leaves the
   * request (`topicData` is changed in place); its result is returned as kafkajs would report
   * it. Changes nothing when a read fails, so that kafkajs can retry the whole request.
   */
  async settle(
    topicData: TopicData[],
    producer: ProducerIdentity,
    reader: LogReader,
    sequences: Sequences,
  ): Promise<PartitionResult[]> {
    await this.#learnFloors(topicData, reader);
    const checks: Array<{ topic: TopicData; data: PartitionData; doubt: Doubt }> = [];
    for (const topic of topicData) {
      for (const data of topic.partitions) {
        const doubt = this.#doubts.get(key(topic.topic, data.partition));
        if (doubt) checks.push({ topic, data, doubt });
      }
    }
    if (checks.length === 0) return [];
    const found: Array<BatchHeader | undefined> = [];
    for (const { topic, data, doubt } of checks) {
      const current = sequences.getSequence(topic.topic, data.partition);
      found.push(
        current === doubt.firstSequence
          ? await this.#find(reader, topic.topic, data.partition, producer, doubt)
          : undefined, // the sequence moved on: that batch was settled another way
      );
    }
    // Every read succeeded: apply the results at once.
    const written: PartitionResult[] = [];
    checks.forEach(({ topic, data, doubt }, i) => {
      this.#doubts.delete(key(topic.topic, data.partition));
      const batch = found[i];
      if (!batch) return;
      sequences.updateSequence(topic.topic, data.partition, doubt.count);
      this.#raiseFloor(topic.topic, data.partition, batch.lastOffset + 1);
      const m = data.messages;
      if (m.length === doubt.count && m[0] === doubt.first && m[m.length - 1] === doubt.last) {
        topic.partitions.splice(topic.partitions.indexOf(data), 1);
        written.push({
          topicName: topic.topic,
          partition: Number(data.partition),
          errorCode: 0,
          baseOffset: String(batch.firstOffset),
          logAppendTime: "-1",
          logStartOffset: "-1",
        });
      }
    });
    for (let i = topicData.length - 1; i >= 0; i--) {
      if (topicData[i].partitions.length === 0) topicData.splice(i, 1);
    }
    return written;
  }

  /** After a failed Produce request (sequences rolled back): its batches are in doubt. */
  failed(topicData: TopicData[]): void {
    for (const { topic, partitions } of topicData) {
      for (const { partition, messages, firstSequence } of partitions) {
        if (firstSequence === undefined || messages.length === 0) continue;
        this.#doubts.set(key(topic, partition), {
          firstSequence,
          count: messages.length,
          first: messages[0],
          last: messages[messages.length - 1],
        });
      }
    }
  }

  /** After an answered Produce request: each partition's floor moves past its batch. */
  acknowledged(topicData: TopicData[], results: PartitionResult[]): void {
    const counts = new Map<string, number>();
    for (const { topic, partitions } of topicData) {
      for (const { partition, messages } of partitions) {
        counts.set(key(topic, partition), messages.length);
      }
    }
    for (const { topicName, partition, baseOffset } of results) {
      const base = Number(baseOffset);
      const count = counts.get(key(topicName, partition));
      if (count !== undefined && base >= 0) this.#raiseFloor(topicName, partition, base + count);
    }
  }

  async #learnFloors(topicData: TopicData[], reader: LogReader) {
    const unknown: Array<{ topic: string; partition: number }> = [];
    for (const { topic, partitions } of topicData) {
      for (const { partition } of partitions) {
        if (!this.#floors.has(key(topic, partition))) unknown.push({ topic, partition });
      }
    }
    if (unknown.length === 0) return;
    const ends = await reader.ends(unknown);
    unknown.forEach(({ topic, partition }, i) => this.#raiseFloor(topic, partition, ends[i]));
  }

  #raiseFloor(topic: string, partition: number, offset: number) {
    const k = key(topic, partition);
    if (Number.isSafeInteger(offset) && offset > (this.#floors.get(k) ?? -1)) {
      this.#floors.set(k, offset);
    }
  }

  /** The in-doubt batch in the partition's log from its floor on, if it is there. */
  async #find(
    reader: LogReader,
    topic: string,
    partition: number,
    producer: ProducerIdentity,
    doubt: Doubt,
  ): Promise<BatchHeader | undefined> {
    let offset = this.#floors.get(key(topic, partition)) ?? 0;
    for (;;) {
      const read = await reader.read(topic, partition, offset);
      if (!read) return undefined; // cannot look: resend, as kafkajs alone would
      const { batches, end } = read;
      const batch = batches.find((b) =>
        b.producerId === producer.producerId && b.producerEpoch === producer.producerEpoch &&
        b.firstSequence === doubt.firstSequence && b.lastOffset >= offset
      );
      if (batch) return batch;
      const next = Math.max(offset, ...batches.map((b) => b.lastOffset + 1));
      if (next >= end || next === offset) return undefined;
      offset = next;
    }
  }
}
