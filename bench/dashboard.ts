/**
 * Benchmarks of the dashboard:
 *
 * 1. **produce → dashboard update latency** at 5,000 events/s: from just before a record's
 *    `sendBatch` to the arrival, at an SSE client of the running dashboard (`startDashboard`, as
 *    `deno task dashboard` runs it: Kafka → aggregator → live view every 500 ms), of the first
 *    `live` event whose count includes it. The producer is paced as in `bench/realtime.ts`
 *    (100-record batches every 20 ms, acks=all, up to 8 in flight); the order the aggregator
 *    takes records in is noted by wrapping its `addLine`. p50 and p99, goal p99 < 1 s. The
 *    browser's drawing is not included.
 * 2. **aggregator throughput with 20 SSE clients** against none: records of a live-like hour fed
 *    from memory into the feed's aggregator in 500-record batches (each batch yields to the event
 *    loop, as kafkajs batches do), per CPU-second of the dashboard's process, while its server
 *    publishes views every 500 ms to 20 clients in another process (four filters among them) or
 *    to none. Median of five alternating runs each (three with `--quick`); goal ≥ 0.9×.
 *
 * @module
 */
import process from "node:process";
import type { Bench, BenchRow } from "./_types.ts";
import { latencyRows, liveRecords, producePaced, settle } from "./_paced.ts";
import { loadConfig } from "../lib/config/mod.ts";
import {
  dashboardHandler,
  LakePanels,
  LiveFeed,
  loadAssets,
  startDashboard,
} from "../lib/dashboard/mod.ts";
import { createKafka, ensureTopics } from "../lib/kafka/mod.ts";
import { FileLake } from "../lib/lake/mod.ts";
import { createAggregator, percentile } from "../lib/realtime/mod.ts";
import { simulate } from "../lib/simulate/mod.ts";

const P99_GOAL_MS = 1000;
const RATIO_GOAL = 0.9;
const CLIENTS = 20;
const FILTERS = ["", "topics=orders", "last=15m", "topics=clickstream,delivery-status"];

async function latency(quick: boolean): Promise<BenchRow[]> {
  const seconds = quick ? 4 : 20;
  const base = loadConfig();
  const dataDir = await Deno.makeTempDir({ prefix: "bench-dash-" });
  const config = {
    ...base,
    kafka: { ...base.kafka, topicPrefix: `bench-dash-${Date.now().toString(36)}.` },
    dataDir,
  };
  const kafka = createKafka(config.kafka);
  await ensureTopics(kafka, config.kafka, { dlq: false });
  const records = liveRecords(seconds);
  const dashboard = await startDashboard(config, { port: 0, fromBeginning: true });
  // The order records reach the aggregator in: a view counting `received` records shows these.
  const arrived: string[] = [];
  const agg = dashboard.feed.aggregator;
  const addLine = agg.addLine.bind(agg);
  const text = new TextDecoder();
  agg.addLine = (topic, line, source) => {
    // Values come as Kafka's bytes; the records were sent as text, which keys `sentAt`.
    arrived.push(typeof line === "string" ? line : text.decode(line ?? new Uint8Array()));
    return addLine(topic, line, source);
  };
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const client = new AbortController();
  const stream = await fetch(`${dashboard.url}api/live`, { signal: client.signal });
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = "", done = 0;
    try {
      for await (const chunk of stream.body!) {
        const t = performance.now();
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.startsWith("event: live\n")) continue;
          const received = JSON.parse(frame.slice(frame.indexOf("data: ") + 6)).counts.received;
          for (; done < received; done++) latencies.push(t - sentAt.get(arrived[done])!);
        }
      }
    } catch { /* aborted */ }
  })();
  // Give the consumer time to join its group before the clock starts.
  await new Promise((r) => setTimeout(r, 3000));
  const sendSeconds = await producePaced(kafka, config.kafka, records, (v, t) => sentAt.set(v, t));
  await settle(() => latencies.length >= records.length);
  client.abort();
  await reading;
  const updates = dashboard.feed.stats.builds;
  await dashboard.close();
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 50) ?? NaN, p99 = percentile(latencies, 99) ?? NaN;
  const note =
    `${latencies.length}/${records.length} records at ${
      Math.round(records.length / sendSeconds)
    } events/s over ${sendSeconds.toFixed(1)} s; live view every ${dashboard.info.interval} ms ` +
    `(${updates} sent); received at an SSE client (drawing not included)`;
  return latencyRows("dashboard produce → SSE update latency", {
    p50,
    p99,
    seen: latencies.length,
    sent: records.length,
    goalMs: P99_GOAL_MS,
    goal: "goal 1 s",
  }, note);
}

/** One run: the records through a fresh feed with `clients` SSE clients; events per CPU-second. */
async function feedRun(lines: Array<{ topic: string; value: string }>, clients: number) {
  const feed = new LiveFeed(createAggregator());
  const dir = await Deno.makeTempDir({ prefix: "bench-dash-feed-" });
  const lake = new LakePanels({ lake: new FileLake(dir), dir: `${dir}/mirror` });
  const { handle, closeStreams } = dashboardHandler({
    feed,
    lake,
    assets: await loadAssets(),
    info: {} as never,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  const url = `http://127.0.0.1:${server.addr.port}/`;
  let child: Deno.ChildProcess | undefined;
  try {
    if (clients > 0) {
      child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./_sse_clients.ts", import.meta.url).pathname,
          JSON.stringify({ url, n: clients, filters: FILTERS }),
        ],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("connected")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("The SSE clients ended before connecting");
        text += value;
      }
      reader.releaseLock();
    }
    feed.start();
    const agg = feed.aggregator;
    const cpuBefore = process.cpuUsage();
    const began = performance.now();
    for (let i = 0; i < lines.length; i += 500) {
      const end = Math.min(lines.length, i + 500);
      for (let k = i; k < end; k++) agg.addLine(lines[k].topic as never, lines[k].value);
      feed.changed();
      await new Promise((r) => setTimeout(r, 0));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const wall = (performance.now() - began) / 1000;
    return {
      rate: lines.length / ((cpu.user + cpu.system) / 1e6),
      wall,
      builds: feed.stats.builds,
      views: feed.stats.views,
      subscribers: feed.subscribers,
    };
  } finally {
    feed.stop();
    closeStreams();
    if (child) {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    }
    await server.shutdown();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function throughput(quick: boolean): Promise<BenchRow> {
  const events = quick ? 100_000 : 400_000;
  const lines = [
    ...simulate({
      seed: 42,
      events,
      start: new Date("2026-11-20T00:00:00.000Z"),
      span: 3600_000,
    }),
  ].map((r) => ({ topic: r.topic, value: r.value }));
  await feedRun(lines, 0); // warm the JIT
  // Alternating runs, the median of each side: a neighbour's burst hits both alike.
  const runs = quick ? 3 : 5;
  const none = [], with20 = [];
  for (let i = 0; i < runs; i++) {
    none.push(await feedRun(lines, 0));
    with20.push(await feedRun(lines, CLIENTS));
  }
  const median = <T extends { rate: number }>(list: T[]) =>
    [...list].sort((a, b) => a.rate - b.rate)[Math.floor(list.length / 2)];
  const a = median(none), b = median(with20);
  const ratio = b.rate / a.rate;
  return {
    name: `dashboard aggregator with ${CLIENTS} SSE clients`,
    value: Math.round(b.rate),
    unit: "events/s",
    baseline: "same, no client",
    baselineValue: Math.round(a.rate),
    ratio,
    goal: `≥ ${RATIO_GOAL}×`,
    pass: ratio >= RATIO_GOAL,
    note:
      `median of ${runs} runs each (${with20.map((r) => Math.round(r.rate)).join(", ")} vs ${
        none.map((r) => Math.round(r.rate)).join(", ")
      }); ${events} records of a live-like hour, 500 per batch; ${b.builds} ticks built ${b.views} views ` +
      `(${FILTERS.length} filters) over ${
        b.wall.toFixed(1)
      } s; per CPU-second of the dashboard's process`,
  };
}

/** Produce → SSE update latency at 5,000 events/s, then throughput with 20 clients against none. */
export const bench: Bench = async ({ quick }) => {
  return [...await latency(quick), await throughput(quick)];
};

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  for (const row of await bench({ quick })) console.log(JSON.stringify(row));
  Deno.exit(0);
}
