/**
 * The paced producer of the latency benchmarks (`realtime.ts`, `dashboard.ts`): a live-like hour
 * of records sent at a steady rate, 100-record batches every 20 ms with acks=all and up to 8
 * batches in flight (so one slow acknowledgement does not hold the rate back), each record's send
 * time noted for the latency.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { KafkaConfig } from "../lib/config/mod.ts";
import { toMessage, topicName } from "../lib/kafka/mod.ts";
import { type SimRecord, simulate } from "../lib/simulate/mod.ts";
import type { BenchRow } from "./_types.ts";

/** Records per second the latency benchmarks send. */
export const RATE = 5000;
const TICK_MS = 20;
const IN_FLIGHT = 8;

/** `seconds` worth of records at {@linkcode RATE}, event times over the last hour, no faults. */
export function liveRecords(seconds: number): SimRecord[] {
  return [
    ...simulate({
      seed: 9,
      events: RATE * seconds,
      faults: "none",
      start: new Date(Date.now() - 3600_000),
      span: 3600_000,
    }),
  ];
}

/**
 * Sends `records` at {@linkcode RATE}, calling `sent(value, t)` with each record's value and the
 * `performance.now()` just before its batch is sent; returns the seconds sending took.
 */
export async function producePaced(
  kafka: Kafka,
  config: KafkaConfig,
  records: SimRecord[],
  sent: (value: string, t: number) => void,
): Promise<number> {
  const producer = kafka.producer({ maxInFlightRequests: IN_FLIGHT });
  await producer.connect();
  const perTick = (RATE * TICK_MS) / 1000;
  const inFlight = new Set<Promise<unknown>>();
  const began = performance.now();
  for (let i = 0; i < records.length; i += perTick) {
    const wait = began + (i / RATE) * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    const byTopic = new Map<string, ReturnType<typeof toMessage>[]>();
    const t = performance.now();
    for (const r of records.slice(i, i + perTick)) {
      sent(r.value, t);
      const name = topicName(config, r.topic);
      let list = byTopic.get(name);
      if (!list) byTopic.set(name, list = []);
      list.push(toMessage(r));
    }
    const sending = producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    inFlight.add(sending);
    sending.finally(() => inFlight.delete(sending));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - began) / 1000;
  await producer.disconnect();
  return seconds;
}

/** Waits until `done()` or 15 s have passed (records that never arrive show in the note). */
export async function settle(done: () => boolean): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/**
 * The p50 and p99 rows of a produce → update latency figure, against a p99 goal in ms; the figure
 * passes only when every record's latency was seen.
 */
export function latencyRows(
  prefix: string,
  p: { p50: number; p99: number; seen: number; sent: number; goalMs: number; goal: string },
  note: string,
): BenchRow[] {
  const row = (name: string, ms: number): BenchRow => ({
    name: `${prefix} ${name}`,
    value: ms,
    unit: "ms",
    baseline: p.goal,
    baselineValue: p.goalMs,
    ratio: p.goalMs / ms,
    goal: `p99 < ${p.goalMs} ms`,
    pass: p.seen === p.sent && p.p99 < p.goalMs,
    note,
  });
  return [row("p50", p.p50), row("p99", p.p99)];
}
