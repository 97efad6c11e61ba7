/**
 * Checking the raw lake against Kafka: every record of a topic must be in exactly one lake file
 * (a valid raw record, `lib/schema/raw.ts`) or exactly once in the topic's DLQ (anything else),
 * no more, no less.
 *
 * Lines carry no offsets; the file name does. A file's lines are matched to the topic's valid
 * records from its start offset on, in order (records sent to the DLQ are skipped), and each
 * line must equal its record's value byte for byte and sit in its record-time hour folder. The
 * audit reads each partition once, in offset order, holding only the files it is matching.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { dlqName } from "../kafka/client.ts";
import { readToEnd } from "../kafka/consume.ts";
import { parsePartitionKey, partitionKey } from "../kafka/partition.ts";
import { fetchOffsets } from "../kafka/topics.ts";
import { lakeLine, parseRaw } from "../schema/raw.ts";
import { DLQ_HEADERS } from "./dlq.ts";
import { hourStart, parseRawPath, recordTime } from "../lake/layout.ts";
import type { LakeStorage } from "../lake/storage.ts";

/** What {@linkcode auditLake} found for one topic. */
export interface TopicAudit {
  topic: string;
  /** Records in Kafka (below the high watermarks at audit time). */
  kafka: number;
  /** Of those, valid JSON lines (belong in the lake) and the rest (belong in the DLQ). */
  valid: number;
  invalid: number;
  /** Raw files and lines in the lake. */
  files: number;
  lines: number;
  /** Valid records in no file, in more than one, or whose line differs from the record. */
  missing: number;
  duplicated: number;
  mismatched: number;
  /** Lines in an hour folder other than their record time's. */
  misplaced: number;
  /** Distinct source records in the DLQ, DLQ records for them beyond the first, and DLQ
   * records that name a valid record or none. */
  dlq: number;
  dlqDuplicated: number;
  dlqUnexpected: number;
  /** Invalid records not in the DLQ. */
  dlqMissing: number;
}

/** The audit of every topic. */
export interface LakeAudit {
  topics: TopicAudit[];
  /** Whether every topic holds each record exactly once. */
  ok: boolean;
  /** The first problems found, for people. */
  problems: string[];
}

/** Options of {@linkcode auditLake}. */
export interface AuditOptions {
  /**
   * Count only the dead letters of this sink group (their `__connect.errors.connector.name`):
   * another group replaying the same topics sends its own. @default every dead letter
   */
  group?: string;
  /**
   * The zone of wall-clock timestamps (`EVENT_TIME_ZONE`), for the record-time hour of each line.
   * @default "UTC"
   */
  zone?: string;
  /**
   * Called with every source record as the audit reads it (one pass over Kafka serves another
   * count too, e.g. the soak test's independent real-time count).
   */
  onRecord?: (record: AuditRecord) => void;
}

/** A source record as the audit reads it. */
export interface AuditRecord {
  topic: string;
  partition: number;
  offset: number;
  value: Uint8Array | null;
  timestamp: number;
}

/** A lake file being matched to the records from its start offset on. */
interface Cursor {
  path: string;
  hour: number;
  lines: string[];
  at: number;
}

/** One partition's files, in start-offset order, and the files being matched. */
interface PartitionAudit {
  files: Array<{ path: string; startOffset: number; hour: number }>;
  /** Next file of `files` not opened yet. */
  next: number;
  open: Cursor[];
  /** Next offset to audit (records fetched twice are skipped). */
  offset: number;
  /** The high watermark at the start: the audit of this partition ends there. */
  end: number;
  done: boolean;
}

/**
 * Audits the raw lake of `topics` (full names) against Kafka and their DLQ topics, in one pass
 * over each partition with bounded memory: only the dead letters and the lake files being
 * matched are held, not the records, so it suits long runs (the soak test audits millions).
 *
 * @example
 * ```ts ignore
 * const audit = await auditLake(kafka, lake, ["orders"]);
 * audit.ok; // true when every record is in exactly one file or exactly once in orders.dlq
 * ```
 */
export async function auditLake(
  kafka: Kafka,
  lake: LakeStorage,
  topics: string[],
  options: AuditOptions = {},
): Promise<LakeAudit> {
  const pass = new AuditPass(lake, topics, options);
  const letters = await deadLetters(kafka, topics, options.group);
  pass.letters = letters;
  const parts = await partitionPlan(kafka, lake, topics, pass.audits, pass.problems);
  await streamPartitions(
    kafka,
    topics,
    parts,
    (topic, partition, r) => pass.take(topic, parts.get(partitionKey(topic, partition))!, r),
    (topic, p) => pass.finish(topic, p),
  );
  for (const [topic, mine] of letters) {
    const a = pass.audits.get(topic)!;
    for (const [k, n] of mine) {
      a.dlqUnexpected += n;
      pass.problem(`${topic}+${k.replace(":", "+")}: in the DLQ but valid or unknown`);
    }
  }
  const list = [...pass.audits.values()];
  const ok = list.every((a) =>
    a.missing + a.duplicated + a.mismatched + a.misplaced + a.dlqDuplicated + a.dlqUnexpected +
        a.dlqMissing === 0
  );
  return { topics: list, ok, problems: pass.problems };
}

/** The matching of one audit: records in offset order against the files that hold them. */
class AuditPass {
  readonly problems: string[] = [];
  readonly audits: Map<string, TopicAudit>;
  /** Dead letters per source topic (`partition:offset` → count); matched ones are removed. */
  letters = new Map<string, Map<string, number>>();
  readonly #lake: LakeStorage;
  readonly #onRecord?: (record: AuditRecord) => void;
  readonly #zone?: string;
  readonly #decoder = new TextDecoder();

  constructor(lake: LakeStorage, topics: string[], options: AuditOptions) {
    this.#lake = lake;
    this.#onRecord = options.onRecord;
    this.#zone = options.zone;
    this.audits = new Map(topics.map((topic) => [topic, emptyAudit(topic)]));
  }

  problem(text: string): void {
    if (this.problems.length < 20) this.problems.push(text);
  }

  /** Opens the files that start at `offset` or before, flagging those that start on no record. */
  async #openFiles(topic: string, p: PartitionAudit, offset: number) {
    while (p.next < p.files.length && p.files[p.next].startOffset <= offset) {
      const f = p.files[p.next++];
      const text = this.#decoder.decode(await this.#lake.get(f.path));
      const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
      const a = this.audits.get(topic)!;
      a.lines += lines.length;
      if (f.startOffset === offset) p.open.push({ path: f.path, hour: f.hour, lines, at: 0 });
      else {
        this.problem(`${f.path}: starts at offset ${f.startOffset}, which is no valid record`);
        a.mismatched += lines.length;
      }
    }
  }

  /** A record the DLQ must hold exactly once. */
  #deadLetter(topic: string, partition: number, offset: number) {
    const a = this.audits.get(topic)!;
    a.invalid++;
    const k = `${partition}:${offset}`;
    const mine = this.letters.get(topic)!;
    const n = mine.get(k) ?? 0;
    mine.delete(k);
    if (n === 0) {
      a.dlqMissing++;
      this.problem(`${topic}+${partition}+${offset}: invalid but not in the DLQ`);
      return;
    }
    a.dlq++;
    if (n > 1) {
      a.dlqDuplicated += n - 1;
      this.problem(`${topic}+${partition}+${offset}: ${n} times in the DLQ`);
    }
  }

  /** The next record of a partition: in the DLQ, or the next line of every open file. */
  async take(topic: string, p: PartitionAudit, r: AuditRecord): Promise<void> {
    const a = this.audits.get(topic)!;
    a.kafka++;
    this.#onRecord?.(r);
    const check = parseRaw(r.value);
    if (!check.ok) return this.#deadLetter(topic, r.partition, r.offset);
    a.valid++;
    await this.#openFiles(topic, p, r.offset);
    const value = lakeLine(this.#decoder.decode(r.value!));
    const hour = hourStart(recordTime(check.record, r.timestamp, this.#zone));
    let landed = 0;
    for (const c of p.open) {
      const line = c.lines[c.at++];
      if (line !== value) {
        a.mismatched++;
        this.problem(`${c.path}: line ${c.at} does not match Kafka`);
        continue;
      }
      landed++;
      if (hour !== c.hour) a.misplaced++;
    }
    p.open = p.open.filter((c) => c.at < c.lines.length);
    if (landed === 0) {
      a.missing++;
      this.problem(`${topic}+${r.partition}+${r.offset}: in no lake file`);
    } else if (landed > 1) {
      a.duplicated++;
      this.problem(`${topic}+${r.partition}+${r.offset}: in ${landed} lake files`);
    }
  }

  /** Past a partition's last record: whatever is left of its files matches no record. */
  async finish(topic: string, p: PartitionAudit): Promise<void> {
    if (p.done) return;
    p.done = true;
    await this.#openFiles(topic, p, Infinity);
    const a = this.audits.get(topic)!;
    for (const c of p.open) {
      a.mismatched += c.lines.length - c.at;
      this.problem(`${c.path}: line ${c.at + 1} does not match Kafka`);
    }
    p.open = [];
  }
}

function emptyAudit(topic: string): TopicAudit {
  return {
    topic,
    kafka: 0,
    valid: 0,
    invalid: 0,
    files: 0,
    lines: 0,
    missing: 0,
    duplicated: 0,
    mismatched: 0,
    misplaced: 0,
    dlq: 0,
    dlqDuplicated: 0,
    dlqUnexpected: 0,
    dlqMissing: 0,
  };
}

/** Dead letters per source topic: `partition:offset` → how often (of `group` only, if given). */
async function deadLetters(
  kafka: Kafka,
  topics: string[],
  group: string | undefined,
): Promise<Map<string, Map<string, number>>> {
  const records = await readToEnd(kafka, topics.map(dlqName));
  const out = new Map<string, Map<string, number>>();
  for (const topic of topics) {
    const mine = new Map<string, number>();
    for (const r of records.get(dlqName(topic))!) {
      if (r.headers[DLQ_HEADERS.topic] !== topic) continue;
      if (group && r.headers[DLQ_HEADERS.connector] !== group) continue;
      const k = `${r.headers[DLQ_HEADERS.partition]}:${r.headers[DLQ_HEADERS.offset]}`;
      mine.set(k, (mine.get(k) ?? 0) + 1);
    }
    out.set(topic, mine);
  }
  return out;
}

/** Each partition's lake files (by start offset) and where its records end. */
async function partitionPlan(
  kafka: Kafka,
  lake: LakeStorage,
  topics: string[],
  audits: Map<string, TopicAudit>,
  problems: string[],
): Promise<Map<string, PartitionAudit>> {
  const parts = new Map<string, PartitionAudit>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      for (const o of await fetchOffsets(admin, topic)) {
        parts.set(partitionKey(topic, o.partition), {
          files: [],
          next: 0,
          open: [],
          offset: Number(o.low),
          end: Number(o.high),
          done: false,
        });
      }
    }
  } finally {
    await admin.disconnect();
  }
  for (const topic of topics) {
    for (const entry of await lake.list(`topics/${topic}/`)) {
      const file = parseRawPath(entry.path);
      if (!file || file.topic !== topic) continue;
      audits.get(topic)!.files++;
      const p = parts.get(partitionKey(topic, file.partition));
      if (p) p.files.push({ path: entry.path, startOffset: file.startOffset, hour: file.hour });
      else {
        // A file of a partition Kafka does not have: nothing can match it.
        audits.get(topic)!.mismatched++;
        problems.push(`${entry.path}: partition ${file.partition} is not in Kafka`);
      }
    }
  }
  for (const p of parts.values()) p.files.sort((a, b) => a.startOffset - b.startOffset);
  return parts;
}

/** Reads every partition in offset order up to its end, handing each record to `take`. */
async function streamPartitions(
  kafka: Kafka,
  topics: string[],
  parts: Map<string, PartitionAudit>,
  take: (topic: string, partition: number, r: AuditRecord) => Promise<void>,
  finish: (topic: string, p: PartitionAudit) => Promise<void>,
): Promise<void> {
  const left = () => [...parts.values()].some((p) => !p.done);
  for (const [k, p] of parts) {
    if (p.offset >= p.end) await finish(parsePartitionKey(k).topic, p);
  }
  if (!left()) return;
  const consumer = kafka.consumer({
    groupId: `audit-${crypto.randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const passed = async (topic: string, partition: number, after: number) => {
        const p = parts.get(partitionKey(topic, partition))!;
        if (after > p.offset) p.offset = after;
        if (p.offset >= p.end) await finish(topic, p);
        if (!left()) resolve();
      };
      // Batches of transaction markers (or aborted records) reach no handler.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize > 0) return;
        passed(payload.topic, payload.partition, Number(payload.lastOffset) + 1).catch(reject);
      });
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const p = parts.get(partitionKey(batch.topic, batch.partition))!;
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset < p.offset || offset >= p.end) continue;
            await take(batch.topic, batch.partition, {
              topic: batch.topic,
              partition: batch.partition,
              offset,
              value: m.value,
              timestamp: Number(m.timestamp),
            });
            p.offset = offset + 1;
          }
          await passed(batch.topic, batch.partition, Number(batch.lastOffset()) + 1);
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
