/**
 * One line of `deno task realtime --json` while it runs live: the snapshot, and the process's
 * memory when it was taken. A long run's RSS follows the garbage collector more than the state
 * it holds (at 5,000 events/s the heap in use climbs from ≈ 150 to ≈ 500 MB between two full
 * collections, ≈ 80–130 s apart, and the fetched record buffers with it), so a check for leaks
 * needs the heap as well as the RSS (`lib/soak/report.ts` judges the heap after collections).
 *
 * @module
 */
import type { Snapshot } from "./aggregator.ts";

/** The process's memory in bytes, as `Deno.memoryUsage()` gives it. */
export interface ProcessMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** A live `--json` line: the snapshot, and the process's memory then. */
export type LiveLine = Snapshot & { process: ProcessMemory };

/**
 * The JSON line of a live snapshot (see the module doc).
 *
 * @example
 * ```ts
 * import { createAggregator } from "./aggregator.ts";
 * import { liveJsonLine, type LiveLine } from "./live_line.ts";
 * const line = JSON.parse(liveJsonLine(createAggregator().snapshot())) as LiveLine;
 * line.totals.received; // 0
 * line.process.heapUsed > 0; // true
 * ```
 */
export function liveJsonLine(
  snapshot: Snapshot,
  memory: ProcessMemory = Deno.memoryUsage(),
): string {
  const { rss, heapTotal, heapUsed, external } = memory;
  return JSON.stringify({ ...snapshot, process: { rss, heapTotal, heapUsed, external } });
}
