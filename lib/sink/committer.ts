/**
 * The sink's committer: every partition's safe offset and the dead letters below it go to
 * Kafka in ONE transaction (dead letters in sends that fit each DLQ topic, then the group's
 * offsets), so the DLQ is exactly-once too for read-committed readers. Commits are paced by
 * `commitIntervalMs`; one that keeps failing with errors that may pass is retried for
 * `maxCommitRetryMs`, one the broker refuses for good stops the sink at once. A failed
 * transaction is aborted: nothing past the last commit is ever committed.
 *
 * @module
 */
import type { Kafka, Message, Producer } from "kafkajs";
import { errorMessage, KafkaError } from "../errors.ts";
import { dlqName } from "../kafka/client.ts";
import { isRetriable, retry } from "../retry.ts";
import { sleep } from "../sleep.ts";
import { splitSends } from "./dlq.ts";
import { KAFKA_MAX_MESSAGE_BYTES, type SinkSettings, type SinkTopicStats } from "./options.ts";
import type { PartitionState } from "./state.ts";

/** What a {@linkcode Committer} needs from its sink. */
export interface CommitterOptions {
  kafka: Kafka;
  settings: SinkSettings;
  /** The partitions the sink holds now. */
  states: () => Iterable<PartitionState>;
  stats: Map<string, SinkTopicStats>;
  log: (line: string) => void;
  /** A commit failed for good: the sink stops with this error. */
  fail: (error: unknown) => void;
  /** Aborted when the sink stops (drained or stopped): ends the pause and the retries. */
  stopped: AbortSignal;
}

/** The final commit's retry: on a drain it must land; on a stop the next run replays. */
const FINAL_COMMIT_RETRY = { initialDelayMs: 200, maxDelayMs: 2000, drainTries: 30, stopTries: 3 };

/** One partition's share of a commit. */
interface Taken {
  st: PartitionState;
  safe: number;
  /** Dead letters of `st.dlq` (from the front) that go with it. */
  dlq: number;
}

/** Broker answers flagged lasting that a new transactional producer gets past. */
const PASSING_TRANSACTION_ERRORS = [
  "INVALID_TXN_STATE",
  "UNKNOWN_PRODUCER_ID",
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "INVALID_PRODUCER_ID_MAPPING",
];

/**
 * Whether a Kafka failure may pass by trying again. Only the broker's refusal of the request
 * itself is lasting (a protocol error kafkajs flags not retriable: `INVALID_RECORD` from a
 * compacted DLQ, `MESSAGE_TOO_LARGE`, an authorization error); anything else — a lost
 * connection, the group coordinator not found while the broker restarts, kafkajs's own retries
 * exhausted — may pass, and is retried within `maxCommitRetryMs`.
 */
function kafkaRetriable(error: unknown): boolean {
  for (
    let e = error as { name?: string; type?: string; retriable?: unknown; cause?: unknown };
    e && typeof e === "object";
    e = e.cause as typeof e
  ) {
    if (
      e.name === "KafkaJSProtocolError" && e.retriable === false &&
      !PASSING_TRANSACTION_ERRORS.includes(e.type ?? "")
    ) return false;
  }
  return true;
}

function isFenced(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as never) {
    if (
      ["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH", "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"]
        .includes(e.type ?? "")
    ) return true;
  }
  return false;
}

/** The transactional producer that commits a sink's progress. */
export class Committer {
  readonly #o: CommitterOptions;
  #producer?: Producer;
  /** Largest record batch each DLQ topic takes. */
  #dlqMaxBytes: ReadonlyMap<string, number> = new Map();
  #wanted = false;
  #running?: Promise<void>;
  #retrying = false;
  /** Set on a fatal error: no commit starts after it. */
  #halted = false;

  constructor(options: CommitterOptions) {
    this.#o = options;
  }

  /** Whether commits are waiting for Kafka to come back. */
  get retrying(): boolean {
    return this.#retrying;
  }

  /**
   * Connects the transactional producer (fencing an older sink with the same id); dead letters
   * go in batches of at most `dlqMaxBytes` per DLQ topic.
   */
  async connect(dlqMaxBytes: ReadonlyMap<string, number>): Promise<void> {
    this.#dlqMaxBytes = dlqMaxBytes;
    this.#producer = await this.#newProducer();
  }

  async disconnect(): Promise<void> {
    await this.#producer?.disconnect().catch(() => {});
  }

  /** No commit starts from now on (the sink failed: what it holds is replayed next run). */
  halt(): void {
    this.#halted = true;
  }

  /** Asks for a commit soon: joins the running one's next round, else starts one. */
  request(): void {
    this.#wanted = true;
    if (this.#running) return;
    this.#running = this.#loop().finally(() => (this.#running = undefined));
  }

  /** Resolves once no commit runs. */
  async idle(): Promise<void> {
    await this.#running;
  }

  /**
   * The last commit of a run. `mustLand` (a drain): retried, and its failure thrown; else (a
   * stop) tried briefly, and a failure only logged: the next run replays what it held.
   */
  async final(mustLand: boolean): Promise<void> {
    const { initialDelayMs, maxDelayMs, drainTries, stopTries } = FINAL_COMMIT_RETRY;
    try {
      await retry(() => this.#commitOnce(), {
        initialDelayMs,
        maxDelayMs,
        maxTries: mustLand ? drainTries : stopTries,
      });
    } catch (error) {
      if (mustLand) throw error;
      this.#o.log(`final commit failed (${errorMessage(error)}); the next run replays it`);
    }
  }

  async #loop(): Promise<void> {
    const s = this.#o.settings;
    while (this.#wanted && !this.#halted) {
      this.#wanted = false;
      try {
        await retry(() => this.#commitOnce(), {
          ...s.retry,
          maxElapsedMs: s.maxCommitRetryMs,
          signal: this.#o.stopped,
          onRetry: (error) => {
            if (!this.#retrying) this.#o.log(`commit failed (${errorMessage(error)}); retrying`);
            this.#retrying = true;
          },
          onGiveUp: (error, elapsedMs) =>
            new KafkaError(
              `${errorMessage(error)}; gave up after ${Math.round(elapsedMs / 1000)} s of retries`,
              { cause: error },
            ),
        });
      } catch (error) {
        // A stop ends the retries; the final commit tries again.
        if (this.#o.stopped.aborted && isRetriable(error)) return;
        return this.#o.fail(error);
      }
      if (this.#retrying) this.#o.log("Kafka reachable again; commits resume");
      this.#retrying = false;
      // Pace the transactions (each costs the broker several writes): what is stored
      // meanwhile goes into the next one. A stop ends the pause.
      if (s.commitIntervalMs > 0) await sleep(s.commitIntervalMs, this.#o.stopped);
    }
  }

  /**
   * Commits, in one Kafka transaction, every partition's safe offset together with the dead
   * letters below it. On failure the transaction is aborted: nothing of it is committed, and
   * the error says what failed and whether trying again may help.
   */
  async #commitOnce(): Promise<void> {
    const taken = this.#collect();
    if (taken.length === 0) return;
    await this.#transact(taken);
    for (const t of taken) {
      t.st.committed = Math.max(t.st.committed, t.safe);
      t.st.dlq.splice(0, t.dlq);
      this.#o.stats.get(t.st.topic)!.dlq += t.dlq;
    }
  }

  /** What the next commit holds: each partition whose safe offset or dead letters moved. */
  #collect(): Taken[] {
    const taken: Taken[] = [];
    for (const st of this.#o.states()) {
      const safe = st.safe;
      let n = 0;
      while (n < st.dlq.length && st.dlq[n].offset < safe) n++;
      if (safe > st.committed || n > 0) taken.push({ st, safe, dlq: n });
    }
    return taken;
  }

  /** Sends the dead letters and the offsets of `taken` in one transaction. */
  async #transact(taken: Taken[]): Promise<void> {
    const offsets = new Map<string, Array<{ partition: number; offset: string }>>();
    const letters = new Map<string, Message[]>();
    for (const { st, safe, dlq } of taken) {
      if (safe > st.committed) {
        const list = offsets.get(st.topic) ?? [];
        list.push({ partition: st.partition, offset: String(safe) });
        offsets.set(st.topic, list);
      }
      if (dlq > 0) {
        const list = letters.get(dlqName(st.topic)) ?? [];
        for (let i = 0; i < dlq; i++) list.push(st.dlq[i].message);
        letters.set(dlqName(st.topic), list);
      }
    }
    const producer = this.#producer!;
    let transaction;
    let stage = "commit the sink's offsets";
    try {
      transaction = await producer.transaction();
      for (const [topic, messages] of letters) {
        stage = `send ${messages.length} dead letter(s) to ${topic}`;
        const limit = this.#dlqMaxBytes.get(topic) ?? KAFKA_MAX_MESSAGE_BYTES;
        for (const batch of splitSends(messages, limit)) {
          await transaction.send({ topic, messages: batch, acks: -1 });
        }
      }
      stage = "commit the sink's offsets";
      await transaction.sendOffsets({
        consumerGroupId: this.#o.settings.group,
        topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })),
      });
      await transaction.commit();
    } catch (error) {
      await transaction?.abort().catch(async () => {
        // A producer whose transaction cannot even be aborted is replaced; the new one fences
        // the old transactional epoch, which aborts whatever it left open.
        await producer.disconnect().catch(() => {});
        this.#producer = await this.#newProducer().catch(() => producer);
      });
      throw this.#commitError(error, stage);
    }
  }

  #commitError(error: unknown, stage: string): KafkaError {
    if (isFenced(error)) {
      return new KafkaError(
        `Another sink process took over consumer group '${this.#o.settings.group}' (its ` +
          `transactional producer fenced this one): stopping, nothing more committed here. ` +
          `One sink process per group`,
        { cause: error },
      );
    }
    const retriable = kafkaRetriable(error);
    return new KafkaError(
      `Could not ${stage}: ${errorMessage(error)}; nothing past the last commit was ` +
        `committed${retriable ? "" : " (the broker refuses it: trying again cannot help)"}`,
      { cause: error, retriable },
    );
  }

  async #newProducer(): Promise<Producer> {
    const producer = this.#o.kafka.producer({
      transactionalId: this.#o.settings.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 2000 },
    });
    await producer.connect();
    return producer;
  }
}
