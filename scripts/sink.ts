/**
 * `deno task sink`: Kafka → lake, exactly once, in the Confluent sink connectors' layout.
 *
 * Long-running by default (progress and lag on stderr; Ctrl-C stops without flushing anything
 * uncommitted, and exits 0); `--once` drains to the high watermarks, closes every file, commits
 * and prints a summary table. The work is `runSink` in `lib/sink/sink.ts`.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { topicName } from "../lib/kafka/mod.ts";
import { openLake } from "../lib/lake/mod.ts";
import { runSink, SINK_DEFAULTS, type SinkProgress } from "../lib/sink/mod.ts";
import type { Topic } from "../lib/schema/events.ts";
import { TOPICS } from "../lib/schema/events.ts";
import { gracefulStop, printTable, runCli, usage } from "../lib/cli/mod.ts";
import { parseSinkFlags, SINK_SPEC } from "../lib/cli/sink_flags.ts";

function progressLine(p: SinkProgress): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const perTopic = p.topics.map((t) => `${t.topic} ${n(t.records)}/${n(t.lag)}`).join(" · ");
  return `sink: ${n(p.records)} records in ${n(p.files)} files, ${n(p.dlq)} dlq, lag ${n(p.lag)}${
    p.retrying ? " (waiting for the lake or Kafka)" : ""
  }  [records/lag: ${perTopic}]`;
}

if (import.meta.main) {
  runCli(async () => {
    const flags = parseSinkFlags(Deno.args);
    if (flags.help) {
      console.log(usage(SINK_SPEC));
      return 0;
    }
    const config = loadConfig();
    const lake = openLake(config.lake);
    const topics = (flags.topics ?? [...TOPICS]).map((t) => topicName(config.kafka, t as Topic));
    const stop = gracefulStop(
      "sink: stopping (committing what is stored; Ctrl-C again to quit at once)…",
    );
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
      signal: stop.signal,
      log: (line) => console.error(`sink: ${line}`),
      onProgress: (p) => {
        const line = progressLine(p);
        // Quiet when idle: print on change, else every half minute.
        if (line !== last || Date.now() - lastAt > 30_000) console.error(line);
        last = line;
        lastAt = Date.now();
      },
    });
    stop.dispose();
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
