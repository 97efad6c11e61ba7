/**
 * `deno task soak [--duration 10m] [--rate 5000] [--original-rate R] [--seed N] [--keep]`: produce
 * (ours, and the original producers' records beside them on the same topics) + sink + real time
 * + NRT every minute on a private Kafka and Azurite, with the sink SIGKILLed, the broker and
 * Azurite restarted once each; then the lake is audited exactly-once against Kafka, the real-time
 * totals are checked against an independent count and the memory of each process is reported.
 * Exits 1 if a check fails. The work is `runSoak` in `lib/soak/run.ts`.
 *
 * @module
 */
import { PROJECT_ROOT } from "../lib/config/mod.ts";
import { formatTable } from "../lib/viz/table.ts";
import { formatDuration, parseFlags, runCli } from "../lib/cli/mod.ts";
import { runSoak, type SoakReport } from "../lib/soak/mod.ts";

const SPEC = {
  name: "soak",
  summary: "Long run under disruptions on a private Kafka and Azurite, audited at the end.",
  flags: {
    duration: {
      type: "duration",
      default: 600_000,
      min: 10_000,
      description: "how long to produce",
    },
    rate: { type: "number", default: 5000, min: 1, description: "records per second" },
    "original-rate": {
      type: "number",
      min: 0,
      description: "records per second in the original producers' format, beside ours " +
        "(default: a tenth of --rate; 0: none)",
    },
    seed: { type: "integer", default: 42, description: "simulation seed" },
    keep: { type: "boolean", description: "keep the run's folder (data/soak/<run>/)" },
  },
  examples: ["deno task soak --duration 10m --rate 5000", "deno task soak --duration 60s"],
} as const;

/** The report as Markdown (what the README quotes). */
export function soakMarkdown(r: SoakReport): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    `Soak ${formatDuration(r.durationMs)} at ${n(r.rate)} records/s${
      r.originalRate ? ` + ${n(r.originalRate)}/s in the original producers' format` : ""
    }, started ${r.startedAt}: ${r.ok ? "all checks passed" : "FAILED"}.`,
    "",
    formatTable([{
      sent: n(r.records.produced),
      "in Kafka": n(r.records.kafka),
      "in the lake": n(r.records.lake),
      "in the DLQ": n(r.records.dlq),
      lost: r.records.lost,
      duplicated: r.records.duplicated,
    }]),
    "",
    formatTable(
      r.checks.map((c) => ({ check: c.check, ok: c.ok ? "yes" : "NO", detail: c.detail })),
    ),
    "",
    formatTable(r.rss.map((s) => ({
      process: s.process,
      "start MB": s.start.toFixed(0),
      "warm MB": s.warm.toFixed(0),
      "peak MB": s.peak.toFixed(0),
      "end MB": s.end.toFixed(0),
      "growth after warm-up": s.warm ? `${(s.growth * 100).toFixed(1)}%` : "",
    }))),
    ...(r.realtimeHeap
      ? [
        "",
        `Real-time view, heap after full collections (V8 heap in use + external buffers; ` +
        `${r.realtimeHeap.collections} collections after warm-up): ${
          r.realtimeHeap.warm.toFixed(0)
        } MB warm → ${r.realtimeHeap.end.toFixed(0)} MB at the end (${
          (r.realtimeHeap.growth * 100).toFixed(1)
        }%).`,
      ]
      : []),
    "",
    formatTable(r.realtime.map((t) => ({ ...t }))),
  ].join("\n");
}

if (import.meta.main) {
  await runCli(async () => {
    const { flags } = parseFlags(SPEC, Deno.args);
    const report = await runSoak({
      durationMs: flags.duration,
      rate: flags.rate,
      originalRate: flags["original-rate"],
      seed: flags.seed,
      keep: flags.keep,
      log: (line) => console.error(`soak: ${line}`),
    });
    const text = soakMarkdown(report);
    const out = `${PROJECT_ROOT}/data/soak`;
    await Deno.mkdir(out, { recursive: true });
    const stamp = report.startedAt.replace(/[:.]/g, "-");
    await Deno.writeTextFile(`${out}/report-${stamp}.json`, JSON.stringify(report, null, 2));
    await Deno.writeTextFile(`${out}/report-${stamp}.md`, text + "\n");
    console.log(text);
    console.error(`soak: report in data/soak/report-${stamp}.{md,json}`);
    return report.ok ? 0 : 1;
  });
}
