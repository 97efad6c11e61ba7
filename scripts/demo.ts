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
import { parseFlags, runCli } from "../lib/cli/mod.ts";
import { loadConfig } from "../lib/config/mod.ts";
import { demoSteps } from "../lib/demo/mod.ts";
import { formatTable } from "../lib/viz/mod.ts";

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

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  const say = (line: string) => console.log(`      ${line}`);
  const { steps, state } = demoSteps(loadConfig(), {
    seed: flags.seed,
    events: flags.events,
    live: flags.live,
    rate: flags.rate,
    parity: flags.parity,
    dashboard: flags.dashboard,
    dashboardPort: flags["dashboard-port"],
  }, say);
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
      state.dashboardUrl ? `, and the dashboard with it:\n\n  ${state.dashboardUrl}\n` : "."
    }\nOpen the lessons with \`deno task lab\` (lessons 04–07 now read this lake), run ` +
      "`deno task realtime` for a live view in the terminal,\nor stop everything with " +
      "`deno task stack down`.",
  );
});
