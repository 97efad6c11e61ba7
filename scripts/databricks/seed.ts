/**
 * A seeded `file://` raw lake for parity runs, their tests and the benchmark: the simulator's
 * records written in the sink's layout by `lib/nrt/fixture.ts`.
 *
 * @module
 */
import { FileLake } from "../../lib/lake/file.ts";
import { writeLakeFromRecords } from "../../lib/nrt/fixture.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import type { FaultPreset } from "../../lib/simulate/mod.ts";

/** Options of {@linkcode seedLake}. */
export interface SeedLakeOptions {
  /** @default 7 */
  seed?: number;
  /** @default 3000 */
  events?: number;
  /** @default "default" */
  faults?: FaultPreset;
  /** @default 24 h */
  span?: number;
  /** Prefix of the topic folders. @default "" */
  topicPrefix?: string;
}

/** A fixed start, so that every run writes the same lake. */
export const SEED_START = new Date("2026-11-26T00:00:00Z");

/**
 * Fills `root` with a seeded raw lake (`topics/<topic>/year=…/…`), replacing what was there;
 * returns the records written (lines that are not JSON are left out, as the sink's DLQ takes them).
 */
export async function seedLake(root: string, options: SeedLakeOptions = {}): Promise<number> {
  await Deno.remove(root, { recursive: true }).catch(() => {});
  const lake = new FileLake(root);
  await lake.init();
  const records = simulate({
    seed: options.seed ?? 7,
    events: options.events ?? 3000,
    faults: options.faults ?? "default",
    span: options.span ?? 24 * 3_600_000,
    start: SEED_START,
  });
  const result = await writeLakeFromRecords(lake, records, { topicPrefix: options.topicPrefix });
  return result.records;
}
