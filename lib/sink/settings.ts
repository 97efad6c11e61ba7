/**
 * The sink's layout settings are part of the lake: the file names of a topic (its start offsets)
 * depend on `flush.size`, `rotate.interval.ms`, the record-time field and its time zone, so a
 * sink that resumed with other values would write files overlapping the earlier ones (the same
 * offsets under other names: duplicates for every reader). Kafka Connect's storage sinks leave
 * that to the operator; here the first sink to write a topic records its settings in the lake,
 * at `_sink/<topic>/settings.json` (outside `topics/`, so no reader of the raw layer sees it),
 * and every later sink must match them or stop before any work, naming both values.
 *
 * @module
 */
import { ConfigError, errorMessage, LakeError } from "../errors.ts";
import type { LakeStorage } from "../lake/storage.ts";

/** The record field the hour folders come from. */
export const SINK_TIME_FIELD = "timestamp";
/** What decides a topic's file names, as recorded in the lake. */
export interface LayoutSettings {
  /** Records per file. */
  flushSize: number;
  /** Record-time rotation, ms (0: off). */
  rotateIntervalMs: number;
  /** The record field holding the event time. */
  timeField: string;
  /**
   * The zone wall-clock timestamps (no offset) are read in, `EVENT_TIME_ZONE`; the hour folders
   * themselves are UTC.
   */
  timeZone: string;
}

/** How each setting is named for people (with its sink flag, where it has one). */
const NAMES: Record<keyof LayoutSettings, string> = {
  flushSize: "flush size (--flush-size)",
  rotateIntervalMs: "rotate interval in ms (--rotate-interval-ms)",
  timeField: "time field",
  timeZone: "time zone of wall-clock timestamps (EVENT_TIME_ZONE)",
};

/**
 * The lake path of a topic's recorded settings.
 *
 * @example
 * ```ts
 * import { settingsPath } from "./settings.ts";
 * settingsPath("orders"); // "_sink/orders/settings.json"
 * ```
 */
export function settingsPath(topic: string): string {
  return `_sink/${topic}/settings.json`;
}

/** What {@linkcode checkLayoutSettings} did. */
export type SettingsCheck = "recorded" | "matched";

/**
 * Compares a topic's recorded settings with `settings`: records them when there are none yet,
 * returns `matched` when equal, and throws a `ConfigError` naming every setting that differs,
 * with both values, otherwise.
 *
 * @example
 * ```ts
 * import { FileLake } from "../lake/file.ts";
 * import { checkLayoutSettings } from "./settings.ts";
 * const lake = new FileLake(await Deno.makeTempDir());
 * const settings = { flushSize: 1000, rotateIntervalMs: 600000, timeField: "timestamp", timeZone: "UTC" };
 * await checkLayoutSettings(lake, "orders", settings); // "recorded"
 * await checkLayoutSettings(lake, "orders", settings); // "matched"
 * const refused = await checkLayoutSettings(lake, "orders", { ...settings, flushSize: 500 })
 *   .catch((error) => error.message);
 * // "The lake's orders files were written with flush size (--flush-size) 1000; this sink has 500. …"
 * if (!refused.includes("1000; this sink has 500")) throw new Error(refused);
 * ```
 */
export async function checkLayoutSettings(
  lake: LakeStorage,
  topic: string,
  settings: LayoutSettings,
): Promise<SettingsCheck> {
  const path = settingsPath(topic);
  const recorded = await readSettings(lake, path);
  if (recorded === undefined) {
    const body = { version: 1, topic, ...settings };
    await lake.put(path, new TextEncoder().encode(JSON.stringify(body, null, 2) + "\n"));
    return "recorded";
  }
  const differences = (Object.keys(NAMES) as Array<keyof LayoutSettings>)
    .filter((k) => recorded[k] !== settings[k])
    .map((k) => `${NAMES[k]} ${recorded[k]}; this sink has ${settings[k]}`);
  if (differences.length > 0) {
    throw new ConfigError(
      `The lake's ${topic} files were written with ${
        differences.join(", and ")
      }. Resuming with other settings would write files that overlap the earlier ones: ` +
        `use the recorded settings, or another lake (LAKE_URL) or topic prefix ` +
        `(${lake.description}/${path})`,
    );
  }
  return "matched";
}

async function readSettings(
  lake: LakeStorage,
  path: string,
): Promise<LayoutSettings | undefined> {
  if (!(await lake.exists(path))) return undefined;
  const text = new TextDecoder().decode(await lake.get(path));
  try {
    const parsed = JSON.parse(text);
    const fine = typeof parsed?.flushSize === "number" &&
      typeof parsed?.rotateIntervalMs === "number" && typeof parsed?.timeField === "string" &&
      typeof parsed?.timeZone === "string";
    if (fine) return parsed;
  } catch (error) {
    throw new LakeError(
      `The sink settings at ${lake.description}/${path} are not JSON (${errorMessage(error)})`,
      { cause: error },
    );
  }
  throw new LakeError(`The sink settings at ${lake.description}/${path} lack a setting`);
}
