/**
 * A snapshot as one line of text: what the live view prints once per interval when its output
 * is a log or a pipe instead of a terminal (redrawn tables would fill a log with copies).
 *
 * @module
 */
import type { Snapshot } from "./aggregator.ts";

/** What {@linkcode summaryLine} adds to the snapshot's own figures. */
export interface SummaryLineOptions {
  /** Seconds since the view started. */
  seconds: number;
  /** Records received since the previous line, per second. @default not shown */
  rate?: number;
}

/** Counts shown when the snapshot has them, in this order (`future` is newer than the rest). */
const COUNTS = ["accepted", "malformed", "late", "duplicates", "future"] as const;

/**
 * One line: elapsed time, records (and their rate), the counts, watermark, orders and revenue.
 *
 * @example
 * ```ts
 * import { createAggregator, summaryLine } from "./mod.ts";
 * summaryLine(createAggregator().snapshot(), { seconds: 3, rate: 0 });
 * // "realtime 3s · 0 records (0/s) · accepted 0 · malformed 0 · late 0 · duplicates 0 · watermark – · orders 0 · revenue 0.00"
 * ```
 */
export function summaryLine(snapshot: Snapshot, options: SummaryLineOptions): string {
  const totals = snapshot.totals as unknown as Record<string, number | undefined>;
  const parts = [
    `realtime ${+options.seconds.toFixed(1)}s`,
    `${totals.received ?? 0} records${
      options.rate === undefined ? "" : ` (${Math.round(options.rate)}/s)`
    }`,
  ];
  for (const key of COUNTS) {
    if (totals[key] !== undefined) parts.push(`${key} ${totals[key]}`);
  }
  parts.push(
    `watermark ${snapshot.watermark ?? "–"}`,
    `orders ${snapshot.orders.orders}`,
    `revenue ${snapshot.orders.revenue.toFixed(2)}`,
  );
  return parts.join(" · ");
}
