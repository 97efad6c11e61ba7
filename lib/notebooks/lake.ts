/**
 * The lake a lesson reads, chosen by one visible parameter, `LAKE`:
 * - `"seeded"`: a `file://` lake in `DATA_DIR/lessons/lake/…`, filled once from the seeded
 *   simulation (`SEED`, `EVENTS`, `START`) in the sink's layout, without Kafka: every edit of
 *   those parameters gets a lake of its own, so it always takes effect;
 * - `"configured"`: the lake `LAKE_URL` names (the pipeline's, after `./dev demo` or `./dev sink`),
 *   which must hold raw files of the lesson's topics;
 * - `"auto"` (the default): the configured lake when it holds raw files of the lesson's topics
 *   and the simulation parameters are left at their defaults, else a seeded one.
 *
 * The configured lake is written to (the lesson's `analysis/` tables) only when it is local, or
 * when the lesson sets `WRITE_TO_CLOUD = true`. {@linkcode openLesson} adds the lesson's own work
 * folder (cache and DuckDB), emptied first, so a lesson never sees what an earlier run left.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import { ConfigError } from "../errors.ts";
import { FileLake } from "../lake/file.ts";
import { openLake } from "../lake/open.ts";
import type { LakeStorage } from "../lake/storage.ts";
import { createBronzeViews } from "../nrt/bronze.ts";
import { NrtDb } from "../nrt/db.ts";
import { writeLakeFromRecords } from "../nrt/fixture.ts";
import { syncLake, type SyncReport } from "../nrt/sync.ts";
import type { Topic } from "../schema/events.ts";
import { simulate } from "../simulate/mod.ts";

/** Which lake a lesson reads (see the module doc). */
export type LakeChoice = "auto" | "seeded" | "configured";

/** The simulation the lessons use by default. */
export const LESSON_DEFAULTS = {
  seed: 42,
  events: 20_000,
  start: new Date("2026-11-26T00:00:00Z"),
} as const;

/** Options of {@linkcode lessonLake}. */
export interface LessonLakeOptions {
  /** Which lake. @default "auto" */
  lake?: LakeChoice;
  /** Simulation seed of a seeded lake. @default 42 */
  seed?: number;
  /** Simulated records of a seeded lake. @default 20000 */
  events?: number;
  /** Start of the simulated span. @default 2026-11-26T00:00:00Z */
  start?: Date;
  /** The topics the lesson reads. @default all four */
  topics?: readonly Topic[];
  /** Write into a cloud lake (abfss://) too. @default false */
  writeToCloud?: boolean;
}

/** The lake a lesson reads, and why. */
export interface LessonLake {
  lake: LakeStorage;
  /** `configured` (LAKE_URL) or `seeded` (the local simulation). */
  source: "configured" | "seeded";
  /** Why this lake, in words, without a machine path. */
  reason: string;
  /** Whether the lesson may write its `analysis/` tables into it. */
  writable: boolean;
}

async function rawFiles(lake: LakeStorage, prefix: string, topics: readonly Topic[]) {
  let files = 0;
  for (const t of topics) files += (await lake.list(`topics/${prefix}${t}/`)).length;
  return files;
}

async function seededLake(config: Config, seed: number, events: number, start: Date) {
  const stamp = start.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const root = `${config.dataDir}/lessons/lake/seed${seed}-events${events}-${stamp}`;
  const lake = new FileLake(root);
  // `_SUCCESS` marks a complete fill (an interrupted one is redone: same files, same names).
  if (!(await lake.exists("_SUCCESS"))) {
    await writeLakeFromRecords(lake, simulate({ seed, events, start, faults: "default" }), {
      topicPrefix: config.kafka.topicPrefix,
    });
    await lake.put("_SUCCESS", new Uint8Array());
  }
  return lake;
}

/**
 * Opens the lake a lesson reads (see the module doc); throws a `ConfigError` when
 * `lake: "configured"` names a lake without the lesson's raw files.
 */
export async function lessonLake(
  config: Config,
  options: LessonLakeOptions = {},
): Promise<LessonLake> {
  const choice = options.lake ?? "auto";
  if (!["auto", "seeded", "configured"].includes(choice)) {
    throw new ConfigError(`LAKE must be "auto", "seeded" or "configured", not "${choice}"`);
  }
  const seed = options.seed ?? LESSON_DEFAULTS.seed;
  const events = options.events ?? LESSON_DEFAULTS.events;
  const start = options.start ?? LESSON_DEFAULTS.start;
  const topics = options.topics ?? ["clickstream", "orders", "user-profiles", "delivery-status"];
  const simulated = `seed ${seed}, ${events} records from ${start.toISOString()}`;
  const seeded = async (why: string): Promise<LessonLake> => ({
    lake: await seededLake(config, seed, events, start),
    source: "seeded",
    reason: `${why}: a lake seeded locally from the simulation (${simulated})`,
    writable: true,
  });
  if (choice === "seeded") return await seeded("LAKE = seeded");
  const edited = seed !== LESSON_DEFAULTS.seed || events !== LESSON_DEFAULTS.events ||
    start.getTime() !== LESSON_DEFAULTS.start.getTime();
  if (choice === "auto" && edited) return await seeded("SEED/EVENTS/START were edited");
  const configured = openLake(config.lake);
  let files = 0;
  let problem = "";
  try {
    files = await rawFiles(configured, config.kafka.topicPrefix, topics);
  } catch (error) {
    problem = `cannot be read (${(error as Error).message.split("\n")[0]})`;
  }
  const what = `the configured lake (LAKE_URL)`;
  const cloud = config.lake.kind === "adls";
  if (files > 0) {
    return {
      lake: configured,
      source: "configured",
      reason: `${what} holds ${files} raw files of ${topics.join(", ")}`,
      writable: !cloud || Boolean(options.writeToCloud),
    };
  }
  await configured.close();
  problem ||= `holds no raw files of ${topics.join(", ")} yet`;
  if (choice === "configured") {
    throw new ConfigError(
      `LAKE = "configured", but ${what} ${problem}: fill it with \`./dev demo\` (or produce + ` +
        `sink), or set LAKE = "auto"`,
    );
  }
  return await seeded(`${what} ${problem}`);
}

/** A lesson's lake, synced into its own cache, with DuckDB's bronze views over it. */
export interface LessonDb extends LessonLake {
  /** The lesson's work folder: cache, checkpoint and DuckDB database. */
  workDir: string;
  /** What the sync pulled. */
  sync: SyncReport;
  /** DuckDB with `bronze.<topic>` views. */
  db: NrtDb;
}

/**
 * The first step of lessons 05–07 in one call: choose the lake ({@linkcode lessonLake}), empty
 * the lesson's work folder `DATA_DIR/lessons/work/<lesson>`, sync the raw files into it, open
 * DuckDB and create the bronze views. Lesson 04 walks the same steps one by one.
 *
 * @example
 * ```ts ignore
 * const { db, source } = await openLesson(loadConfig(), "05-orders", { topics: ["orders"] });
 * await db.value("SELECT count(*) FROM bronze.orders");
 * ```
 */
export async function openLesson(
  config: Config,
  lesson: string,
  options: LessonLakeOptions = {},
): Promise<LessonDb> {
  const chosen = await lessonLake(config, options);
  const workDir = await lessonWorkDir(config, lesson);
  const sync = await syncLake(chosen.lake, {
    cacheDir: `${workDir}/cache`,
    topicPrefix: config.kafka.topicPrefix,
  });
  const db = await NrtDb.open({ workDir });
  await createBronzeViews(db, `${workDir}/cache`, config.eventTimeZone);
  return { ...chosen, workDir, sync, db };
}

/** The lesson's work folder, `DATA_DIR/lessons/work/<lesson>`, emptied. */
export async function lessonWorkDir(config: Config, lesson: string): Promise<string> {
  const dir = `${config.dataDir}/lessons/work/${lesson}`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}
