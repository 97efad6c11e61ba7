/**
 * `deno task nrt`: one near-real-time pass over the lake (LAKE_URL): sync the new raw files into
 * the local cache, load them into DuckDB (bronze → silver → gold), write curated and analysis back
 * to the lake, and print a summary. The work is `runNrt` in `lib/nrt/run.ts`.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { runNrt } from "../lib/nrt/mod.ts";
import { parseFlags, printTable, runCli } from "../lib/cli/mod.ts";

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
A run with nothing new does no work. Work folder: <DATA_DIR>/nrt/<lake>.`,
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
  },
  examples: ["deno task nrt", "deno task nrt --full --no-write"],
} as const;

if (import.meta.main) {
  runCli(async () => {
    const { flags } = parseFlags(SPEC, Deno.args);
    const config = loadConfig();
    const report = await runNrt({
      config,
      full: flags.full,
      writeBack: flags.write,
      onProgress: (line) => console.error(line),
    });
    const s = (ms = 0) => (ms / 1000).toFixed(2);
    console.log(`\nnrt: ${report.mode} pass over ${report.lake}`);
    printTable([
      {
        step: "sync",
        files: report.sync.synced.length,
        detail:
          `${report.sync.listed} listed, ${report.sync.unchanged} unchanged, ${report.sync.removed.length} removed, ${
            report.sync.repulled
              ? `${report.sync.repulled} pulled again (same cache segment), `
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
    return 0;
  });
}
