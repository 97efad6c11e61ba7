/**
 * A lake for the lessons: the configured one (LAKE_URL) when it holds raw files, else a `file://`
 * lake under `<DATA_DIR>/nrt-demo/` filled once from a seeded simulation with
 * {@linkcode writeLakeFromRecords}, so notebooks run headless without Kafka or the sink.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import { FileLake } from "../lake/file.ts";
import { openLake } from "../lake/open.ts";
import type { LakeStorage } from "../lake/storage.ts";
import { simulate } from "../simulate/mod.ts";
import { createBronzeViews } from "./bronze.ts";
import { NrtDb } from "./db.ts";
import { writeLakeFromRecords } from "./fixture.ts";
import { defaultWorkDir } from "./run.ts";
import { syncLake, type SyncReport } from "./sync.ts";

/** Options of {@linkcode lessonLake}. */
export interface LessonLakeOptions {
  /** Simulation seed. @default 42 */
  seed?: number;
  /** Simulated records. @default 20000 */
  events?: number;
  /** Start of the simulated span. @default 2026-11-26T00:00:00Z */
  start?: Date;
  /** Ignore the configured lake even if it holds raw files. @default false */
  forceDemo?: boolean;
}

/** The lake a lesson reads, and where it came from. */
export interface LessonLake {
  lake: LakeStorage;
  /** `configured` (LAKE_URL has raw files) or `simulated` (the seeded demo lake). */
  source: "configured" | "simulated";
  /** Why this lake was chosen, for the notebook to show. */
  reason: string;
}

/**
 * Opens the lake a lesson should read (see the module doc).
 *
 * @example
 * ```ts ignore
 * import { loadConfig } from "../config/mod.ts";
 * import { lessonLake } from "./demo.ts";
 * const { lake, source } = await lessonLake(loadConfig(), { seed: 42, events: 20_000 });
 * ```
 */
export async function lessonLake(
  config: Config,
  options: LessonLakeOptions = {},
): Promise<LessonLake> {
  const seed = options.seed ?? 42;
  const events = options.events ?? 20_000;
  const start = options.start ?? new Date("2026-11-26T00:00:00Z");
  let why = "forced";
  if (!options.forceDemo) {
    const configured = openLake(config.lake);
    try {
      const raw = await configured.list(`topics/${config.kafka.topicPrefix}`);
      if (raw.length > 0) {
        return {
          lake: configured,
          source: "configured",
          reason: `${configured.description} holds ${raw.length} raw files`,
        };
      }
      why = `${configured.description} holds no raw files yet`;
    } catch (error) {
      why = `${configured.description} cannot be read (${(error as Error).message.split("\n")[0]})`;
    }
    await configured.close();
  }
  const root = `${config.dataDir}/nrt-demo/seed${seed}-events${events}-${start.getTime()}`;
  const lake = new FileLake(root);
  // `_SUCCESS` marks a complete fill (an interrupted one is redone: same files, same names).
  if (!(await lake.exists("_SUCCESS"))) {
    await writeLakeFromRecords(lake, simulate({ seed, events, start, faults: "default" }), {
      topicPrefix: config.kafka.topicPrefix,
    });
    await lake.put("_SUCCESS", new Uint8Array());
  }
  return {
    lake,
    source: "simulated",
    reason:
      `${why}: using a seeded simulation (seed ${seed}, ${events} records) in ${lake.description}`,
  };
}

/** A lesson's lake, synced into the local cache, with DuckDB's bronze views over it. */
export interface LessonDb extends LessonLake {
  /** The work folder: cache, checkpoint and DuckDB database. */
  workDir: string;
  /** What the sync pulled. */
  sync: SyncReport;
  /** DuckDB with `bronze.<topic>` views. */
  db: NrtDb;
}

/**
 * The first step of lessons 05–07 in one call: choose the lake ({@linkcode lessonLake}), sync its
 * new raw files into the cache, open DuckDB and create the bronze views. Lesson 04 walks the same
 * steps one by one.
 *
 * @example
 * ```ts ignore
 * const { db, source } = await openLesson(loadConfig(), { seed: 42 });
 * await db.value("SELECT count(*) FROM bronze.orders");
 * ```
 */
export async function openLesson(
  config: Config,
  options: LessonLakeOptions = {},
): Promise<LessonDb> {
  const chosen = await lessonLake(config, options);
  const workDir = defaultWorkDir(config, chosen.lake);
  const sync = await syncLake(chosen.lake, {
    cacheDir: `${workDir}/cache`,
    topicPrefix: config.kafka.topicPrefix,
  });
  const db = await NrtDb.open({ workDir });
  await createBronzeViews(db, `${workDir}/cache`, config.eventTimeZone);
  return { ...chosen, workDir, sync, db };
}
