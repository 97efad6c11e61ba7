/**
 * One row of the `deno task bench` table: a measured figure against its baseline measured in the
 * same run (machines are shared and noisy: a ratio holds, an absolute time does not).
 */
export interface BenchRow {
  /** What was measured, e.g. "simulate → JSONL". */
  name: string;
  /** The measured figure, e.g. 412345. */
  value: number;
  /** Its unit, e.g. "events/s" or "s". */
  unit: string;
  /** What it is compared against, e.g. "Kafka producer-perf-test" (empty when the goal is absolute). */
  baseline: string;
  /** The baseline's figure in the same unit (NaN when there is none). */
  baselineValue: number;
  /** value / baselineValue, or for "lower is better" figures baselineValue / value. */
  ratio: number;
  /** The goal as text, e.g. "≥ 0.5×" or "≥ 300000 events/s". */
  goal: string;
  /** Whether the goal is met. */
  pass: boolean;
  /** Anything worth saying beside it (file counts, sizes, peak memory). */
  note?: string;
}

/**
 * A benchmark module's entry point. `quick` shrinks sizes for a smoke run; `scale` adds the
 * figures at ten times the size (`deno task bench --scale`, not in CI).
 */
export type Bench = (options: { quick: boolean; scale?: boolean }) => Promise<BenchRow[]>;
