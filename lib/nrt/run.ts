/**
 * One near-real-time pass, as `deno task nrt` runs it: sync the raw lake into the cache, load
 * what is new into silver (in full or incrementally), bring gold up to date (in full, or only
 * what the new rows change), write curated and analysis back to the lake (an incremental pass
 * only the new curated rows and the analysis tables whose content changed). A pass with nothing
 * new does no work.
 *
 * @module
 */
import { type Config, loadConfig } from "../config/mod.ts";
import { openLake } from "../lake/open.ts";
import type { LakeStorage } from "../lake/storage.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import { createBronzeViews, tableName } from "./bronze.ts";
import { NrtDb, sqlString } from "./db.ts";
import { installEventTime } from "./event_time.ts";
import { buildGold, GOLD_TABLES, goldCounts, goldInputs } from "./gold.ts";
import { refreshGold } from "./refresh.ts";
import {
  appendSilver,
  buildSilver,
  type SilverAppend,
  type SilverCounts,
  silverCounts,
} from "./silver.ts";
import { loadQuarantine } from "./quarantine.ts";
import { cachedFiles, readCheckpoint, syncLake, type SyncReport } from "./sync.ts";
import {
  addHashes,
  analysisHashes,
  appendAnalysis,
  appendedHashes,
  writeAnalysis,
  writeCurated,
} from "./writeback.ts";
import { fnv1a32Hex } from "../hash.ts";

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
  mode: "full" | "incremental" | "up-to-date";
  sync: SyncReport;
  /** Raw files loaded into silver by this pass. */
  loadedFiles: number;
  layers: LayerCounts[];
  /** Gold tables and their rows. */
  gold: Array<{ name: string; rows: number }>;
  /** Lake files written back. */
  written: { curated: number; analysis: number };
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

/**
 * The version of gold's layout (tables and `gold_state`): a database built by another version
 * has its gold rebuilt in full before it is refreshed incrementally.
 */
const GOLD_FORMAT = "3";
/**
 * The version of silver's layout (`event_time`, `event_key`, the original data frame's columns)
 * and the event-time zone it was read in: a database built otherwise is rebuilt in full.
 */
const SILVER_FORMAT = "2";

async function ensureMeta(db: NrtDb): Promise<void> {
  await db.run(`CREATE SCHEMA IF NOT EXISTS meta;
    CREATE TABLE IF NOT EXISTS meta.loaded_files (path VARCHAR PRIMARY KEY, topic VARCHAR,
      size BIGINT, last_modified BIGINT);
    CREATE TABLE IF NOT EXISTS meta.state (key VARCHAR PRIMARY KEY, value VARCHAR);
    CREATE TABLE IF NOT EXISTS meta.analysis (name VARCHAR PRIMARY KEY, hash VARCHAR);`);
}

async function getState(db: NrtDb, key: string): Promise<string | undefined> {
  return await db.value<string | undefined>(
    `SELECT value FROM meta.state WHERE key = ${sqlString(key)}`,
  );
}

async function setState(db: NrtDb, key: string, value: string | null): Promise<void> {
  await db.run(`DELETE FROM meta.state WHERE key = ${sqlString(key)}`);
  if (value !== null) {
    await db.run(`INSERT INTO meta.state VALUES (${sqlString(key)}, ${sqlString(value)})`);
  }
}

async function tableExists(db: NrtDb, schema: string, name: string): Promise<boolean> {
  return Number(
    await db.value(
      `SELECT count(*) FROM duckdb_tables() WHERE schema_name = ${
        sqlString(schema)
      } AND table_name = ${sqlString(name)}`,
    ),
  ) > 0;
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
  const config = options.config ?? loadConfig();
  const lake = options.lake ?? openLake(config.lake);
  const workDir = options.workDir ?? defaultWorkDir(config, lake);
  const prefix = options.topicPrefix ?? config.kafka.topicPrefix;
  const progress = options.onProgress ?? (() => {});
  const writeBack = options.writeBack ?? true;
  const zone = options.eventTimeZone ?? config.eventTimeZone;
  const cacheDir = `${workDir}/cache`;
  const timings: Record<string, number> = {};
  let clock = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    timings[step] = (timings[step] ?? 0) + now - clock;
    clock = now;
  };
  try {
    progress(`sync ${lake.description} → ${cacheDir}`);
    let lastShown = 0;
    const sync = await syncLake(lake, {
      cacheDir,
      full: options.full,
      topicPrefix: prefix,
      writeQuarantine: writeBack,
      onProgress: (done, total) => {
        if (done === total || done - lastShown >= Math.max(1, Math.ceil(total / 10))) {
          lastShown = done;
          progress(`  pulled ${done}/${total} files`);
        }
      },
    });
    const byFile = Map.groupBy(sync.quarantined, (q) => q.file);
    for (const [file, records] of byFile) {
      progress(
        `  quarantined ${records.length} line(s) of ${file}: line ${records[0].line}, ${
          records[0].reason
        }${records.length > 1 ? ", …" : ""}`,
      );
    }
    lap("sync");

    const db = await NrtDb.open({
      path: `${workDir}/nrt.duckdb`,
      workDir,
      threads: options.threads,
    });
    try {
      await ensureMeta(db);
      await installEventTime(db, zone);
      const quarantine = { added: sync.quarantined.length, total: 0 };
      // Rebuilt when the sync changed what is set aside (or on a first or full pass).
      if (
        sync.quarantined.length > 0 || sync.removed.length > 0 || sync.replaced > 0 ||
        options.full || !(await tableExists(db, "main", "quarantine"))
      ) {
        quarantine.total = await loadQuarantine(db, cacheDir);
      } else {
        quarantine.total = Number(await db.value("SELECT count(*) FROM quarantine"));
      }
      const cached = cachedFiles(await readCheckpoint(cacheDir), cacheDir, prefix);
      const loaded = new Map(
        (await db.rows<{ path: string; size: number; last_modified: number }>(
          "SELECT path, size, last_modified FROM meta.loaded_files",
        )).map((r) => [r.path, r]),
      );
      const cachedSet = new Set(cached.map((f) => f.path));
      const stale = [...loaded.values()].some((r) => !cachedSet.has(r.path)) ||
        cached.some((f) => {
          const r = loaded.get(f.path);
          return r !== undefined && (r.size !== f.size || r.last_modified !== f.lastModified);
        });
      const fresh = cached.filter((f) => !loaded.has(f.path));
      const silverFormat = `${SILVER_FORMAT} ${zone}`;
      const built = await tableExists(db, "silver", "clickstream") &&
        await getState(db, "silver") === silverFormat;
      const pending = await getState(db, "pending_writeback");
      const mode: NrtReport["mode"] = options.full || stale || !built
        ? "full"
        : fresh.length > 0
        ? "incremental"
        : "up-to-date";
      const batch = `b${String(Number(await getState(db, "batch") ?? 0) + 1).padStart(6, "0")}`;
      if (mode !== "full") {
        // A pass that adds a few rows leaves them in the write-ahead log instead of
        // checkpointing on close (~0.3 s, whatever the change's size): the next open replays the
        // log (tens of ms per pass), and DuckDB checkpoints once it outgrows
        // `checkpoint_threshold` (16 MB). A full pass checkpoints on close.
        await db.run("PRAGMA disable_checkpoint_on_shutdown");
      }
      lap("plan");
      const added = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
      const appended = new Map<Topic, SilverAppend>();
      let touched: readonly string[] = [];
      // Tables that this pass's refresh only added rows to (`GoldTable.appended` holds them).
      const onlyAppended = new Set<string>();

      if (mode !== "up-to-date") {
        progress(`silver: ${mode} (${mode === "full" ? cached.length : fresh.length} files)`);
        // Silver and gold change together or not at all, so gold always matches silver.
        await db.transaction(async () => {
          if (mode === "full") {
            // Only a full build reads bronze (the views read every cached file).
            await createBronzeViews(db, cacheDir, zone);
            await buildSilver(db);
            for (const c of await silverCounts(db)) added.set(c.topic, c.silver);
            await db.run("DELETE FROM meta.loaded_files");
          } else {
            for (const topic of TOPICS) {
              const files = fresh.filter((f) => f.topic === topic).map((f) => f.path);
              if (!files.length) continue;
              const result = await appendSilver(db, topic, files);
              appended.set(topic, result);
              added.set(topic, result.added);
            }
          }
          const rows = mode === "full" ? cached : fresh;
          for (let i = 0; i < rows.length; i += 500) {
            await db.run(
              `INSERT INTO meta.loaded_files VALUES ${
                rows.slice(i, i + 500).map((f) =>
                  `(${sqlString(f.path)}, ${sqlString(f.topic)}, ${f.size}, ${f.lastModified})`
                ).join(", ")
              }`,
            );
          }
          await setState(db, "batch", String(Number(batch.slice(1))));
          await setState(db, "silver", silverFormat);
          // A pending full write-back stays full; otherwise this pass's mode.
          await setState(db, "pending_writeback", pending === "full" ? "full" : mode);
          lap("silver");

          if (mode === "full" || await getState(db, "gold") !== GOLD_FORMAT) {
            progress(`gold: ${GOLD_TABLES.length} tables`);
            await buildGold(db);
            touched = GOLD_TABLES.map((g) => g.name);
          } else {
            const changed = [...appended].filter(([, a]) => a.added + a.addedOriginal > 0);
            progress(`gold: refresh for new ${changed.map(([t]) => t).join(", ") || "nothing"}`);
            const rebuild = [...appended].filter(([, a]) => a.replaced > 0).map(([t]) => t);
            const refreshed = await refreshGold(db, changed.map(([t]) => t), { rebuild });
            touched = refreshed.map((g) => g.name);
            for (const g of refreshed) {
              if (g.refresh && g.appended && !goldInputs(g).some((t) => rebuild.includes(t))) {
                onlyAppended.add(g.name);
              }
            }
          }
          await setState(db, "gold", GOLD_FORMAT);
        });
        lap("gold");
      } else if (await getState(db, "gold") !== GOLD_FORMAT) {
        // A database from an older version, whose gold may lag behind silver.
        await db.transaction(async () => {
          await buildGold(db);
          await setState(db, "gold", GOLD_FORMAT);
        });
        touched = GOLD_TABLES.map((g) => g.name);
        lap("gold");
      }

      const written = { curated: 0, analysis: 0 };
      // A write-back left pending by a failed pass is redone in full (its new rows are not kept apart).
      const toWrite = pending ? "full" : mode === "up-to-date" ? undefined : mode;
      if (writeBack && toWrite) {
        const full = toWrite === "full";
        progress(
          `write back to ${lake.description}: curated (${full ? "all" : "new rows"}), analysis`,
        );
        for (const topic of TOPICS) {
          const t = tableName(topic);
          const change = appended.get(topic);
          // Rows replaced in silver are in earlier part files: rewrite the topic's curated.
          const whole = full || (change?.replaced ?? 0) > 0;
          if (!whole && !change?.added) continue;
          written.curated += (await writeCurated(db, lake, whole ? `silver.${t}` : `_delta_${t}`, {
            folder: prefix + topic,
            batch,
            replace: whole,
          })).length;
        }
        // Only the tables whose content differs from what was last written go out again.
        const names = full ? GOLD_TABLES.map((g) => g.name) : touched;
        const hashes = await analysisHashes(db, names);
        const before = full ? new Map<string, string>() : new Map(
          (await db.rows<{ name: string; hash: string }>("SELECT name, hash FROM meta.analysis"))
            .map((r) => [r.name, r.hash]),
        );
        const changed = names.filter((n) => before.get(n) !== hashes[n]);
        // A table that only gained rows since it was written gets them as a new part file
        // (when its written content plus those rows is its content now).
        const candidates = changed.filter((n) => onlyAppended.has(n) && before.has(n));
        const added = await appendedHashes(db, candidates);
        const parts = candidates.filter((n) => addHashes(before.get(n)!, added[n]) === hashes[n]);
        written.analysis = (await writeAnalysis(
          db,
          lake,
          changed.filter((n) => !parts.includes(n)),
        ))
          .length + (await appendAnalysis(db, lake, parts, batch)).length;
        if (changed.length) {
          await db.run(
            `INSERT OR REPLACE INTO meta.analysis VALUES ${
              changed.map((n) => `(${sqlString(n)}, ${sqlString(hashes[n])})`).join(", ")
            }`,
          );
        }
        await setState(db, "pending_writeback", null);
        lap("write");
      }

      const bronze = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
      for (const f of cached) bronze.set(f.topic, bronze.get(f.topic)! + f.rows);
      const layers = (await silverCounts(db)).map((c) => ({
        ...c,
        bronze: bronze.get(c.topic)!,
        added: mode === "up-to-date" ? 0 : added.get(c.topic)!,
      }));
      const gold = await goldCounts(db);
      const unavailable = await unavailableMetrics(db);
      lap("report");
      return {
        lake: lake.description,
        workDir,
        mode,
        sync,
        loadedFiles: mode === "full" ? cached.length : mode === "incremental" ? fresh.length : 0,
        layers,
        gold,
        written,
        goldUpdated: touched.length,
        unavailable,
        quarantine,
        timings,
      };
    } finally {
      db.close();
    }
  } finally {
    if (!options.lake) await lake.close();
  }
}
