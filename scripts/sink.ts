/**
 * `deno task sink`: Kafka → lake, exactly once, in the Confluent sink connectors' layout.
 *
 * Long-running by default (progress and lag on stderr; Ctrl-C stops without flushing anything
 * uncommitted, and exits 0); `--once` drains to the high watermarks, closes every file, commits
 * and prints a summary table. The work is `runSink` in `lib/sink/sink.ts`.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { topicName } from "../lib/kafka/mod.ts";
import { openLake } from "../lib/lake/mod.ts";
import { runSink, SINK_DEFAULTS, type SinkProgress } from "../lib/sink/mod.ts";
import type { Topic } from "../lib/schema/events.ts";
import { TOPICS } from "../lib/schema/events.ts";
import { runMain } from "./_main.ts";
import { printTable } from "./_table.ts";

const USAGE = `Usage: deno task sink [--once] [options]

Copies the topics into the lake (LAKE_URL) as JSON lines in the Confluent sink layout:
topics/<topic>/year=YYYY/month=MM/day=dd/hour=HH/<topic>+<partition>+<startOffset>.json
Records that are no valid raw record (UTF-8 JSON objects on one line, at most 1 MiB) go to
<topic>.dlq with the reason. Exactly once: files are named by offsets, offsets are committed only
after the files are stored, and a replay rewrites identical files. The layout settings below are
recorded in the lake per topic; a sink with other ones stops before any work.

  --once                    drain to the high watermarks, close every file, commit, exit
  --flush-size N            records per file (default 1000)
  --rotate-interval-ms N    close a file once record time passes its first record by N ms
                            (default 600000; 0 = off)
  --idle-flush-ms N         also close files idle for N ms of wall clock (default off);
                            for slow demos only: gives up the exactly-once guarantee
  --session-timeout-ms N    how long a crashed sink holds its partitions before a restarted
                            one gets them (default 10000; the broker's minimum is 6000)
  --group NAME              consumer group (default "${SINK_DEFAULTS.group}"); one sink
                            process per group (a second one stops before writing)
  --topics a,b              topics to sink (default: ${TOPICS.join(",")});
                            KAFKA_TOPIC_PREFIX is put before each name
  --help                    this text

Ctrl-C stops: what is stored is committed, nothing else is flushed; the next run resumes.`;

/** Parsed flags of `deno task sink`. */
export interface SinkFlags {
  once: boolean;
  flushSize?: number;
  rotateIntervalMs?: number;
  idleFlushMs?: number;
  sessionTimeoutMs?: number;
  group?: string;
  topics?: string[];
  help: boolean;
}

/** Parses the flags; throws UsageError (exit 2) on anything unknown or malformed. */
export function parseSinkFlags(args: string[]): SinkFlags {
  const flags: SinkFlags = { once: false, help: false };
  const numbers = {
    "--flush-size": "flushSize",
    "--rotate-interval-ms": "rotateIntervalMs",
    "--idle-flush-ms": "idleFlushMs",
    "--session-timeout-ms": "sessionTimeoutMs",
  } as const;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") && args[i].includes("=")
      ? [args[i].slice(0, args[i].indexOf("=")), args[i].slice(args[i].indexOf("=") + 1)]
      : [args[i], undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || (inline === undefined && v.startsWith("--"))) {
        throw new UsageError(`${flag} needs a value\n\n${USAGE}`);
      }
      return v;
    };
    if (flag === "--help" || flag === "-h") flags.help = true;
    else if (flag === "--once") flags.once = true;
    else if (flag in numbers) {
      const text = value();
      const n = Number(text);
      const min = flag === "--flush-size" ? 1 : flag === "--session-timeout-ms" ? 6000 : 0;
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
        throw new UsageError(`${flag} must be a whole number ≥ ${min}, got '${text}'\n\n${USAGE}`);
      }
      flags[numbers[flag as keyof typeof numbers]] = n;
    } else if (flag === "--group") {
      flags.group = value();
      if (!/^[A-Za-z0-9._-]+$/.test(flags.group)) {
        throw new UsageError(`--group may hold only letters, digits, '.', '_' and '-'`);
      }
    } else if (flag === "--topics") {
      flags.topics = value().split(",").map((t) => t.trim()).filter(Boolean);
      if (flags.topics.length === 0) throw new UsageError(`--topics needs at least one name`);
    } else throw new UsageError(`Unknown argument '${args[i]}'\n\n${USAGE}`);
  }
  return flags;
}

function progressLine(p: SinkProgress): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const perTopic = p.topics.map((t) => `${t.topic} ${n(t.records)}/${n(t.lag)}`).join(" · ");
  return `sink: ${n(p.records)} records in ${n(p.files)} files, ${n(p.dlq)} dlq, lag ${n(p.lag)}${
    p.retrying ? " (waiting for the lake or Kafka)" : ""
  }  [records/lag: ${perTopic}]`;
}

if (import.meta.main) {
  runMain(async () => {
    const flags = parseSinkFlags(Deno.args);
    if (flags.help) {
      console.log(USAGE);
      return 0;
    }
    const config = loadConfig();
    const lake = openLake(config.lake);
    const topics = (flags.topics ?? [...TOPICS]).map((t) => topicName(config.kafka, t as Topic));
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = () => {
      if (++interrupts > 1) Deno.exit(130);
      console.error("sink: stopping (committing what is stored; Ctrl-C again to quit at once)…");
      controller.abort();
    };
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    console.error(
      `sink: ${topics.join(", ")} → ${lake.description} (group ${
        flags.group ?? SINK_DEFAULTS.group
      }${flags.once ? ", once" : ""})`,
    );
    let last = "";
    let lastAt = 0;
    const result = await runSink(config, {
      lake,
      topics,
      once: flags.once,
      group: flags.group,
      flushSize: flags.flushSize,
      rotateIntervalMs: flags.rotateIntervalMs,
      idleFlushMs: flags.idleFlushMs,
      sessionTimeoutMs: flags.sessionTimeoutMs,
      signal: controller.signal,
      log: (line) => console.error(`sink: ${line}`),
      onProgress: (p) => {
        const line = progressLine(p);
        // Quiet when idle: print on change, else every half minute.
        if (line !== last || Date.now() - lastAt > 30_000) console.error(line);
        last = line;
        lastAt = Date.now();
      },
    });
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    console.error(progressLine(result));
    console.error(
      result.reason === "drained"
        ? "sink: drained to the high watermarks; every file stored and committed"
        : "sink: stopped; stored files are committed, the rest is replayed by the next run",
    );
    const mb = (b: number) => Math.round(b / 10_485.76) / 100;
    printTable([
      ...result.topics.map((t) => ({
        topic: t.topic,
        files: t.files,
        records: t.records,
        dlq: t.dlq,
        MB: mb(t.bytes),
        lag: t.lag,
      })),
      {
        topic: "total",
        files: result.files,
        records: result.records,
        dlq: result.dlq,
        MB: mb(result.topics.reduce((a, t) => a + t.bytes, 0)),
        lag: result.lag,
      },
    ]);
    return 0;
  });
}
