/**
 * `deno task demo`: the whole pipeline on the local stack, step by step, with progress and a
 * summary at the end.
 *
 * install → stack up → 00-setup notebook → produce a seeded history → real-time snapshot → the
 * dashboard (left running with the stack) → a live minute (live producer + `deno task realtime`)
 * → sink to the lake → DuckDB near-real-time pass → Databricks notebooks on PySpark, compared
 * with DuckDB (parity).
 *
 * @module
 */
import { loadConfig, PROJECT_ROOT } from "../lib/config/mod.ts";
import { PipelineError } from "../lib/errors.ts";
import {
  createKafka,
  ensureTopics,
  highWatermarks,
  produceRecords,
  topicName,
} from "../lib/kafka/mod.ts";
import { TOPICS } from "../lib/schema/mod.ts";
import { openLake, runSink } from "../lib/lake/mod.ts";
import { runNrt } from "../lib/nrt/mod.ts";
import { consumeInto, createAggregator } from "../lib/realtime/mod.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { formatTable } from "../lib/viz/mod.ts";
import { formatDuration, parseFlags, runCli } from "../lib/cli/mod.ts";
import { runParity } from "../lib/parity/mod.ts";
import { executeNotebook } from "../lib/notebooks/run.ts";
import { installAll, services, startDashboardService, startService } from "../lib/stack/mod.ts";
import { sleep } from "../lib/sleep.ts";

const SPEC = {
  name: "demo",
  summary: "Run the whole pipeline on the local stack, with progress and a summary.",
  flags: {
    seed: { type: "integer", default: 42, description: "seed of the simulated history" },
    events: {
      type: "integer",
      default: 20_000,
      min: 100,
      description: "records of simulated history (72 h ending now)",
    },
    live: {
      type: "duration",
      default: 60_000,
      min: 0,
      description: "length of the live minute (0 skips it)",
    },
    rate: {
      type: "number",
      default: 100,
      min: 1,
      description: "records per second during the live minute",
    },
    parity: {
      type: "boolean",
      default: true,
      description: "run the Databricks notebooks on PySpark and compare (--no-parity skips)",
    },
    dashboard: {
      type: "boolean",
      default: true,
      description:
        "start the live dashboard and leave it running with the stack (--no-dashboard skips)",
    },
    "dashboard-port": {
      type: "integer",
      default: 8787,
      min: 1,
      description: "the dashboard's port (the next free one if taken)",
    },
  },
  examples: [
    "deno task demo",
    "deno task demo --live 10s --no-parity",
    "deno task demo | tee demo.log   # the live view prints one line per second",
  ],
} as const;

/** One step of the demo: returns a one-line result. */
interface Step {
  name: string;
  run: () => Promise<string>;
}

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  const config = loadConfig();
  if (config.lake.kind === "adls") {
    throw new PipelineError(
      "The demo writes to the lake: point LAKE_URL at Azurite or a file:// folder, not at abfss://",
    );
  }
  const kafka = createKafka(config.kafka);
  const say = (line: string) => console.log(`      ${line}`);
  let nrtWorkDir = "";
  let dashboardUrl = "";
  const runStart = new Map<string, number>();

  const steps: Step[] = [
    {
      name: "install",
      run: async () => (await installAll(() => {}), "Kafka jars, Azurite, Python venv ready"),
    },
    {
      name: "stack up",
      run: async () => {
        const results = [];
        for (const s of services(config)) {
          results.push(`${s.name} ${await startService(config, s, say)}`);
        }
        const created = await ensureTopics(kafka, config.kafka);
        return `${results.join(", ")}${created.length ? `; created ${created.length} topics` : ""}`;
      },
    },
    {
      name: "notebook 00-setup",
      run: async () =>
        `stack healthy → ${
          (await executeNotebook("00-setup")).path.replace(`${PROJECT_ROOT}/`, "")
        }`,
    },
    {
      name: "produce history",
      run: async () => {
        // Where this run's records begin: the snapshot below reads only them, even when the
        // topics hold earlier runs' records too.
        for (const topic of TOPICS) {
          const name = topicName(config.kafka, topic);
          for (const [partition, end] of await highWatermarks(kafka, name)) {
            runStart.set(`${name}/${partition}`, end);
          }
        }
        const sim = simulate({ seed: flags.seed, events: flags.events });
        const stats = await produceRecords(kafka, config.kafka, sim);
        const m = sim.manifest.totals;
        return `${stats.sent} records in ${stats.seconds.toFixed(1)} s (${
          Math.round(stats.rate)
        }/s); faults: ${m.duplicates} duplicates, ${m.nulls} nulls, ${m.late} late, ${m.malformed} malformed`;
      },
    },
    {
      name: "real-time snapshot",
      run: async () => {
        const agg = createAggregator({ eventTimeZone: config.eventTimeZone });
        const stats = await consumeInto(kafka, config.kafka, agg, {
          once: true,
          fromBeginning: true,
          startOffsets: runStart,
        });
        const s = agg.snapshot();
        const t = s.totals;
        return `${stats.records} records of this run read; ${t.accepted} counted, ${t.duplicates} duplicates, ${t.late} late, ${t.malformed} malformed; revenue ${
          s.orders.revenue.toFixed(2)
        }, average order ${s.orders.aov?.toFixed(2) ?? "–"}`;
      },
    },
    ...(flags.dashboard
      ? [{
        name: "dashboard",
        run: async () => {
          dashboardUrl = await startDashboardService(config, flags["dashboard-port"], say);
          // After the history: it reads the backlog with every partition known, then follows.
          return `${dashboardUrl}: open it to watch the rest of the run`;
        },
      }]
      : []),
  ];
  if (flags.live > 0) {
    steps.push({
      name: `live ${formatDuration(flags.live)}`,
      run: async () => {
        // The live view is the real CLI, in this terminal; the producer paces events in real time.
        const view = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            `${PROJECT_ROOT}/scripts/realtime.ts`,
            "--duration",
            `${Math.round(flags.live / 1000)}s`,
          ],
          stdout: "inherit",
          stderr: "inherit",
        }).spawn();
        await sleep(2000); // let the view join before events flow
        const sim = simulate({
          seed: flags.seed + 1,
          events: Math.round((flags.rate * flags.live) / 1000),
          span: flags.live,
          start: new Date(),
        });
        const stats = await produceRecords(kafka, config.kafka, sim, { rate: flags.rate });
        const status = await view.status;
        if (!status.success) throw new PipelineError(`deno task realtime exited ${status.code}`);
        return `${stats.sent} live records at ${
          Math.round(stats.rate)
        }/s, watched by deno task realtime`;
      },
    });
  }
  steps.push(
    {
      name: "sink → lake",
      run: async () => {
        const result = await runSink(config, { once: true });
        return `${result.records} records → ${result.files} files in ${
          openLake(config.lake).description
        }; ${result.dlq} to the DLQ`;
      },
    },
    {
      name: "near-real-time (DuckDB)",
      run: async () => {
        const report = await runNrt({ config });
        nrtWorkDir = report.workDir;
        const silver = report.layers.reduce((sum, l) => sum + l.bronze, 0);
        return `${report.mode}: ${report.sync.synced.length} files synced, ${silver} bronze rows, ${report.gold.length} gold tables, ${report.written.analysis} analysis + ${report.written.curated} curated files written`;
      },
    },
  );
  if (flags.parity) {
    steps.push({
      name: "Databricks parity (PySpark)",
      run: async () => {
        const result = await runParity({
          lakeRoot: `${nrtWorkDir}/cache`,
          outDir: `${config.dataDir}/parity`,
        });
        if (result.mismatches > 0) {
          throw new PipelineError(
            `${result.mismatches} mismatches between DuckDB and Spark: run deno task parity for the diff`,
          );
        }
        return `${result.tables.length} tables equal in DuckDB (${
          result.duckdbSeconds.toFixed(1)
        } s) and Spark (${result.sparkSeconds.toFixed(1)} s)`;
      },
    });
  }

  const summary = [];
  for (const [i, step] of steps.entries()) {
    console.log(`[${i + 1}/${steps.length}] ${step.name}…`);
    const t0 = performance.now();
    const result = await step.run();
    const seconds = (performance.now() - t0) / 1000;
    say(`✔ ${result} (${seconds.toFixed(1)} s)`);
    summary.push({ step: step.name, time: `${seconds.toFixed(1)} s`, result });
  }
  console.log(`\nDemo summary\n${formatTable(summary)}`);
  console.log(
    `\nThe stack keeps running${
      dashboardUrl ? `, and the dashboard with it:\n\n  ${dashboardUrl}\n` : "."
    }\nOpen the lessons with \`deno task lab\` (lessons 04–07 now read this lake), run ` +
      "`deno task realtime` for a live view in the terminal,\nor stop everything with " +
      "`deno task stack down`.",
  );
});
