/**
 * Passes on a schedule in one process (`deno task nrt --watch`), as a Databricks job with a
 * trigger interval runs its notebooks: a pass, a pause of `everyMs`, the next pass, until the
 * signal aborts or `passes` have run. The lake and the DuckDB database stay open (`openNrt`), so
 * a pass after the first pays no start-up and a pass with nothing new costs a listing.
 *
 * Between passes the database checkpoints its write-ahead log when it has grown (`idle`), so no
 * pass's commit pays for it.
 *
 * A pass that fails after the first (the lake away while Azurite restarts, say) is reported
 * and the next one tries again: the checkpoint and the pass's own transactions leave nothing
 * half done, and its database is opened afresh. A first pass that fails ends the watch: that is
 * a setting or a lake that is wrong, not a passing fault.
 *
 * @module
 */
import { sleep } from "../sleep.ts";
import { type NrtOptions, type NrtReport, openNrt } from "./run.ts";

/** Options of {@linkcode watchNrt}. */
export interface WatchOptions extends NrtOptions {
  /** The pause between the end of one pass and the start of the next, ms. */
  everyMs: number;
  /**
   * Stop after this many passes.
   * @default no limit (until `signal` aborts)
   */
  passes?: number;
  /** Stops the watch: the pass under way ends first, the pause does not. */
  signal?: AbortSignal;
  /** Called (and awaited) after each pass with its report and its number (1, 2, …). */
  onPass?: (report: NrtReport, pass: number) => void | Promise<void>;
  /** Called (and awaited) with the error of a failed pass (not the first) before the pause. */
  onError?: (error: Error, pass: number) => void | Promise<void>;
}

/** What a watch did. */
export interface WatchSummary {
  /** Passes run, by mode, and failed. */
  passes: number;
  full: number;
  incremental: number;
  upToDate: number;
  failed: number;
  /** Milliseconds spent in passes (the pauses left out). */
  busyMs: number;
  /** Milliseconds of checkpoints between passes (`NrtRunner.idle`). */
  idleMs: number;
  /** The last successful pass's report. */
  last?: NrtReport;
}

/**
 * Runs passes every `everyMs` until `signal` aborts or `passes` ran (see the module doc).
 *
 * @example
 * ```ts ignore
 * import { watchNrt } from "./watch.ts";
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGINT", () => stop.abort());
 * const summary = await watchNrt({ everyMs: 60_000, signal: stop.signal });
 * console.log(`${summary.passes} passes, ${summary.incremental} incremental`);
 * ```
 */
export async function watchNrt(options: WatchOptions): Promise<WatchSummary> {
  const { everyMs, passes = Infinity, signal } = options;
  const summary: WatchSummary = {
    passes: 0,
    full: 0,
    incremental: 0,
    upToDate: 0,
    failed: 0,
    busyMs: 0,
    idleMs: 0,
  };
  const runner = openNrt(options);
  try {
    while (summary.passes < passes && !signal?.aborted) {
      const began = performance.now();
      const number = ++summary.passes;
      const outcome = await runner.pass().then(
        (report) => ({ report }),
        (error: Error) => ({ error }),
      );
      summary.busyMs += performance.now() - began;
      if ("error" in outcome) {
        summary.failed++;
        if (number === 1) throw outcome.error;
        await options.onError?.(outcome.error, number);
      } else {
        const { report } = outcome;
        summary.last = report;
        if (report.mode === "full") summary.full++;
        else if (report.mode === "incremental") summary.incremental++;
        else summary.upToDate++;
        await options.onPass?.(report, number);
      }
      if (summary.passes < passes) {
        // While it waits: a checkpoint the next pass's commit would otherwise pay.
        const tidied = performance.now();
        await runner.idle().catch(() => false);
        summary.idleMs += performance.now() - tidied;
        await sleep(everyMs, signal);
      }
    }
  } finally {
    await runner.close();
  }
  return summary;
}
