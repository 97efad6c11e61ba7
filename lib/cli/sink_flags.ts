/**
 * The command line of `deno task sink`. Durations take `5s`/`10m`; the flags DESIGN.md names
 * with `-ms` (`--rotate-interval-ms`) also take plain milliseconds, and the older
 * `--idle-flush-ms` / `--session-timeout-ms` spellings keep working as deprecated aliases.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { SINK_DEFAULTS } from "../sink/mod.ts";
import { TOPICS } from "../schema/events.ts";
import { HelpRequested, parseFlags } from "./parse.ts";

/** The sink's flags, for parsing and `--help`. */
export const SINK_SPEC = {
  name: "sink",
  summary: "Copy the Kafka topics into the lake (LAKE_URL), exactly once, in the Confluent " +
    "sink connectors' layout.",
  notes: [
    "Files: topics/<topic>/year=YYYY/month=MM/day=dd/hour=HH/<topic>+<partition>+<startOffset>.json\n" +
    "Records that are no valid raw record (UTF-8 JSON objects on one line, at most 1 MiB) go to\n" +
    "<topic>.dlq with the reason. Exactly once: files are named by offsets, offsets are committed\n" +
    "only after the files are stored, and a replay rewrites identical files. The layout settings\n" +
    "are recorded in the lake per topic; a sink with other ones stops before any work.",
    "Ctrl-C stops: what is stored is committed, nothing else is flushed; the next run resumes.",
  ],
  flags: {
    once: {
      type: "boolean",
      description: "drain to the high watermarks, close every file, commit, exit",
    },
    "flush-size": {
      type: "integer",
      min: 1,
      placeholder: "N",
      description: "records per file (default 1000)",
    },
    "rotate-interval-ms": {
      type: "ms",
      min: 0,
      placeholder: "N|DURATION",
      description: "close a file once record time passes its first record by this " +
        "(ms or e.g. 10m; default 600000; 0 = off)",
    },
    "idle-flush": {
      type: "duration",
      min: 0,
      description: "also close files idle this long in wall clock (default off); " +
        "for slow demos only: gives up the exactly-once guarantee",
    },
    "session-timeout": {
      type: "duration",
      min: 6000,
      description: "how long a crashed sink holds its partitions before a restarted one " +
        "gets them (default 10s; the broker's minimum is 6s)",
    },
    group: {
      type: "string",
      placeholder: "NAME",
      description: `consumer group (default "${SINK_DEFAULTS.group}"); one sink process per ` +
        "group (a second one stops before writing)",
    },
    topics: {
      type: "string",
      placeholder: "a,b",
      description: `topics to sink (default: ${TOPICS.join(",")}); ` +
        "KAFKA_TOPIC_PREFIX is put before each name",
    },
    "idle-flush-ms": {
      type: "ms",
      min: 0,
      placeholder: "N",
      deprecatedFor: "idle-flush",
      description: "milliseconds",
    },
    "session-timeout-ms": {
      type: "ms",
      min: 6000,
      placeholder: "N",
      deprecatedFor: "session-timeout",
      description: "milliseconds",
    },
  },
  examples: [
    "deno task sink --once",
    "deno task sink --flush-size 500 --rotate-interval-ms 5m",
  ],
} as const;

/** Parsed flags of `deno task sink` (a field is absent when its flag was not given). */
export interface SinkFlags {
  /** Drain, commit and exit. */
  once: boolean;
  /** Records per file. */
  flushSize?: number;
  /** Record-time rotation, ms (0 = off). */
  rotateIntervalMs?: number;
  /** Wall-clock idle flush, ms. */
  idleFlushMs?: number;
  /** Consumer session timeout, ms. */
  sessionTimeoutMs?: number;
  /** Consumer group. */
  group?: string;
  /** Topics (before KAFKA_TOPIC_PREFIX). */
  topics?: string[];
  /** `--help` was asked for. */
  help: boolean;
}

/**
 * Parses the sink's flags; throws UsageError (exit 2) on anything unknown or malformed.
 *
 * @example
 * ```ts
 * import { parseSinkFlags } from "./sink_flags.ts";
 * parseSinkFlags(["--once", "--idle-flush", "2s"]); // { once: true, help: false, idleFlushMs: 2000 }
 * ```
 */
export function parseSinkFlags(args: readonly string[]): SinkFlags {
  let flags;
  try {
    flags = parseFlags(SINK_SPEC, args).flags;
  } catch (error) {
    if (error instanceof HelpRequested) return { once: false, help: true };
    throw error;
  }
  const out: SinkFlags = { once: flags.once, help: false };
  const set = <K extends keyof SinkFlags>(key: K, value: SinkFlags[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set("flushSize", flags["flush-size"]);
  set("rotateIntervalMs", flags["rotate-interval-ms"]);
  set("idleFlushMs", flags["idle-flush"]);
  set("sessionTimeoutMs", flags["session-timeout"]);
  if (flags.group !== undefined && !/^[A-Za-z0-9._-]+$/.test(flags.group)) {
    throw new UsageError(`Flag --group may hold only letters, digits, '.', '_' and '-'`);
  }
  set("group", flags.group);
  if (flags.topics !== undefined) {
    const topics = flags.topics.split(",").map((t) => t.trim()).filter(Boolean);
    if (topics.length === 0) throw new UsageError(`Flag --topics needs at least one name`);
    out.topics = topics;
  }
  return out;
}
