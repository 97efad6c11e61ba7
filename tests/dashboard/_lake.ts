/** A lake with an NRT pass done, on the local Azurite, for the dashboard tests. */
import { type Config, loadConfig } from "../../lib/config/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { type LakeFixtureResult, runNrt, writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { simulate, type SimulateOptions } from "../../lib/simulate/mod.ts";
import { azuriteUrl } from "../_helpers.ts";

/** The configuration of a fresh Azurite container, topic prefix and data folder. */
export function freshConfig(prefix: string, dataDir: string): Config {
  return loadConfig({
    env: {
      ...Deno.env.toObject(),
      LAKE_URL: azuriteUrl(prefix.replace(/[^a-z0-9-]/gi, "").slice(0, 20)),
      KAFKA_TOPIC_PREFIX: prefix,
      DATA_DIR: dataDir,
    },
  });
}

/**
 * Writes the simulation's records into the configured lake as the sink would, then runs one
 * NRT pass (curated and analysis written back); returns what was written.
 */
export async function lakeWithNrt(
  config: Config,
  sim: SimulateOptions,
  startOffsets?: Record<string, number>,
): Promise<LakeFixtureResult> {
  const lake = openLake(config.lake);
  try {
    await lake.init();
    const written = await writeLakeFromRecords(lake, simulate(sim), {
      topicPrefix: config.kafka.topicPrefix,
      flushSize: 500,
      startOffsets,
    });
    await runNrt({ config, lake, workDir: `${config.dataDir}/nrt-work` });
    return written;
  } finally {
    await lake.close();
  }
}

/** Whether two row lists hold the same rows in any order, numbers within 1e-9 (relative). */
export function sameRows(
  actual: Array<Record<string, unknown>>,
  expected: Array<Record<string, unknown>>,
): string | null {
  if (actual.length !== expected.length) {
    return `${actual.length} rows, expected ${expected.length}`;
  }
  const key = (r: Record<string, unknown>) =>
    JSON.stringify(
      Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? v.toFixed(6) : v]),
    );
  const a = [...actual].sort((x, y) => key(x).localeCompare(key(y)));
  const e = [...expected].sort((x, y) => key(x).localeCompare(key(y)));
  for (let i = 0; i < a.length; i++) {
    for (const column of new Set([...Object.keys(a[i]), ...Object.keys(e[i])])) {
      const x = a[i][column], y = e[i][column];
      const close = typeof x === "number" && typeof y === "number"
        ? Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y))
        : x === y;
      if (!close) {
        return `row ${i}, ${column}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)} (${key(e[i])})`;
      }
    }
  }
  return null;
}
