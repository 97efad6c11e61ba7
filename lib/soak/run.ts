/**
 * The soak test: the whole pipeline under load for a while, hurt on purpose, then audited.
 *
 * On a private Kafka broker and Azurite (free ports, `data/soak/<run>/`, so the local stack is
 * never touched): `produce --duration D --rate R` (faults included) and, on the same topics, the
 * original producers' records beside ours (`produce --format original`, a tenth of the rate by
 * default: no event ids, wall-clock times, delivery events from the first second, where ours
 * come 30 minutes after their order), a long-running `sink`, a live
 * `realtime --from-beginning --json`, and from the first minute on `nrt --watch --every 60s`
 * (a pass a minute after the last, in one process). During the run the sink
 * is SIGKILLed and restarted (at 15 % of D), the broker is restarted (25 %) and Azurite is
 * restarted (35 %). Every process's memory (RSS) is sampled every two seconds.
 *
 * At the end: the sink is stopped and drained (`sink --once`), the lake is audited against
 * Kafka (every record exactly once in the lake or the DLQ), the real-time totals are compared
 * with an independent count of the records in Kafka (`count.ts`), a last NRT pass must load
 * every lake line, the long-running processes (the NRT watch too) must have run until stopped,
 * and the RSS of the sink and the real-time view must
 * not grow by 10 % or more after warm-up (the disruptions and the state's filling: the first
 * half; judged on runs of 7 minutes or more). The real-time view runs with shorter horizons
 * than its defaults (see `WINDOW_MS`), so its bounded state is full within the warm-up.
 *
 * @module
 */
import { type Config, parseLakeUrl, PROJECT_ROOT } from "../config/mod.ts";
import { errorMessage } from "../errors.ts";
import { createKafka, ensureTopics, fetchOffsets, topicName } from "../kafka/mod.ts";
import { openLake } from "../lake/mod.ts";
import { auditLake } from "../sink/mod.ts";
import { runNrt } from "../nrt/mod.ts";
import type { LiveLine } from "../realtime/mod.ts";
import { TOPICS } from "../schema/events.ts";
import { DEFAULT_EVENT_TIME_ZONE } from "../schema/event_time.ts";
import {
  freeServicePort,
  type Service,
  services,
  stackDir,
  startService,
  stopService,
} from "../stack/mod.ts";
import { Child, rssOf, type RssSample } from "./child.ts";
import { IndependentCount } from "./count.ts";
import { type SoakEnd, type SoakReport, soakReport } from "./report.ts";
import { sleep } from "../sleep.ts";

/** Options of {@linkcode runSoak}. */
export interface SoakOptions {
  /** How long records are produced, ms. @default 600000 */
  durationMs?: number;
  /** Records per second. @default 5000 */
  rate?: number;
  /**
   * Records per second of the original producers' format, sent beside ours on the same topics by
   * a second producer; 0: none. @default a tenth of `rate`
   */
  originalRate?: number;
  /** Simulation seed. @default 42 */
  seed?: number;
  /** Keep the run's folder (broker and Azurite data, NRT work) afterwards. @default false */
  keep?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * The soak's real-time view holds state over a few horizons of event time: final windows, ids
 * for de-duplication within the allowed lateness, users and sessions of the sliding windows
 * (5 windows long), open sessions within the session timeout, delivery state within its horizon.
 * Shorter than the defaults (1 min windows, 5 min lateness, 30 min sessions, final windows for an
 * hour, delivery state for a week) so that this state is full within the warm-up, and what grows
 * afterwards would be a leak.
 */
const WINDOW_MS = 30_000;
const LATENESS_MS = 30_000;
const SESSION_TIMEOUT_MS = 60_000;
/**
 * Final windows and delivery state (the original producers' delivery events name any of 50,000
 * orders: with the default week, that state would fill all run long) kept this far behind the
 * watermark.
 */
const RETENTION_MS = 120_000;
const DELIVERY_HORIZON_MS = 120_000;

/**
 * Ports for the private stack: Kafka's and its controller's (port + 1), and Azurite's, outside
 * the ephemeral range (the soak restarts both: see `freeServicePort`).
 */
function freePorts(): { kafka: number; azurite: number } {
  const kafka = freeServicePort(2);
  return { kafka, azurite: freeServicePort(1, [kafka, kafka + 1]) };
}

/** The private stack's configuration. */
function soakConfig(dataDir: string): Config {
  const ports = freePorts();
  return {
    kafka: {
      brokers: [`127.0.0.1:${ports.kafka}`],
      ssl: false,
      topicPrefix: "",
      partitions: 3,
      local: true,
    },
    lake: parseLakeUrl(`azurite://127.0.0.1:${ports.azurite}/lake`),
    dataDir,
    eventTimeZone: DEFAULT_EVENT_TIME_ZONE,
  };
}

/** The state of a run, shared by its steps. */
interface Run {
  config: Config;
  env: Record<string, string>;
  t0: number;
  log: (line: string) => void;
  children: Child[];
  /** RSS of the broker and Azurite, by name. */
  services: Map<string, RssSample[]>;
  disruptions: SoakReport["disruptions"];
  nrt: SoakReport["nrt"];
  /** The `nrt --watch` process, once started. */
  nrtWatch?: Child;
  /** Entries of state the real-time view held (see `SoakRun.realtimeState`). */
  realtimeState: RssSample[];
  /** The real-time view's heap (see `SoakRun.realtimeHeap`). */
  realtimeHeap: RssSample[];
}

const seconds = (run: Run) => Math.round((Date.now() - run.t0) / 100) / 10;

function start(
  run: Run,
  name: string,
  script: string,
  args: string[],
  onLine?: (line: string, stream: "stdout" | "stderr") => void,
): Child {
  const child = new Child(name, script, args, run.env, run.t0, onLine);
  run.children.push(child);
  return child;
}

/** Samples every live process's RSS, and the state the real-time view holds. */
function sampleAll(run: Run): void {
  const now = Date.now();
  for (const child of run.children) child.sample(now);
  const realtime = run.children.find((c) => c.name === "realtime");
  const line = realtime && lastSnapshot(realtime);
  const at = (now - run.t0) / 1000;
  if (line?.memory) {
    const m = line.memory;
    run.realtimeState.push({ at, mb: m.eventIds + m.sessions + m.deliveries + m.timedDeliveries });
  }
  // A line without the process's memory (not a live line) leaves no heap sample.
  if (line?.process) {
    run.realtimeHeap.push({ at, mb: (line.process.heapUsed + line.process.external) / 2 ** 20 });
  }
  for (const service of services(run.config)) {
    let pid = 0;
    try {
      pid = Number(Deno.readTextFileSync(`${stackDir(run.config)}/${service.name}.pid`).trim());
    } catch { /* stopped for a restart */ }
    const mb = pid > 0 ? rssOf(pid) : undefined;
    if (mb === undefined) continue;
    const list = run.services.get(service.name) ?? [];
    list.push({ at: (now - run.t0) / 1000, mb });
    run.services.set(service.name, list);
  }
}

/**
 * Starts `nrt --watch`: a pass now and then a minute after each; each pass's line (or failure)
 * is recorded as it is printed.
 */
function startNrtWatch(run: Run): Child {
  return start(run, "nrt", "nrt", ["--watch", "--every", "60s"], (line, stream) => {
    const done = stream === "stdout" &&
      /^nrt: pass (\d+) (?:full|incremental|up-to-date)/.exec(line);
    const failed = stream === "stderr" && /^nrt: pass (\d+) failed: (.*)$/.exec(line);
    const match = done || failed;
    if (!match) return;
    const took = Number(/([\d.]+) s(?: \(|$)/.exec(line)?.[1] ?? 0);
    const at = Math.round((seconds(run) - took) * 10) / 10;
    run.nrt.push({ at, ok: !failed, seconds: Math.round(took), detail: failed ? match[2] : line });
    run.log(line);
  });
}

async function restartService(run: Run, name: string, what: string): Promise<void> {
  const service = services(run.config).find((s) => s.name === name) as Service;
  const at = seconds(run);
  run.log(`${what} at ${at} s`);
  await stopService(run.config, service);
  await sleep(2000);
  await startService(run.config, service, run.log);
  run.disruptions.push({ at, what, seconds: Math.round(seconds(run) - at) });
  run.log(`${name} back after ${Math.round(seconds(run) - at)} s`);
}

async function killSink(run: Run, sink: Child, args: string[]): Promise<Child> {
  const at = seconds(run);
  run.log(`sink SIGKILLed at ${at} s`);
  sink.kill("SIGKILL");
  await sink.status;
  const next = start(run, "sink (restarted)", "sink", args);
  run.disruptions.push({ at, what: "sink SIGKILLed and restarted", seconds: 0 });
  return next;
}

/** The records in Kafka now (high − low over every partition of the four topics). */
async function kafkaRecords(config: Config): Promise<number> {
  const admin = createKafka(config.kafka).admin();
  await admin.connect();
  try {
    let n = 0;
    for (const t of TOPICS) {
      for (const o of await fetchOffsets(admin, topicName(config.kafka, t))) {
        n += Number(o.high) - Number(o.low);
      }
    }
    return n;
  } finally {
    await admin.disconnect();
  }
}

/** The live real-time view's latest snapshot, if it printed one. */
function lastSnapshot(realtime: Child): LiveLine | undefined {
  try {
    return JSON.parse(realtime.lastLine) as LiveLine;
  } catch {
    return undefined;
  }
}

/** Starts the private stack and the topics. */
async function setUp(options: SoakOptions): Promise<Run> {
  const log = options.log ?? (() => {});
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const config = soakConfig(`${PROJECT_ROOT}/data/soak/${stamp}`);
  log(`private stack: Kafka ${config.kafka.brokers[0]}, Azurite ${config.lake.url}`);
  for (const service of services(config)) await startService(config, service, log);
  await ensureTopics(createKafka(config.kafka), config.kafka);
  return {
    config,
    env: {
      KAFKA_BOOTSTRAP_SERVERS: config.kafka.brokers[0],
      LAKE_URL: config.lake.url,
      DATA_DIR: config.dataDir,
    },
    t0: Date.now(),
    log,
    children: [],
    services: new Map(),
    disruptions: [],
    nrt: [],
    realtimeState: [],
    realtimeHeap: [],
  };
}

/** Produces for the duration, with the sink, real time and NRT running and the disruptions. */
async function load(
  run: Run,
  o: Required<Pick<SoakOptions, "durationMs" | "rate" | "originalRate" | "seed">>,
): Promise<
  { producer: Child; original?: Child; sink: Child; realtime: Child; sinkArgs: string[] }
> {
  const sinkArgs = ["--session-timeout", "6s"];
  run.t0 = Date.now();
  const produce = (name: string, rate: number, seed: number, more: string[] = []) =>
    start(run, name, "produce", [
      "--duration",
      `${o.durationMs}ms`,
      "--rate",
      String(rate),
      "--seed",
      String(seed),
      ...more,
    ]);
  const producer = produce("produce", o.rate, o.seed);
  const original = o.originalRate > 0
    ? produce("produce (original)", o.originalRate, o.seed + 1, ["--format", "original"])
    : undefined;
  let sink = start(run, "sink", "sink", sinkArgs);
  const realtime = start(run, "realtime", "realtime", [
    "--from-beginning",
    "--json",
    "--window",
    `${WINDOW_MS}ms`,
    "--lateness",
    `${LATENESS_MS}ms`,
    "--session-timeout",
    `${SESSION_TIMEOUT_MS}ms`,
    "--retention",
    `${RETENTION_MS}ms`,
    "--delivery-horizon",
    `${DELIVERY_HORIZON_MS}ms`,
  ]);
  // The disruptions fall in the first half; the second half is the steady state whose memory
  // is judged (see DISRUPTED in report.ts).
  const plan = [
    { at: 0.15, done: false, act: async () => (sink = await killSink(run, sink, sinkArgs)) },
    { at: 0.25, done: false, act: () => restartService(run, "kafka", "broker restarted") },
    { at: 0.35, done: false, act: () => restartService(run, "azurite", "Azurite restarted") },
  ];
  let nextNote = 0;
  let producing = true;
  const producers = original ? [producer, original] : [producer];
  Promise.all(producers.map(async (p) => {
    const status = await p.status;
    if (status.code !== 0) {
      run.log(`${p.name} exited ${status.code}: ${p.stderrTail.slice(-5).join(" | ")}`);
    }
  })).then(() => producing = false);
  while (producing) {
    const elapsed = Date.now() - run.t0;
    sampleAll(run);
    const due = plan.find((p) => !p.done && elapsed >= p.at * o.durationMs);
    if (due) {
      due.done = true;
      await due.act().catch((e) => run.log(`disruption failed: ${errorMessage(e)}`));
    }
    if (elapsed >= 60_000 && !run.nrtWatch) run.nrtWatch = startNrtWatch(run);
    if (elapsed >= nextNote) {
      nextNote += 30_000;
      const s = lastSnapshot(realtime);
      run.log(`${Math.round(elapsed / 1000)} s: real time has read ${s?.totals.received ?? 0}`);
    }
    await sleep(2000);
  }
  return { producer, original, sink, realtime, sinkArgs };
}

/** Waits for real time to read everything, stops it, drains the sink, audits, counts. */
async function wrapUp(
  run: Run,
  parts: Awaited<ReturnType<typeof load>>,
): Promise<SoakEnd> {
  const total = await kafkaRecords(run.config);
  const deadline = Date.now() + 300_000;
  while ((lastSnapshot(parts.realtime)?.totals.received ?? 0) < total && Date.now() < deadline) {
    sampleAll(run);
    await sleep(2000);
  }
  sampleAll(run);
  parts.realtime.kill("SIGINT");
  const realtimeExit = (await parts.realtime.status).code;
  const snapshot = lastSnapshot(parts.realtime);
  sampleAll(run);
  parts.sink.kill("SIGINT");
  const stopped = await parts.sink.status;
  if (stopped.code !== 0) {
    run.log(`sink exited ${stopped.code}: ${parts.sink.stderrTail.slice(-5).join(" | ")}`);
  }
  const exits = [
    { name: "realtime", code: realtimeExit, why: parts.realtime.stderrTail.at(-1) ?? "" },
    { name: parts.sink.name, code: stopped.code, why: parts.sink.stderrTail.at(-1) ?? "" },
  ];
  const drain = start(run, "sink --once", "sink", ["--once", ...parts.sinkArgs]);
  const drained = await drain.status;
  if (drained.code !== 0) run.log(`sink --once exited ${drained.code}: ${drain.stderrTail.at(-1)}`);
  const watch = run.nrtWatch;
  if (watch) {
    // It ends its pass under way, then stops (and lets go of its database).
    watch.kill("SIGINT");
    const code = (await watch.status).code;
    exits.push({ name: "nrt --watch", code, why: watch.stderrTail.at(-1) ?? "" });
  }
  run.log("auditing the lake against Kafka…");
  const kafka = createKafka(run.config.kafka);
  const lake = openLake(run.config.lake);
  const count = new IndependentCount();
  const base = new Map(TOPICS.map((t) => [topicName(run.config.kafka, t), t as string]));
  const audit = await auditLake(kafka, lake, [...base.keys()], {
    group: "ecom-lake-sink",
    onRecord: (r) => count.add(base.get(r.topic)!, r.value),
  });
  run.log("a last NRT pass…");
  const nrt = await runNrt({ config: run.config, lake }).catch((e) => {
    run.log(`last NRT pass failed: ${errorMessage(e)}`);
    return undefined;
  });
  await lake.close();
  return { audit, count, snapshot, nrt, exits };
}

/**
 * Runs the soak test (see the module doc) and returns its report; stops every process it
 * started, and removes the run's folder unless `keep` (or a check failed).
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const o = {
    durationMs: options.durationMs ?? 600_000,
    rate: options.rate ?? 5000,
    originalRate: 0,
    seed: options.seed ?? 42,
  };
  o.originalRate = options.originalRate ?? Math.round(o.rate / 10);
  const run = await setUp(options);
  try {
    const parts = await load(run, o);
    const end = await wrapUp(run, parts);
    const report = soakReport(
      { ...o, ...run, producer: parts.producer, original: parts.original },
      end,
    );
    if (!report.ok) options.keep = true;
    return report;
  } finally {
    for (const child of run.children) child.kill("SIGKILL");
    await Promise.all(run.children.map((c) => c.status));
    for (const service of services(run.config)) await stopService(run.config, service);
    if (!options.keep) await Deno.remove(run.config.dataDir, { recursive: true }).catch(() => {});
  }
}
