/**
 * The demo's steps (`deno task demo`), each a named function of one shared context that returns
 * a one-line result: install → stack up → 00-setup notebook → produce a seeded history →
 * real-time snapshot → the dashboard → a live minute watched by `deno task realtime` → sink to
 * the lake → DuckDB near-real-time pass → Databricks notebooks on PySpark compared with DuckDB.
 *
 * @module
 */
import { formatDuration } from "../cli/values.ts";
import { type Config, PROJECT_ROOT } from "../config/mod.ts";
import { PipelineError } from "../errors.ts";
import {
  createKafka,
  ensureTopics,
  highWatermarks,
  produceRecords,
  topicName,
} from "../kafka/mod.ts";
import { openLake } from "../lake/mod.ts";
import { runSink } from "../sink/mod.ts";
import { executeNotebook } from "../notebooks/run.ts";
import { runNrt } from "../nrt/mod.ts";
import { runParity } from "../parity/mod.ts";
import { replay } from "../realtime/mod.ts";
import { TOPICS } from "../schema/mod.ts";
import { simulate } from "../simulate/mod.ts";
import { sleep } from "../sleep.ts";
import { installAll, services, startDashboardService, startService } from "../stack/mod.ts";

/** What the demo does, from its flags. */
export interface DemoOptions {
  /** Seed of the simulated history (the live minute uses seed + 1). */
  seed: number;
  /** Records of simulated history. */
  events: number;
  /** Length of the live minute, ms (0 skips it). */
  live: number;
  /** Records per second during the live minute. */
  rate: number;
  /** Run the Databricks notebooks on PySpark and compare. */
  parity: boolean;
  /** Start the dashboard and leave it running with the stack. */
  dashboard: boolean;
  /** The dashboard's port (the next free one if taken). */
  dashboardPort: number;
}

/** One step of the demo: returns a one-line result. */
export interface DemoStep {
  /** Shown as `[i/n] name…`. */
  name: string;
  /** Does the step; its result is one line for the summary. */
  run: () => Promise<string>;
}

/** What the steps share while the demo runs. */
interface Context {
  config: Config;
  options: DemoOptions;
  kafka: ReturnType<typeof createKafka>;
  say: (line: string) => void;
  /** Where this run's records begin, per `topic/partition`: the snapshot reads only them. */
  runStart: Map<string, number>;
  nrtWorkDir: string;
  dashboardUrl: string;
}

/** The demo's state that its caller shows at the end. */
export interface DemoState {
  /** The dashboard's address, or "" if it was not started. */
  dashboardUrl: string;
}

/**
 * The demo's steps, in order, for `options`; `state` is filled in as they run. Refuses a real
 * ADLS lake (the demo writes to the lake).
 */
export function demoSteps(
  config: Config,
  options: DemoOptions,
  say: (line: string) => void,
): { steps: DemoStep[]; state: DemoState } {
  if (config.lake.kind === "adls") {
    throw new PipelineError(
      "The demo writes to the lake: point LAKE_URL at Azurite or a file:// folder, not at abfss://",
    );
  }
  const ctx: Context = {
    config,
    options,
    kafka: createKafka(config.kafka),
    say,
    runStart: new Map(),
    nrtWorkDir: "",
    dashboardUrl: "",
  };
  const step = (name: string, run: (c: Context) => Promise<string>) => ({
    name,
    run: () => run(ctx),
  });
  const steps = [
    step("install", install),
    step("stack up", stackUp),
    step("notebook 00-setup", setupNotebook),
    step("produce history", produceHistory),
    step("real-time snapshot", realtimeSnapshot),
    ...(options.dashboard ? [step("dashboard", dashboard)] : []),
    ...(options.live > 0 ? [step(`live ${formatDuration(options.live)}`, liveMinute)] : []),
    step("sink → lake", sink),
    step("near-real-time (DuckDB)", nearRealTime),
    ...(options.parity ? [step("Databricks parity (PySpark)", parity)] : []),
  ];
  return {
    steps,
    state: {
      get dashboardUrl() {
        return ctx.dashboardUrl;
      },
    },
  };
}

async function install(): Promise<string> {
  await installAll(() => {});
  return "Kafka jars, Azurite, Python venv ready";
}

async function stackUp(c: Context): Promise<string> {
  const results = [];
  for (const s of services(c.config)) {
    results.push(`${s.name} ${await startService(c.config, s, c.say)}`);
  }
  const created = await ensureTopics(c.kafka, c.config.kafka);
  return `${results.join(", ")}${created.length ? `; created ${created.length} topics` : ""}`;
}

async function setupNotebook(): Promise<string> {
  const { path } = await executeNotebook("00-setup");
  return `stack healthy → ${path.replace(`${PROJECT_ROOT}/`, "")}`;
}

async function produceHistory(c: Context): Promise<string> {
  // Where this run's records begin: the snapshot reads only them, even when the topics hold
  // earlier runs' records too.
  for (const topic of TOPICS) {
    const name = topicName(c.config.kafka, topic);
    for (const [partition, end] of await highWatermarks(c.kafka, name)) {
      c.runStart.set(`${name}/${partition}`, end);
    }
  }
  const sim = simulate({ seed: c.options.seed, events: c.options.events });
  const stats = await produceRecords(c.kafka, c.config.kafka, sim);
  const m = sim.manifest.totals;
  return `${stats.sent} records in ${stats.seconds.toFixed(1)} s (${
    Math.round(stats.rate)
  }/s); faults: ${m.duplicates} duplicates, ${m.nulls} nulls, ${m.late} late, ${m.malformed} malformed`;
}

async function realtimeSnapshot(c: Context): Promise<string> {
  const { stats, snapshot: s } = await replay(c.kafka, c.config.kafka, {
    eventTimeZone: c.config.eventTimeZone,
  }, { startOffsets: c.runStart });
  const t = s.totals;
  return `${stats.records} records of this run read; ${t.accepted} counted, ${t.duplicates} duplicates, ${t.late} late, ${t.malformed} malformed; revenue ${
    s.orders.revenue.toFixed(2)
  }, average order ${s.orders.aov?.toFixed(2) ?? "–"}`;
}

async function dashboard(c: Context): Promise<string> {
  c.dashboardUrl = await startDashboardService(c.config, c.options.dashboardPort, c.say);
  // After the history: it reads the backlog with every partition known, then follows.
  return `${c.dashboardUrl}: open it to watch the rest of the run`;
}

/** Time the live view gets to join its group before events flow, ms. */
const VIEW_JOIN_MS = 2000;
/** Time the live view gets to read the last live records once the producer is done, ms. */
const VIEW_DRAIN_MS = 1500;

async function liveMinute(c: Context): Promise<string> {
  const { live, rate, seed } = c.options;
  // The live view is the real CLI, in this terminal; the producer paces events in real time.
  // It stops (Ctrl-C, as a user would) once the producer is done and it had time to read the
  // last records; its --duration only bounds a producer that hangs.
  const backstop = Math.ceil((VIEW_JOIN_MS + 2 * live + 60_000) / 1000);
  const view = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${PROJECT_ROOT}/scripts/realtime.ts`, "--duration", `${backstop}s`],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  let stats;
  try {
    await sleep(VIEW_JOIN_MS); // let the view join before events flow
    const sim = simulate({
      seed: seed + 1,
      events: Math.round((rate * live) / 1000),
      span: live,
      start: new Date(),
    });
    // Each record when it happens: the view sees event times that follow the clock.
    stats = await produceRecords(c.kafka, c.config.kafka, sim, { rate, paceBy: "eventTime" });
    await sleep(VIEW_DRAIN_MS);
  } finally {
    try {
      view.kill("SIGINT");
    } catch { /* it has ended already */ }
  }
  const status = await view.status;
  if (!status.success) throw new PipelineError(`deno task realtime exited ${status.code}`);
  return `${stats.sent} live records at ${Math.round(stats.rate)}/s, watched by deno task realtime`;
}

async function sink(c: Context): Promise<string> {
  const result = await runSink(c.config, { once: true });
  return `${result.records} records → ${result.files} files in ${
    openLake(c.config.lake).description
  }; ${result.dlq} to the DLQ`;
}

async function nearRealTime(c: Context): Promise<string> {
  const report = await runNrt({ config: c.config });
  c.nrtWorkDir = report.workDir;
  const bronze = report.layers.reduce((sum, l) => sum + l.bronze, 0);
  return `${report.mode}: ${report.sync.synced.length} files synced, ${bronze} bronze rows, ${report.gold.length} gold tables, ${report.written.analysis} analysis + ${report.written.curated} curated files written`;
}

async function parity(c: Context): Promise<string> {
  const result = await runParity({
    lakeRoot: `${c.nrtWorkDir}/cache`,
    outDir: `${c.config.dataDir}/parity`,
  });
  if (result.mismatches > 0) {
    throw new PipelineError(
      `${result.mismatches} mismatches between DuckDB and Spark: run deno task parity for the diff`,
    );
  }
  return `${result.tables.length} tables equal in DuckDB (${
    result.duckdbSeconds.toFixed(1)
  } s) and Spark (${result.sparkSeconds.toFixed(1)} s)`;
}
