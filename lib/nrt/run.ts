/**
 * One near-real-time pass, as `deno task nrt` runs it, in named steps: sync the raw lake into
 * the cache (`sync.ts`), plan the pass (`plan.ts`: full, incremental or up-to-date), load what is
 * new into silver and bring gold up to date (`update.ts`), write curated and analysis back to
 * the lake (`publish.ts`), report. A pass with nothing new does no work.
 *
 * @module
 */
import { type Config, loadConfig } from "../config/mod.ts";
import { openLake } from "../lake/open.ts";
import type { LakeStorage } from "../lake/storage.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import { fnv1a32Hex } from "../hash.ts";
import { NrtDb } from "./db.ts";
import { installEventTime } from "./event_time.ts";
import { goldCounts } from "./gold.ts";
import { type PassMode, type PassPlan, planPass } from "./plan.ts";
import { publishPass, type Written } from "./publish.ts";
import { type SilverCounts, silverCounts } from "./silver.ts";
import { ensureMeta } from "./state.ts";
import { syncLake, type SyncReport } from "./sync.ts";
import { type LayerUpdate, updateLayers } from "./update.ts";

/** Options of {@linkcode runNrt}. */
export interface NrtOptions {
  /**
   * The configuration (LAKE_URL, KAFKA_TOPIC_PREFIX, DATA_DIR).
   * @default loadConfig()
   */
  config?: Config;
  /**
   * The lake to read and write (closed by the caller).
   * @default openLake(config.lake), closed at the end
   */
  lake?: LakeStorage;
  /**
   * Folder of the cache, checkpoint and DuckDB database.
   * @default "<DATA_DIR>/nrt/<lake slug>" (one per lake, so lakes never mix)
   */
  workDir?: string;
  /**
   * Ignore the checkpoint: pull every file again and rebuild everything.
   * @default false
   */
  full?: boolean;
  /**
   * Write curated and analysis back to the lake.
   * @default true
   */
  writeBack?: boolean;
  /**
   * Prefix of the lake's topic folders.
   * @default config.kafka.topicPrefix
   */
  topicPrefix?: string;
  /**
   * DuckDB threads.
   * @default all cores
   */
  threads?: number;
  /**
   * DuckDB's memory limit: past it, DuckDB spills to the work folder. It bounds the pass's peak
   * RSS (≈ 880 MB for a 1M-event full pass without a limit; ≈ 530 MB at 256 MB with the write
   * back's lower limit) at about the same CPU time.
   * @default "256MB"
   */
  memoryLimit?: string;
  /**
   * DuckDB's memory limit while the pass writes back (see `publishPass`); data that needs more
   * is written again under `memoryLimit`.
   * @default "160MB"
   */
  writeMemoryLimit?: string;
  /**
   * The IANA zone of wall-clock timestamps (`EVENT_TIME_ZONE`); a database built with another
   * zone is rebuilt in full.
   * @default config.eventTimeZone
   */
  eventTimeZone?: string;
  /**
   * Progress lines.
   * @default none
   */
  onProgress?: (message: string) => void;
}

/** Rows per layer of one topic. */
export interface LayerCounts extends SilverCounts {
  /** Bronze rows (JSON lines in the cached files). */
  bronze: number;
  /** Rows added to `silver.<topic>` by this pass. */
  added: number;
}

/** What one pass did. */
export interface NrtReport {
  /** The lake, safe to print. */
  lake: string;
  workDir: string;
  /** `full` build, `incremental` append, or `up-to-date` (nothing new: no work). */
  mode: PassMode;
  sync: SyncReport;
  /** Raw files loaded into silver by this pass. */
  loadedFiles: number;
  layers: LayerCounts[];
  /** Gold tables and their rows. */
  gold: Array<{ name: string; rows: number }>;
  /** Lake files written back. */
  written: Written;
  /** Gold tables refreshed or rebuilt by this pass (every table on a full pass). */
  goldUpdated: number;
  /**
   * Metrics this data cannot fill ("not available for this data"), e.g. the funnel when no
   * clickstream row has a session_id (the original producers' records have none).
   */
  unavailable: Array<{ table: string; reason: string }>;
  /**
   * Raw lines set aside (type drift, invalid records): `added` by this pass (in
   * `sync.quarantined`), `total` in the `quarantine` table.
   */
  quarantine: { added: number; total: number };
  /** Milliseconds per step (sync, plan, silver, gold, write, report). */
  timings: Record<string, number>;
}

/** A folder name for a lake: kind plus a short hash of its description. */
export function lakeSlug(description: string): string {
  const kind = /^([a-z]+):/.exec(description)?.[1] ?? "lake";
  return `${kind}-${fnv1a32Hex(description)}`;
}

/** The default work folder of a lake. */
export function defaultWorkDir(config: Config, lake: LakeStorage): string {
  return `${config.dataDir}/nrt/${lakeSlug(lake.description)}`;
}

/** The options of one pass, defaults filled in. */
interface Pass {
  config: Config;
  lake: LakeStorage;
  workDir: string;
  cacheDir: string;
  topicPrefix: string;
  zone: string;
  full: boolean;
  writeBack: boolean;
  threads?: number;
  memoryLimit: string;
  writeMemoryLimit: string;
  progress: (message: string) => void;
}

function resolvePass(options: NrtOptions): Pass {
  const config = options.config ?? loadConfig();
  const lake = options.lake ?? openLake(config.lake);
  const workDir = options.workDir ?? defaultWorkDir(config, lake);
  return {
    config,
    lake,
    workDir,
    cacheDir: `${workDir}/cache`,
    topicPrefix: options.topicPrefix ?? config.kafka.topicPrefix,
    zone: options.eventTimeZone ?? config.eventTimeZone,
    full: options.full ?? false,
    writeBack: options.writeBack ?? true,
    threads: options.threads,
    memoryLimit: options.memoryLimit ?? "256MB",
    writeMemoryLimit: options.writeMemoryLimit ?? "160MB",
    progress: options.onProgress ?? (() => {}),
  };
}

/** Milliseconds per step: `lap(step)` closes the step that ran since the last lap. */
function stepTimer(): { timings: Record<string, number>; lap: (step: string) => void } {
  const timings: Record<string, number> = {};
  let clock = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    timings[step] = (timings[step] ?? 0) + now - clock;
    clock = now;
  };
  return { timings, lap };
}

/**
 * Runs one pass (see the module doc) and returns its report.
 *
 * @example
 * ```ts ignore
 * import { runNrt } from "./run.ts";
 * const report = await runNrt({ onProgress: console.log });
 * console.log(report.mode, report.sync.synced.length);
 * ```
 */
export async function runNrt(options: NrtOptions = {}): Promise<NrtReport> {
  const runner = openNrt(options);
  try {
    return await runner.pass();
  } finally {
    await runner.close();
  }
}

/**
 * Passes that share one process: the lake and the DuckDB database stay open between them, so a
 * pass after the first pays for no start-up (Deno, DuckDB, the log's replay) and finds the
 * tables it reads in DuckDB's buffers (`deno task nrt --watch`).
 */
export interface NrtRunner {
  /** One pass over what is new (the first one is a full pass with `full`). */
  pass(): Promise<NrtReport>;
  /**
   * Work a caller that waits between passes (a watch) lets happen while it waits: once this is
   * called, DuckDB no longer checkpoints its write-ahead log at a pass's commit when the log
   * outgrows 16 MB (≈ 0.2 s inside one incremental pass in three), but here, when the log has
   * outgrown `walBytes`. Returns whether it checkpointed.
   */
  idle(walBytes?: number): Promise<boolean>;
  /** Closes the database (and the lake, unless the caller gave it). */
  close(): Promise<void>;
}

/**
 * Opens a runner for passes in one process (see {@linkcode NrtRunner}); `runNrt` is one of its
 * passes. Passes run one at a time.
 *
 * @example
 * ```ts ignore
 * import { openNrt } from "./run.ts";
 * const runner = openNrt({});
 * try {
 *   for (let i = 0; i < 3; i++) console.log((await runner.pass()).mode);
 * } finally {
 *   await runner.close();
 * }
 * ```
 */
export function openNrt(options: NrtOptions = {}): NrtRunner {
  const pass = resolvePass(options);
  let db: NrtDb | undefined;
  let passes = 0;
  let lakeReady = false;
  let busy: Promise<unknown> = Promise.resolve();
  /** Set by the first `idle()`: checkpoints wait for the caller's idle time. */
  let checkpointWhenIdle = false;
  const open = async (): Promise<NrtDb> => {
    const opened = await openPassDb(pass);
    if (checkpointWhenIdle) await opened.run(CHECKPOINT_AT_IDLE);
    return opened;
  };
  const one = async (): Promise<NrtReport> => {
    try {
      return await onePass();
    } catch (error) {
      // What the failed pass left open in DuckDB goes with its connection: the next pass starts
      // on the database as the last committed transaction left it.
      db?.close();
      db = undefined;
      throw error;
    }
  };
  const onePass = async (): Promise<NrtReport> => {
    const { timings, lap } = stepTimer();
    const full = pass.full && passes++ === 0;
    // A lake nothing was written to yet (a fresh Azurite, before any sink run) has no container
    // to write curated/ and analysis/ into: made once, as the sink does.
    if (pass.writeBack && !lakeReady) {
      await pass.lake.init();
      lakeReady = true;
    }
    const sync = await pullLake({ ...pass, full });
    lap("sync");
    db ??= await open();
    const plan = await planPass(db, sync, { ...pass, full });
    await checkpointOnClose(db, plan);
    lap("plan");
    const update = await updateLayers(db, plan, { ...pass, lap });
    const written = pass.writeBack
      ? await publishPass(db, pass.lake, plan, update, pass)
      : undefined;
    if (written) lap("write");
    const report = await passReport(db, pass, sync, plan, update, written);
    lap("report");
    return { ...report, timings };
  };
  return {
    pass() {
      const next = busy.then(one);
      busy = next.catch(() => {});
      return next;
    },
    idle(walBytes = CHECKPOINT_WAL_BYTES) {
      const next = busy.then(async () => {
        if (!checkpointWhenIdle) {
          checkpointWhenIdle = true;
          await db?.run(CHECKPOINT_AT_IDLE);
        }
        if (db === undefined || walSize(pass.workDir) <= walBytes) return false;
        await db.run("CHECKPOINT");
        return true;
      });
      busy = next.catch(() => {});
      return next;
    },
    async close() {
      await busy;
      db?.close();
      db = undefined;
      if (!options.lake) await pass.lake.close();
    },
  };
}

/** The write-ahead log's size at which an idle runner checkpoints: DuckDB's own default. */
export const CHECKPOINT_WAL_BYTES = 16 * 1024 * 1024;
/** Lifts DuckDB's checkpoint threshold while a runner checkpoints when idle (never reached). */
const CHECKPOINT_AT_IDLE = "SET checkpoint_threshold = '4GB'";

/** Bytes in the database's write-ahead log (0 when there is none). */
function walSize(workDir: string): number {
  try {
    return Deno.statSync(`${workDir}/nrt.duckdb.wal`).size;
  } catch {
    return 0;
  }
}

/** Step 1: the raw lake synced into the cache, with progress and each quarantined file. */
async function pullLake(pass: Pass): Promise<SyncReport> {
  const { lake, cacheDir, progress } = pass;
  progress(`sync ${lake.description} → ${cacheDir}`);
  let lastShown = 0;
  const sync = await syncLake(lake, {
    cacheDir,
    full: pass.full,
    topicPrefix: pass.topicPrefix,
    writeQuarantine: pass.writeBack,
    onProgress: (done, total) => {
      if (done === total || done - lastShown >= Math.max(1, Math.ceil(total / 10))) {
        lastShown = done;
        progress(`  pulled ${done}/${total} files`);
      }
    },
  });
  if (sync.ignored.length > 0) {
    progress(
      `  ignored ${sync.ignored.length} file(s) in the topics' folders named or placed otherwise ` +
        `than the connector's layout (first: ${sync.ignored[0]}): their records are not read`,
    );
  }
  for (const [file, records] of Map.groupBy(sync.quarantined, (q) => q.file)) {
    const more = records.length > 1 ? ", …" : "";
    progress(
      `  quarantined ${records.length} line(s) of ${file}: line ${records[0].line}, ` +
        `${records[0].reason}${more}`,
    );
  }
  return sync;
}

/** Step 2: the pass's database, its `meta` tables and event-time macros ready. */
async function openPassDb(pass: Pass): Promise<NrtDb> {
  const db = await NrtDb.open({
    path: `${pass.workDir}/nrt.duckdb`,
    workDir: pass.workDir,
    threads: pass.threads,
    memoryLimit: pass.memoryLimit,
  });
  try {
    await ensureMeta(db);
    await installEventTime(db, pass.zone);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * A pass that adds a few rows leaves them in the write-ahead log instead of checkpointing on
 * close (~0.3 s, whatever the change's size): the next open replays the log (tens of ms per
 * pass), and DuckDB checkpoints once it outgrows `checkpoint_threshold` (16 MB). A full pass
 * checkpoints on close (the last pass of a runner decides).
 */
async function checkpointOnClose(db: NrtDb, plan: PassPlan): Promise<void> {
  await db.run(
    plan.mode === "full"
      ? "PRAGMA enable_checkpoint_on_shutdown"
      : "PRAGMA disable_checkpoint_on_shutdown",
  );
}

/** The last step: rows per layer, gold's sizes and what this data cannot fill. */
async function passReport(
  db: NrtDb,
  pass: Pass,
  sync: SyncReport,
  plan: PassPlan,
  update: LayerUpdate,
  written: Written | undefined,
): Promise<Omit<NrtReport, "timings">> {
  const { mode, cached, fresh } = plan;
  const bronze = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
  for (const f of cached) bronze.set(f.topic, bronze.get(f.topic)! + f.rows);
  const layers = (await silverCounts(db)).map((c) => ({
    ...c,
    bronze: bronze.get(c.topic)!,
    added: mode === "up-to-date" ? 0 : update.added.get(c.topic)!,
  }));
  return {
    lake: pass.lake.description,
    workDir: pass.workDir,
    mode,
    sync,
    loadedFiles: (mode === "full" ? cached : mode === "incremental" ? fresh : [])
      .reduce((n, f) => n + f.files, 0),
    layers,
    gold: await goldCounts(db),
    written: written ?? { curated: 0, analysis: 0 },
    goldUpdated: update.touched.length,
    unavailable: await unavailableMetrics(db),
    quarantine: plan.quarantine,
  };
}

/** The metrics the data in silver cannot fill (see {@linkcode NrtReport.unavailable}). */
async function unavailableMetrics(db: NrtDb): Promise<NrtReport["unavailable"]> {
  const [row] = await db.rows<{ rows: number; sessions: number }>(
    "SELECT count(*) AS rows, count(session_id) AS sessions FROM silver.clickstream",
  );
  if (!row || Number(row.rows) === 0 || Number(row.sessions) > 0) return [];
  const reason = "no clickstream row has a session_id";
  return [
    { table: "clickstream_funnel", reason },
    { table: "clickstream_hourly_traffic.sessions", reason },
  ];
}
