/**
 * `deno task realtime [--once] [--from-beginning] [--json] [--window 1m] [--lateness 5m]
 * [--idle-timeout 10s]`:
 * real-time aggregates over the four topics. Live, it redraws a compact table every second until
 * Ctrl-C (or `--duration`) in a terminal; when stdout is a log or a pipe, it prints one summary
 * line per second instead, and the tables once at the end (with `--json`, a snapshot a second, each
 * with the process's memory: `lib/realtime/live_line.ts`). With `--once` it reads up to the high
 * watermarks as of the start, then prints the final snapshot (as JSON with `--json`), reading on
 * this thread and aggregating on another (`lib/realtime/replay.ts`); with `--from-beginning` the
 * partitions are merged by record timestamp, so the same records give the same snapshot, and an
 * event further ahead of its record's Kafka timestamp than `--max-future` counts as future. Live,
 * its state is bounded (`--retention`, `--delivery-horizon`, `--max-future` against the wall
 * clock); a consumer that crashes for good exits 1 with the reason.
 *
 * @module
 */
import { loadConfig } from "../lib/config/mod.ts";
import { createKafka, requireTopics, topicName } from "../lib/kafka/mod.ts";
import { TOPICS } from "../lib/schema/events.ts";
import {
  type Aggregator,
  consumeInto,
  countRows,
  createAggregator,
  IDLE_TIMEOUT_MS,
  LIVE_DEFAULTS,
  liveJsonLine,
  malformedRows,
  NOT_AVAILABLE,
  replay,
  REPLAY_DEFAULTS,
  type Snapshot,
  summaryLine,
  summaryRows,
  topicsNotice,
  windowRows,
} from "../lib/realtime/mod.ts";
import { formatTable } from "../lib/viz/table.ts";
import { formatDuration, parseFlags, runCli } from "../lib/cli/mod.ts";

const SPEC = {
  name: "realtime",
  summary: "Real-time analytics over the four topics: event-time windows, funnel, top products.",
  flags: {
    once: {
      type: "boolean",
      description:
        "read up to the current end of every partition, print the result and exit (with --from-beginning: the partitions merged by record timestamp, the same result every run)",
    },
    "from-beginning": { type: "boolean", description: "start at the earliest offsets" },
    json: {
      type: "boolean",
      description:
        "JSON output: the final snapshot with --once, else a snapshot a second with the process's memory",
    },
    window: { type: "duration", default: 60_000, min: 1, description: "tumbling window length" },
    lateness: { type: "duration", default: 300_000, min: 0, description: "allowed lateness" },
    top: { type: "integer", default: 10, min: 1, description: "products in each top list" },
    "session-timeout": {
      type: "duration",
      default: 1_800_000,
      min: 1,
      description: "event time between two events of a session before it counts as two",
    },
    duration: {
      type: "duration",
      min: 1,
      description: "live mode: stop after this long (default: until Ctrl-C)",
    },
    "idle-timeout": {
      type: "duration",
      default: IDLE_TIMEOUT_MS,
      min: 0,
      description: "live mode: a partition read to its end and quiet this long stops holding " +
        "the watermark back (0: never)",
    },
    "max-future": {
      type: "duration",
      default: LIVE_DEFAULTS.maxFuture,
      min: 0,
      description: "events further ahead of the wall clock (with --once: of their record's " +
        "Kafka timestamp) count as future and do not move the watermark (0: no check)",
    },
    retention: {
      type: "duration",
      default: LIVE_DEFAULTS.retention,
      min: 0,
      description: "live mode: final windows kept this long behind the watermark (0: all)",
    },
    "delivery-horizon": {
      type: "duration",
      default: LIVE_DEFAULTS.deliveryHorizon,
      min: 0,
      description: "live mode: delivery state (orders waiting for their delivered event, final " +
        "delivery times) kept this long behind the watermark (0: all)",
    },
  },
  examples: [
    "deno task realtime --from-beginning",
    "deno task realtime --once --from-beginning --json > snapshot.json",
    "deno task realtime --window 5m --lateness 10m",
  ],
} as const;

/** The compact view the live mode redraws. */
function render(snapshot: Snapshot, records: number, seconds: number, notice = ""): string {
  const funnel = snapshot.funnel.map((f) => ({
    step: f.step,
    sessions: f.sessions,
    conversion: f.conversion === null ? "" : `${(f.conversion * 100).toFixed(1)}%`,
  }));
  return [
    `realtime · ${records} records in ${formatDuration(seconds * 1000)} · watermark ${
      snapshot.watermark ?? "(none)"
    } · window ${formatDuration(snapshot.options.window)}, lateness ${
      formatDuration(snapshot.options.lateness)
    }`,
    "",
    formatTable(windowRows(snapshot, 5)),
    "",
    formatTable(countRows(snapshot)),
    "",
    snapshot.available.funnel ? formatTable(funnel) : `funnel: ${NOT_AVAILABLE} (no session_id)`,
    ...notice ? ["", notice] : [],
  ].join("\n");
}

async function live(
  run: (
    signal: AbortSignal,
    agg: Aggregator,
    onTopics: (gone: readonly string[]) => void,
  ) => Promise<number>,
  agg: Aggregator,
  json: boolean,
  duration: number | undefined,
): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  Deno.addSignalListener("SIGINT", stop);
  const timer = duration ? setTimeout(stop, duration) : undefined;
  const began = performance.now();
  const tty = Deno.stdout.isTerminal();
  let lastRecords = 0, lastAt = began;
  // Topics gone from the broker: a terminal shows it under the tables while they are gone; a
  // log or a pipe gets the line when it changes.
  let gone: readonly string[] = [];
  const onTopics = (now: readonly string[]) => {
    const notice = topicsNotice(now, gone);
    gone = now;
    if (json || !tty) console.error(notice);
  };
  const draw = (final: boolean) => {
    const snapshot = agg.snapshot();
    const now = performance.now();
    const seconds = (now - began) / 1000;
    if (json) console.log(liveJsonLine(snapshot));
    else if (tty) {
      // Every record read so far went to the aggregator: its count is the live one.
      const notice = gone.length > 0 ? topicsNotice(gone, []) : "";
      console.log(`\x1b[H\x1b[2J${render(snapshot, snapshot.totals.received, seconds, notice)}`);
    } else if (!final) {
      // A log or a pipe: one line per interval; the tables once, at the end.
      const rate = (snapshot.totals.received - lastRecords) /
        Math.max(0.001, (now - lastAt) / 1000);
      console.log(summaryLine(snapshot, { seconds, rate }));
      lastRecords = snapshot.totals.received;
      lastAt = now;
    } else console.log(`\n${render(snapshot, snapshot.totals.received, seconds)}`);
  };
  const ticker = setInterval(() => draw(false), 1000);
  try {
    await run(abort.signal, agg, onTopics);
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    Deno.removeSignalListener("SIGINT", stop);
  }
  draw(true);
}

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  const config = loadConfig();
  // A replay (--once) reads a bounded log and never uses the wall clock: an event's time is
  // checked against its record's Kafka timestamp. A live run is bounded, against the wall clock.
  const bounds = flags.once ? { ...REPLAY_DEFAULTS, maxFuture: flags["max-future"] } : {
    maxFuture: flags["max-future"],
    retention: flags.retention,
    deliveryHorizon: flags["delivery-horizon"],
  };
  const agg = createAggregator({
    window: flags.window,
    lateness: flags.lateness,
    topN: flags.top,
    eventTimeZone: config.eventTimeZone,
    sessionTimeout: flags["session-timeout"],
    ...bounds,
  });
  const kafka = createKafka(config.kafka, { clientId: "ecom-realtime" });
  const fromBeginning = flags["from-beginning"];
  if (flags.once) {
    // A bounded replay: the consumer on this thread, the aggregator on another (replay.ts).
    // Without --from-beginning a fresh group starts at the end: nothing to read (but topics that
    // do not exist are still an error).
    const { stats, snapshot } = fromBeginning
      ? await replay(kafka, config.kafka, agg.options)
      : await requireTopics(kafka, config.kafka, TOPICS.map((t) => topicName(config.kafka, t)))
        .then(() => ({ stats: { records: 0 }, snapshot: agg.snapshot() }));
    if (flags.json) console.log(JSON.stringify(snapshot, null, 2));
    else {
      console.log(`Read ${stats.records} records (up to the high watermarks at the start).`);
      console.log(formatTable(countRows(snapshot)));
      if (snapshot.malformedReasons.length > 0) {
        console.log("");
        console.log(formatTable(malformedRows(snapshot)));
      }
      console.log("");
      console.log(formatTable(summaryRows(snapshot)));
    }
    return 0;
  }
  let records = 0;
  await live(
    async (signal, aggregator, onTopics) => {
      const stats = await consumeInto(kafka, config.kafka, aggregator, {
        fromBeginning,
        signal,
        onTopics,
        idleTimeoutMs: flags["idle-timeout"],
        onBatch: (s) => records = s.records,
      });
      return stats.records;
    },
    agg,
    flags.json,
    flags.duration,
  );
  if (!flags.json) console.error(`Stopped after ${records} records.`);
  return 0;
});
