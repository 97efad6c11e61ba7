/**
 * Checking the raw lake against Kafka: every record of a topic must be in exactly one lake file
 * (a valid raw record, `lib/schema/raw.ts`) or exactly once in the topic's DLQ (anything else),
 * no more, no less.
 *
 * Lines carry no offsets; the file name does. A file's lines are matched to the topic's valid
 * records from its start offset on, in order (records sent to the DLQ are skipped), and each
 * line must equal its record's value byte for byte and sit in its record-time hour folder.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { dlqName } from "../kafka/client.ts";
import { parseRaw } from "../schema/raw.ts";
import { DLQ_HEADERS } from "./dlq.ts";
import { hourStart, parseRawPath, recordTime } from "./layout.ts";
import type { LakeStorage } from "./storage.ts";

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

interface Read {
  partition: number;
  offset: number;
  value: Uint8Array | null;
  timestamp: number;
  headers: Record<string, string>;
}

/** Options of {@linkcode auditLake}. */
export interface AuditOptions {
  /**
   * Count only the dead letters of this sink group (their `__connect.errors.connector.name`):
   * another group replaying the same topics sends its own. @default every dead letter
   */
  group?: string;
}

/**
 * Reads every record of `topics` up to the high watermarks at call time, read-committed, with a
 * throw-away group. Knows transactional topics: commit markers take offsets but hold no record.
 */
export async function readToEnd(kafka: Kafka, topics: string[]): Promise<Map<string, Read[]>> {
  const ends = new Map<string, number>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        if (Number(o.high) > Number(o.low)) {
          ends.set(`${topic}\u0000${o.partition}`, Number(o.high));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  const out = new Map<string, Read[]>(topics.map((t) => [t, []]));
  if (ends.size === 0) return out;
  const seen = new Set<string>();
  const consumer = kafka.consumer({
    groupId: `audit-${crypto.randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const advance = (topic: string, partition: number, after: number) => {
        const k = `${topic}\u0000${partition}`;
        if ((ends.get(k) ?? 0) <= after) ends.delete(k);
        if (ends.size === 0) resolve();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        advance(payload.topic, payload.partition, Number(payload.lastOffset) + 1);
      });
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const list = out.get(batch.topic)!;
          for (const m of batch.messages) {
            const k = `${batch.topic}\u0000${batch.partition}\u0000${m.offset}`;
            if (seen.has(k)) continue;
            seen.add(k);
            const headers: Record<string, string> = {};
            for (const [name, v] of Object.entries(m.headers ?? {})) headers[name] = String(v);
            list.push({
              partition: batch.partition,
              offset: Number(m.offset),
              value: m.value,
              timestamp: Number(m.timestamp),
              headers,
            });
          }
          await Promise.resolve();
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  for (const list of out.values()) {
    list.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }
  return out;
}

/**
 * Audits the raw lake of `topics` (full names) against Kafka and their DLQ topics.
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
  const records = await readToEnd(kafka, [...topics, ...topics.map(dlqName)]);
  const problems: string[] = [];
  const problem = (text: string) => problems.length < 20 && problems.push(text);
  const decoder = new TextDecoder();
  const audits: TopicAudit[] = [];
  for (const topic of topics) {
    const a: TopicAudit = {
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
    // Per partition: the valid records in offset order, and how often each landed.
    const valid = new Map<number, Array<{ offset: number; value: string; time: number }>>();
    const invalid = new Set<string>();
    for (const r of records.get(topic)!) {
      a.kafka++;
      const check = parseRaw(r.value);
      if (!check.ok) {
        a.invalid++;
        invalid.add(`${r.partition}:${r.offset}`);
        continue;
      }
      a.valid++;
      const list = valid.get(r.partition) ?? [];
      list.push({
        offset: r.offset,
        value: decoder.decode(r.value!),
        time: recordTime(check.record, r.timestamp),
      });
      valid.set(r.partition, list);
    }
    const landed = new Map<string, number>();
    for (const entry of await lake.list(`topics/${topic}/`)) {
      const file = parseRawPath(entry.path);
      if (!file || file.topic !== topic) continue;
      a.files++;
      const text = decoder.decode(await lake.get(entry.path));
      const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
      a.lines += lines.length;
      const list = valid.get(file.partition) ?? [];
      let at = list.findIndex((r) => r.offset === file.startOffset);
      if (at < 0) {
        problem(`${entry.path}: starts at offset ${file.startOffset}, which is no valid record`);
        a.mismatched += lines.length;
        continue;
      }
      for (const [i, line] of lines.entries()) {
        const record = list[at++];
        if (!record || record.value !== line) {
          a.mismatched++;
          problem(`${entry.path}: line ${i + 1} does not match Kafka`);
          continue;
        }
        const k = `${file.partition}:${record.offset}`;
        landed.set(k, (landed.get(k) ?? 0) + 1);
        if (hourStart(record.time) !== file.hour) a.misplaced++;
      }
    }
    for (const [partition, list] of valid) {
      for (const r of list) {
        const n = landed.get(`${partition}:${r.offset}`) ?? 0;
        if (n === 0) {
          a.missing++;
          problem(`${topic}+${partition}+${r.offset}: in no lake file`);
        } else if (n > 1) {
          a.duplicated++;
          problem(`${topic}+${partition}+${r.offset}: in ${n} lake files`);
        }
      }
    }
    const letters = new Map<string, number>();
    for (const r of records.get(dlqName(topic))!) {
      if (r.headers[DLQ_HEADERS.topic] !== topic) continue;
      if (options.group && r.headers[DLQ_HEADERS.connector] !== options.group) continue;
      const k = `${r.headers[DLQ_HEADERS.partition]}:${r.headers[DLQ_HEADERS.offset]}`;
      letters.set(k, (letters.get(k) ?? 0) + 1);
    }
    for (const [k, n] of letters) {
      if (!invalid.has(k)) {
        a.dlqUnexpected += n;
        problem(`${topic}+${k.replace(":", "+")}: in the DLQ but valid or unknown`);
        continue;
      }
      a.dlq++;
      if (n > 1) {
        a.dlqDuplicated += n - 1;
        problem(`${topic}+${k.replace(":", "+")}: ${n} times in the DLQ`);
      }
    }
    for (const k of invalid) {
      if (!letters.has(k)) {
        a.dlqMissing++;
        problem(`${topic}+${k.replace(":", "+")}: invalid but not in the DLQ`);
      }
    }
    audits.push(a);
  }
  const ok = audits.every((a) =>
    a.missing + a.duplicated + a.mismatched + a.misplaced + a.dlqDuplicated + a.dlqUnexpected +
        a.dlqMissing === 0
  );
  return { topics: audits, ok, problems };
}
