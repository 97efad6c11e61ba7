/**
 * The bounded part of feeding the aggregator from Kafka (`consumer.ts`): which partitions a
 * `once` run reads and up to which offset, when it has read them all, and partitions whose
 * records were deleted while it waited for them.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { fetchOffsets, parsePartitionKey, partitionKey, topicsOffsets } from "../kafka/mod.ts";
import type { Topic } from "../schema/events.ts";
import type { ConsumeOptions } from "./consumer.ts";
import type { MergePartition } from "./_merge.ts";

/** Which partitions a run reads, up to where, and which feed the watermark. */
export interface Plan {
  /** `topic/partition` → the last offset a `once` run reads. */
  ends: Map<string, number>;
  /** The partitions a `once` run has not read to their end yet. */
  pending: Set<string>;
  /**
   * The pending partitions, in topic order then partition number (a replay's merge order); their
   * `source`s are the watermark sources announced up front.
   */
  parts: MergePartition[];
}

/** A live tail: nothing planned, partitions come as they are assigned. */
export const LIVE_PLAN = (): Plan => ({
  ends: new Map(),
  pending: new Set(),
  parts: [],
});

/** A run's progress towards its end. */
export interface Progress {
  done: boolean;
  /** Ends the run. */
  finish(): void;
  /** A `once` run has read partition `key` up to `lastOffset`. */
  passed(key: string, lastOffset: number): void;
}

/** What {@linkcode watchDeletions} needs of a run. */
export interface BoundedRun {
  kafka: Kafka;
  plan: Plan;
  now: () => number;
  /** When the last batch came (wall clock). */
  lastBatchAt?: number;
}

/**
 * Ends the run on abort, or (with `once`) once every pending partition is passed; `onPassed`
 * hears of each pending partition passed, before the run can end on it.
 */
export function trackProgress(
  plan: Plan,
  options: Pick<ConsumeOptions, "once" | "signal">,
  resolve: () => void,
  onPassed?: (key: string) => void,
): Progress {
  const progress: Progress = {
    done: false,
    finish() {
      progress.done = true;
      resolve();
    },
    /** A `once` run has read partition `key` up to `lastOffset`. */
    passed(key: string, lastOffset: number) {
      if (!options.once || lastOffset < (plan.ends.get(key) ?? -1)) return;
      if (!plan.pending.delete(key)) return;
      onPassed?.(key);
      if (plan.pending.size === 0) progress.finish();
    },
  };
  options.signal?.addEventListener("abort", progress.finish, { once: true });
  return progress;
}

/**
 * Records deleted while a `once` run waits for them (delete-records, retention) never come: a
 * partition whose low watermark passed its last offset counts as read.
 */
export function watchDeletions(
  run: BoundedRun,
  progress: Progress,
): ReturnType<typeof setInterval> {
  const { plan } = run;
  run.lastBatchAt = run.now();
  return setInterval(() => {
    if (run.now() - run.lastBatchAt! < DELETION_CHECK_MS || plan.pending.size === 0) return;
    checkDeleted(run.kafka, plan.pending, plan.ends).then((gone) => {
      for (const key of gone) progress.passed(key, plan.ends.get(key)!);
    }).catch(() => {/* the broker may be away: the next check will tell */});
  }, DELETION_CHECK_MS);
}

/**
 * For a replay from the beginning: each partition's last offset to read, the partitions holding
 * records from their start offset on (records deleted below the low watermark do not count),
 * and those as watermark sources.
 */
export async function replayPlan(
  kafka: Kafka,
  base: ReadonlyMap<string, Topic>,
  start: ReadonlyMap<string, number>,
): Promise<Plan> {
  const ends = new Map<string, number>();
  const pending = new Set<string>();
  const parts: MergePartition[] = [];
  const all = await topicsOffsets(kafka, [...base.keys()]);
  for (const [name, topic] of base) {
    const offsets = all.get(name)!.sort((a, b) => a.partition - b.partition);
    for (const { partition, low, high } of offsets) {
      const key = partitionKey(name, partition);
      ends.set(key, high - 1);
      if (high > Math.max(low, start.get(key) ?? 0)) {
        pending.add(key);
        parts.push({ key, topic, source: partitionKey(topic, partition), partition });
      }
    }
  }
  return { ends, pending, parts };
}

/** How often a `once` run checks whether the records it waits for were deleted, ms. */
const DELETION_CHECK_MS = 2000;

/** The pending partitions whose records up to their last offset were deleted meanwhile. */
export async function checkDeleted(
  kafka: Kafka,
  pending: ReadonlySet<string>,
  ends: ReadonlyMap<string, number>,
): Promise<string[]> {
  const topics = new Set([...pending].map((key) => parsePartitionKey(key).topic));
  const gone: string[] = [];
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (const topic of topics) {
      for (const o of await fetchOffsets(admin, topic)) {
        const key = partitionKey(topic, o.partition);
        if (pending.has(key) && Number(o.low) > (ends.get(key) ?? Infinity)) gone.push(key);
      }
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
  return gone;
}
