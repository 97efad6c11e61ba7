/**
 * Benchmark: simulated events written as JSONL files per second, on one core, against the
 * absolute goal of 300,000 events/s (no baseline to compare with, so ratio = value / goal).
 *
 * The figure is events per CPU-second of the whole process (user + system, all threads), not
 * per wall-clock second: on a shared machine other processes stretch wall time but not our CPU
 * time, and counting every thread (GC helpers included) keeps it a fair one-core figure. The
 * wall-clock rate is in the note.
 *
 * @module
 */

import process from "node:process";
import type { Bench, BenchRow } from "./_types.ts";
import { simulate, writeSimulation } from "../lib/simulate/mod.ts";

const GOAL = 300_000;
const START = new Date("2026-11-26T00:00:00.000Z");

/** Measures `simulate → JSONL` (files on disk) for 1M events (100k in quick mode). */
export const bench: Bench = async ({ quick }) => {
  const events = quick ? 100_000 : 1_000_000;
  // Warm the JIT on a small run first: the figure is the steady rate, not start-up.
  for (const _ of simulate({ events: 20_000, start: START }).batches()) { /* warm-up */ }
  // Three runs, each into a fresh folder; the median (shared machines are noisy).
  const runs = [];
  for (let run = 0; run < 3; run++) {
    const dir = await Deno.makeTempDir({ prefix: "bench-simulate-" });
    try {
      const began = performance.now();
      const cpuBefore = process.cpuUsage();
      const manifest = await writeSimulation(dir, { seed: 42, events, start: START });
      const cpu = process.cpuUsage(cpuBefore);
      const seconds = (performance.now() - began) / 1000;
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      let bytes = 0;
      for await (const entry of Deno.readDir(dir)) {
        bytes += (await Deno.stat(`${dir}/${entry.name}`)).size;
      }
      runs.push({
        value: Math.round(manifest.totals.records / cpuSeconds),
        seconds,
        cpuSeconds,
        bytes,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  runs.sort((a, b) => a.value - b.value);
  const { value, seconds, cpuSeconds, bytes } = runs[1];
  const row: BenchRow = {
    name: "simulate → JSONL files",
    value,
    unit: "events/s",
    baseline: "goal 300k/s",
    baselineValue: GOAL,
    ratio: value / GOAL,
    goal: `≥ ${GOAL} events/s`,
    pass: value >= GOAL,
    note: `median of 3 runs (${runs.map((r) => r.value).join(", ")}); ` +
      `${events} events, ${(bytes / 1e6).toFixed(0)} MB, ${cpuSeconds.toFixed(2)} s CPU, ` +
      `${seconds.toFixed(2)} s wall (${Math.round(events / seconds)} events/s wall); ` +
      "per CPU-second of all threads; absolute goal, ratio = value / 300000",
  };
  return [row];
};

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  for (const row of await bench({ quick })) console.log(JSON.stringify(row));
}
