/**
 * Lines of a live `deno task realtime`: the notice that topics it reads are gone from the broker
 * or back ({@linkcode topicsNotice}), and, with `--json`, one line per second: the snapshot and
 * the process's memory when it was taken. A long run's RSS follows the garbage collector more than the state
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

/**
 * The one-line notice when the topics a live run reads that are gone from the broker change
 * (`ConsumeOptions.onTopics`): `gone` are missing now, `before` were missing until now.
 *
 * @example
 * ```ts
 * import { topicsNotice } from "./live_line.ts";
 * topicsNotice(["orders"], []);
 * // "realtime: topic orders is gone from the broker (deleted?): its metrics stand still until it is made again"
 * topicsNotice([], ["orders"]);
 * // "realtime: topic orders is back: read from its first record"
 * ```
 */
export function topicsNotice(gone: readonly string[], before: readonly string[]): string {
  const back = before.filter((name) => !gone.includes(name));
  const parts: string[] = [];
  if (gone.length === 1) {
    parts.push(
      `topic ${gone[0]} is gone from the broker (deleted?): its metrics stand still ` +
        `until it is made again`,
    );
  } else if (gone.length > 1) {
    parts.push(
      `topics ${gone.join(", ")} are gone from the broker (deleted?): their metrics ` +
        `stand still until they are made again`,
    );
  }
  if (back.length === 1) parts.push(`topic ${back[0]} is back: read from its first record`);
  else if (back.length > 1) {
    parts.push(`topics ${back.join(", ")} are back: read from their first record`);
  }
  return `realtime: ${parts.join("; ")}`;
}
