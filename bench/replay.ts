/**
 * Real-time replay, end to end: `deno task realtime --once --from-beginning --json` over a
 * million records in the four topics, as a whole process (Deno's start, the group join, every
 * record read, decoded and aggregated, the snapshot printed), against Kafka's own Java consumer
 * (`kafka-consumer-perf-test`) reading the same four topics in the same run: one perf-test per
 * topic (it reads one topic), its records over the sum of their fetch times (the JVM's start
 * and the group joins left out: the strongest baseline; ours counts its start and join).
 *
 * Run alone: `deno run -A bench/replay.ts [--quick]` (needs the stack: `deno task stack up`).
 */
import { loadConfig, PROJECT_ROOT } from "../lib/config/mod.ts";
import {
  createKafka,
  ensureTopics,
  highWatermarks,
  produceRecords,
  topicName,
} from "../lib/kafka/mod.ts";
import { TOPICS } from "../lib/schema/events.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { javaConsume } from "./_kafka_perf.ts";
import type { Bench, BenchRow } from "./_types.ts";

/** Our replay's records/s over the Java consumer's (issue 15). */
const RATIO_GOAL = 0.6;
const HOUR = 3600_000;

/** The four topics under a fresh prefix, holding `events` simulated records; per-topic counts. */
async function seededTopics(events: number) {
  const config = loadConfig();
  const kafka = { ...config.kafka, topicPrefix: `bench-replay-${Date.now().toString(36)}.` };
  const client = createKafka(kafka);
  await ensureTopics(client, kafka, { dlq: false });
  const stats = await produceRecords(
    client,
    kafka,
    // Kafka ages out old record timestamps: a simulated day that ended an hour ago.
    simulate({
      seed: 5,
      events,
      span: 24 * HOUR,
      start: new Date(Math.floor(Date.now() / HOUR) * HOUR - 25 * HOUR),
    }),
  );
  if (stats.sent !== events) throw new Error(`produced ${stats.sent} of ${events} records`);
  const perTopic = new Map<string, number>();
  for (const t of TOPICS) {
    const name = topicName(kafka, t);
    const ends = await highWatermarks(client, name);
    perTopic.set(name, [...ends.values()].reduce((a, b) => a + b, 0));
  }
  return { prefix: kafka.topicPrefix, perTopic };
}

/** `realtime --once --from-beginning --json` as a process: wall ms and records it received. */
async function replayProcess(prefix: string): Promise<{ ms: number; received: number }> {
  const t = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${PROJECT_ROOT}/scripts/realtime.ts`,
      "--once",
      "--from-beginning",
      "--json",
    ],
    env: { KAFKA_TOPIC_PREFIX: prefix, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t;
  if (!out.success) {
    throw new Error(`realtime --once: ${new TextDecoder().decode(out.stderr).trim().slice(-300)}`);
  }
  const snapshot = JSON.parse(new TextDecoder().decode(out.stdout));
  return { ms, received: Number(snapshot.totals.received) };
}

/**
 * Kafka's Java consumer over each topic in turn: records over the sum of their fetch seconds
 * (`fetch.nMsg.sec`: the group join left out, which a run per topic would pay four times where
 * ours pays it once), and over the sum of their whole seconds (joins included).
 */
async function javaReplay(perTopic: ReadonlyMap<string, number>, group: string) {
  let records = 0, fetchSeconds = 0, seconds = 0;
  for (const [name, n] of perTopic) {
    if (n === 0) continue;
    const { rate, fetchRate } = await javaConsume(name, n, `${group}-${name}`);
    records += n;
    fetchSeconds += n / fetchRate;
    seconds += n / rate;
  }
  return { fetchRate: records / fetchSeconds, rate: records / seconds };
}

export const bench: Bench = async ({ quick }) => {
  const events = quick ? 100_000 : 1_000_000;
  const { prefix, perTopic } = await seededTopics(events);
  // Median of three rounds, each ours then Java's back to back (a shared machine is noisy).
  const rounds = [];
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    const ours = await replayProcess(prefix);
    if (ours.received !== events) {
      throw new Error(`realtime --once received ${ours.received} of ${events} records`);
    }
    const rate = events / (ours.ms / 1000);
    const java = await javaReplay(perTopic, `${prefix}java-${round}`);
    rounds.push({
      rate,
      java: java.fetchRate,
      withJoins: java.rate,
      ratio: rate / java.fetchRate,
      ms: ours.ms,
    });
  }
  rounds.sort((a, b) => a.ratio - b.ratio);
  const mid = rounds[Math.floor(rounds.length / 2)];
  const row: BenchRow = {
    name: `realtime replay end to end (--once --from-beginning, whole process)`,
    value: Math.round(mid.rate),
    unit: "records/s",
    baseline: "Kafka consumer-perf-test, same four topics",
    baselineValue: Math.round(mid.java),
    ratio: mid.ratio,
    goal: `≥ ${RATIO_GOAL}×`,
    pass: mid.ratio >= RATIO_GOAL,
    note:
      `median of ${rounds.length} rounds' ratios (${
        rounds.map((r) => r.ratio.toFixed(2)).join(", ")
      }); ${events.toLocaleString("en")} records, 3 partitions per topic; ours ${
        (mid.ms / 1000).toFixed(1)
      } s with Deno's start and the group join; Java: one perf-test per topic, its fetch time ` +
      `(JVM start and group joins left out; with the joins ${Math.round(mid.withJoins)} records/s)`,
  };
  return [row];
};

if (import.meta.main) {
  for (const row of await bench({ quick: Deno.args.includes("--quick") })) {
    console.log(JSON.stringify(row));
  }
  Deno.exit(0);
}
