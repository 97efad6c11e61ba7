/**
 * The sink's progress: files, records, dead letters and bytes per topic, and the lag of each
 * partition (its high watermark minus where the sink is), summed per topic and in all.
 *
 * @module
 */
import { parsePartitionKey } from "../kafka/partition.ts";
import type { SinkProgress, SinkTopicStats } from "./options.ts";
import type { PartitionState, Position } from "./state.ts";

/** Where the sink is in a partition: its next offset, else the committed or low offset. */
export function positionOf(p: Position, st: PartitionState | undefined): number {
  return st && st.next >= 0 ? st.next : Math.max(p.committed, p.low);
}

/**
 * Whether every partition of `topics` is taken up to the high watermark seen at start.
 * Records deleted below the low watermark (delete-records) are no longer there to take.
 */
export function isDrained(
  positions: ReadonlyMap<string, Position>,
  states: ReadonlyMap<string, PartitionState>,
  topics: readonly string[],
): boolean {
  for (const [k, p] of positions) {
    if (!topics.includes(parsePartitionKey(k).topic)) continue;
    if (positionOf(p, states.get(k)) < p.high) return false;
  }
  return true;
}

/** A snapshot of the sink's progress, from its per-topic stats and partition positions. */
export function sinkProgress(
  positions: ReadonlyMap<string, Position>,
  states: ReadonlyMap<string, PartitionState>,
  stats: ReadonlyMap<string, SinkTopicStats>,
  retrying: boolean,
): SinkProgress {
  const lag = new Map<string, number>();
  for (const [k, p] of positions) {
    const { topic } = parsePartitionKey(k);
    lag.set(topic, (lag.get(topic) ?? 0) + Math.max(0, p.high - positionOf(p, states.get(k))));
  }
  const topics = [...stats.values()].map((s) => ({ ...s, lag: lag.get(s.topic) ?? 0 }));
  const sum = (f: (s: SinkTopicStats) => number) => topics.reduce((a, s) => a + f(s), 0);
  return {
    topics,
    files: sum((s) => s.files),
    records: sum((s) => s.records),
    dlq: sum((s) => s.dlq),
    lag: sum((s) => s.lag),
    retrying,
  };
}
