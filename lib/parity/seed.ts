/**
 * A seeded `file://` raw lake for parity runs, their tests and the benchmark: the simulator's
 * records (ours, the original producers', or both) written in the sink's layout by
 * `lib/nrt/fixture.ts`.
 *
 * @module
 */
import { FileLake } from "../lake/file.ts";
import { writeLakeFromRecords } from "../nrt/fixture.ts";
import { simulate } from "../simulate/mod.ts";
import type { FaultPreset, SimRecord } from "../simulate/mod.ts";

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
  /**
   * Records as ours (`v1`), as the original producers sent them (`original`), or both in the
   * same topics (`mixed`: ours, then the original producers' with `events` records each).
   * @default "v1"
   */
  format?: "v1" | "original" | "mixed";
  /** The zone of the original format's wall-clock timestamps (`EVENT_TIME_ZONE`). @default "UTC" */
  zone?: string;
}

/** The formats {@linkcode seedLake} can write. */
export const SEED_FORMATS = ["v1", "original", "mixed"] as const;

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
  const format = options.format ?? "v1";
  const zone = options.zone ?? "UTC";
  const run = (kind: "v1" | "original"): Iterable<SimRecord> =>
    simulate({
      seed: options.seed ?? 7,
      events: options.events ?? 3000,
      faults: options.faults ?? "default",
      span: options.span ?? 24 * 3_600_000,
      start: SEED_START,
      format: kind,
      zone,
    });
  const records = format === "mixed"
    ? [...run("v1"), ...run("original")]
    : run(format === "original" ? "original" : "v1");
  const result = await writeLakeFromRecords(lake, records, {
    topicPrefix: options.topicPrefix,
    zone,
  });
  return result.records;
}
