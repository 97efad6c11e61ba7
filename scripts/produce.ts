/**
 * `deno task produce [--seed N] [--events N | --duration 60s] [--rate EPS] [--faults …] [--span …]
 * [--start …] [--format v1|original]`: the seeded shop simulation sent to the four Kafka topics.
 * With the same seed and options it sends exactly the records `deno task simulate` writes, in the
 * same order per key. `--format original` sends the original Python producers' records as they
 * sent them (no headers, keyless clickstream, wall-clock timestamps in `EVENT_TIME_ZONE`).
 *
 * `--duration` makes a live run: `rate × duration` events whose event times span the duration
 * from now, each sent when the wall clock reaches its event time (so `--rate` is the average: the
 * simulated shop's traffic varies over the run, and sent at a steady rate its events would run up
 * to a minute or more ahead of the clock; with `--span` or `--start` they are sent at the rate).
 * Ctrl-C flushes what was handed to the producer, then prints the summary. Exits 1 if any send
 * failed.
 *
 * @module
 */
import { loadConfig } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { createKafka, ensureTopics, produceRecords, topicName } from "../lib/kafka/mod.ts";
import { TOPICS } from "../lib/schema/mod.ts";
import { DEFAULTS, simulate } from "../lib/simulate/mod.ts";
import { formatTable } from "../lib/viz/mod.ts";
import { formatDuration, parseFlags, parseStart, ProgressBar, runCli } from "../lib/cli/mod.ts";
import { SIMULATION_FLAGS } from "../lib/cli/shared.ts";

const SPEC = {
  name: "produce",
  summary: "Send the seeded shop simulation to the Kafka topics (idempotent, acks=all).",
  flags: {
    ...SIMULATION_FLAGS,
    events: {
      type: "integer",
      min: 1,
      description: `records across all topics (default ${DEFAULTS.events})`,
    },
    duration: {
      type: "duration",
      min: 1000,
      description: "live run: send rate × duration events over this long",
    },
    rate: {
      type: "number",
      min: 0,
      description: "records per second (default: full speed; 100 with --duration, on average)",
    },
    span: {
      type: "duration",
      min: 1000,
      description: "event time covered (default 72h; the duration when live)",
    },
    "batch-size": {
      type: "integer",
      min: 1,
      default: 1000,
      description: "records per produce request",
    },
    compression: {
      type: "string",
      choices: ["none", "gzip"],
      default: "none",
      description: "batch compression",
    },
  },
  examples: [
    "deno task produce --seed 42 --events 100000",
    "deno task produce --duration 60s --rate 200",
    "deno task produce --seed 7 --events 5000 --start 2026-11-23T00:00:00Z --span 72h",
    "deno task produce --format original --events 20000   # then a v1 run: a mixed topic",
  ],
} as const;

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  if (flags.duration !== undefined && flags.events !== undefined) {
    throw new UsageError("Flags --events and --duration exclude each other: give one");
  }
  const config = loadConfig();
  const live = flags.duration !== undefined;
  const rate = flags.rate ?? (live ? 100 : 0);
  const events = live
    ? Math.max(1, Math.round(rate * flags.duration! / 1000))
    : flags.events ?? DEFAULTS.events;
  const span = flags.span ?? (live ? flags.duration! : DEFAULTS.span);
  const start = flags.start !== undefined ? parseStart(flags.start) : live ? new Date() : undefined;
  const kafka = createKafka(config.kafka);
  await ensureTopics(kafka, config.kafka);
  const records = simulate({
    seed: flags.seed,
    events,
    faults: flags.faults,
    span,
    start,
    format: flags.format,
    zone: config.eventTimeZone,
  });

  const abort = new AbortController();
  const onSignal = () => {
    console.error("\nStopping: flushing what was handed to the producer…");
    abort.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const bar = new ProgressBar(events, "produce");
  let stats;
  try {
    stats = await produceRecords(kafka, config.kafka, records, {
      rate,
      // Live: each record when it happens (see the module doc).
      paceBy: live && flags.span === undefined && flags.start === undefined ? "eventTime" : "rate",
      batchSize: flags["batch-size"],
      compression: flags.compression,
      signal: abort.signal,
      progressEvery: Math.max(100, Math.min(5000, Math.round(events / 100))),
      onProgress: (s) => bar.update(s.sent),
    });
  } finally {
    bar.done();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
  console.log(
    `Sent ${stats.sent} of ${events} records in ${formatDuration(stats.seconds * 1000)} ` +
      `(${Math.round(stats.rate)} records/s) to ${
        config.kafka.brokers.join(",")
      }; ${stats.failed} failed`,
  );
  console.log(
    formatTable(
      TOPICS.map((t) => ({ topic: topicName(config.kafka, t), records: stats.perTopic[t] ?? 0 })),
    ),
  );
  const manifest = records.manifest;
  console.log(
    `Seed ${manifest.seed}, format ${manifest.format}${
      manifest.zone ? ` (wall-clock times in ${manifest.zone})` : ""
    }, faults ${manifest.faults}: ${manifest.totals.duplicates} duplicates, ${manifest.totals.nulls} nulls, ` +
      `${manifest.totals.late} late, ${manifest.totals.malformed} malformed, ${manifest.totals.unknownField} unknown fields`,
  );
  return stats.failed > 0 || abort.signal.aborted ? 1 : 0;
});
