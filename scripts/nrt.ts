/**
 * `deno task nrt`: one near-real-time pass over the lake (LAKE_URL): sync the new raw files into
 * the local cache, load them into DuckDB (bronze → silver → gold), write curated and analysis back
 * to the lake, and print a summary. The work is `runNrt` in `lib/nrt/run.ts`. With `--watch`,
 * passes every `--every` in one process (`watchNrt`, `lib/nrt/watch.ts`) until Ctrl-C.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { type NrtReport, runNrt, watchNrt } from "../lib/nrt/mod.ts";
import { gracefulStop, parseFlags, printTable, runCli } from "../lib/cli/mod.ts";
import { UsageError } from "../lib/errors.ts";

const SPEC = {
  name: "nrt",
  summary: "Near-real-time lake analytics in DuckDB, the mirror of the Databricks notebooks.",
  notes: [
    `  sync     new raw files of LAKE_URL (topics/…) → local cache (checkpoint: path, size, time);
           a line that is no valid raw record, or whose fields have other types than bronze
           reads (type drift), is quarantined alone: the quarantine table and quarantine/…
           in the lake; the rest of its file goes on
  silver   both cleanings (lib/nrt/TABLES.md), appended with only the new rows
  gold     every analysis table of lib/nrt/TABLES.md
  write    curated/<topic>/ (Parquet by year/month/day) and analysis/<name>/ (CSV + Parquet)
A run with nothing new does no work. Work folder: <DATA_DIR>/nrt/<lake>.
With --watch, a pass runs every --every in one process (DuckDB stays open: a pass after the
first pays no start-up), one line per pass, until Ctrl-C or --passes; a failed pass after the
first is reported and the next one tries again.`,
  ],
  flags: {
    full: {
      type: "boolean",
      description: "ignore the checkpoint: pull every file again and rebuild everything",
    },
    write: {
      type: "boolean",
      default: true,
      description: "write curated/ and analysis/ back to the lake (--no-write: do not)",
    },
    watch: {
      type: "boolean",
      description: "run a pass every --every until Ctrl-C (one process, DuckDB kept open)",
    },
    every: {
      type: "duration",
      default: 60_000,
      min: 0,
      description: "with --watch: the pause between the end of a pass and the next",
    },
    passes: {
      type: "integer",
      min: 1,
      description: "with --watch: stop after this many passes",
    },
  },
  examples: [
    "deno task nrt",
    "deno task nrt --full --no-write",
    "deno task nrt --watch --every 30s",
  ],
} as const;

const seconds = (ms = 0) => (ms / 1000).toFixed(2);

/** One line for a pass of a watch. */
export function passLine(report: NrtReport, pass: number): string {
  const t = report.timings;
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  if (report.mode === "up-to-date") {
    return `nrt: pass ${pass} up-to-date (nothing new), ${seconds(total)} s`;
  }
  const added = report.layers.reduce((n, l) => n + l.added, 0);
  const quarantined = report.quarantine.added ? `, ${report.quarantine.added} quarantined` : "";
  return `nrt: pass ${pass} ${report.mode}: ${report.sync.synced.length} new file(s), ` +
    `+${added.toLocaleString("en")} silver rows${quarantined}, ${report.goldUpdated} gold ` +
    `tables, ${seconds(total)} s (sync ${seconds(t.sync)}, silver ${seconds(t.silver)}, gold ${
      seconds(t.gold)
    }, write ${seconds(t.write)})`;
}

/** The summary of one pass: steps, rows per layer, gold tables, what is not available. */
function printReport(report: NrtReport): void {
  const s = seconds;
  console.log(`\nnrt: ${report.mode} pass over ${report.lake}`);
  printTable([
    {
      step: "sync",
      files: report.sync.synced.length,
      detail:
        `${report.sync.listed} listed, ${report.sync.unchanged} unchanged, ${report.sync.removed.length} removed, ${
          report.sync.repulled ? `${report.sync.repulled} pulled again (same cache segment), ` : ""
        }${
          report.sync.ignored.length
            ? `${report.sync.ignored.length} ignored (not the layout: ${report.sync.ignored[0]}), `
            : ""
        }${(report.sync.bytes / 1e6).toFixed(1)} MB`,
      seconds: s(report.timings.sync),
    },
    {
      step: "quarantined",
      files: new Set(report.sync.quarantined.map((q) => q.file)).size,
      detail: `${report.quarantine.added} line(s) this pass, ${report.quarantine.total} in ` +
        `the quarantine table${
          report.sync.quarantined.length
            ? ` (first: line ${report.sync.quarantined[0].line} of ${
              report.sync.quarantined[0].file
            }: ${report.sync.quarantined[0].reason})`
            : ""
        }`,
      seconds: "",
    },
    {
      step: "silver",
      files: report.loadedFiles,
      detail: report.mode,
      seconds: s(report.timings.silver),
    },
    {
      step: "gold",
      files: report.gold.length,
      detail: "tables",
      seconds: s(report.timings.gold),
    },
    {
      step: "write back",
      files: report.written.curated + report.written.analysis,
      detail: `${report.written.curated} curated, ${report.written.analysis} analysis`,
      seconds: s(report.timings.write),
    },
  ]);
  console.log("");
  printTable(report.layers.map((l) => ({
    topic: l.topic,
    bronze: l.bronze,
    "silver (better)": l.silver,
    "original cleaning": l.original ?? null,
    "added now": l.added,
  })));
  console.log("");
  printTable(report.gold.map((g) => ({ "gold table": g.name, rows: g.rows })));
  for (const u of report.unavailable) {
    console.log(`${u.table}: not available for this data (${u.reason})`);
  }
}

if (import.meta.main) {
  runCli(async () => {
    const { flags } = parseFlags(SPEC, Deno.args);
    if (
      !flags.watch && (flags.passes !== undefined || Deno.args.some((a) => /^--every\b/.test(a)))
    ) {
      throw new UsageError("Flags --every and --passes need --watch");
    }
    const config = loadConfig();
    if (!flags.watch) {
      printReport(
        await runNrt({
          config,
          full: flags.full,
          writeBack: flags.write,
          onProgress: (line) => console.error(line),
        }),
      );
      return 0;
    }
    const stop = gracefulStop("nrt: stopping after this pass (Ctrl-C again to quit at once)…");
    try {
      console.error(
        `nrt: a pass every ${seconds(flags.every)} s${
          flags.passes ? `, ${flags.passes} passes` : ""
        } (Ctrl-C stops)`,
      );
      let seenPass = false;
      const summary = await watchNrt({
        config,
        full: flags.full,
        writeBack: flags.write,
        everyMs: flags.every,
        passes: flags.passes,
        signal: stop.signal,
        // The first pass's progress only: later passes get one line each.
        onProgress: (line) => !stop.signal.aborted && !seenPass && console.error(line),
        onPass: (report, pass) => {
          seenPass = true;
          console.log(passLine(report, pass));
        },
        onError: (error, pass) => console.error(`nrt: pass ${pass} failed: ${error.message}`),
      });
      if (summary.last) printReport(summary.last);
      console.log(
        `\nnrt --watch: ${summary.passes} passes (${summary.full} full, ${summary.incremental} ` +
          `incremental, ${summary.upToDate} up-to-date, ${summary.failed} failed), ` +
          `${seconds(summary.busyMs)} s in passes` +
          (summary.idleMs >= 50 ? `, ${seconds(summary.idleMs)} s checkpointing between them` : ""),
      );
      return summary.failed > 0 && !summary.last ? 1 : 0;
    } finally {
      stop.dispose();
    }
  });
}
