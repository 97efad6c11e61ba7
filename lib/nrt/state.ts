/**
 * What an NRT database remembers between passes (schema `meta`): the raw files loaded into
 * silver, the layouts silver and gold were built with, the pass number, a write-back left
 * pending, and the hash of each analysis table last written to the lake.
 *
 * @module
 */
import type { CachedFile } from "./sync.ts";
import { type NrtDb, sqlString } from "./db.ts";

/**
 * The version of gold's layout (tables and `gold_state`): a database built by another version
 * has its gold rebuilt in full before it is refreshed incrementally.
 */
export const GOLD_FORMAT = "3";
/**
 * The version of silver's layout (`event_time`, `event_key`, the original data frame's columns);
 * with the event-time zone it was read in, a database built otherwise is rebuilt in full.
 */
export const SILVER_FORMAT = "2";

/** A cache segment loaded into silver, as `meta.loaded_files` holds it. */
export interface LoadedFile {
  /** Its path relative to the cache folder (see {@linkcode CachedFile.segment}). */
  path: string;
  size: number;
  last_modified: number;
}

/** Creates the `meta` tables if missing. */
export async function ensureMeta(db: NrtDb): Promise<void> {
  await db.run(`CREATE SCHEMA IF NOT EXISTS meta;
    CREATE TABLE IF NOT EXISTS meta.loaded_files (path VARCHAR PRIMARY KEY, topic VARCHAR,
      size BIGINT, last_modified BIGINT);
    CREATE TABLE IF NOT EXISTS meta.state (key VARCHAR PRIMARY KEY, value VARCHAR);
    CREATE TABLE IF NOT EXISTS meta.analysis (name VARCHAR PRIMARY KEY, hash VARCHAR);`);
}

/** One value of `meta.state`, or `undefined`. */
export async function getState(db: NrtDb, key: string): Promise<string | undefined> {
  return await db.value<string | undefined>(
    `SELECT value FROM meta.state WHERE key = ${sqlString(key)}`,
  );
}

/** Sets (or with `null` removes) one value of `meta.state`. */
export async function setState(db: NrtDb, key: string, value: string | null): Promise<void> {
  await db.run(`DELETE FROM meta.state WHERE key = ${sqlString(key)}`);
  if (value !== null) {
    await db.run(`INSERT INTO meta.state VALUES (${sqlString(key)}, ${sqlString(value)})`);
  }
}

/** Whether table `schema.name` exists. */
export async function tableExists(db: NrtDb, schema: string, name: string): Promise<boolean> {
  return Number(
    await db.value(
      `SELECT count(*) FROM duckdb_tables() WHERE schema_name = ${
        sqlString(schema)
      } AND table_name = ${sqlString(name)}`,
    ),
  ) > 0;
}

/**
 * The cache segments loaded into silver, by path relative to the cache folder. A database of an
 * earlier version recorded absolute paths: they are read from their `topics/` part on, so such
 * a database also keeps its silver when its work folder moves.
 */
export async function loadedFiles(db: NrtDb): Promise<Map<string, LoadedFile>> {
  const rows = await db.rows<LoadedFile>(
    "SELECT path, size, last_modified FROM meta.loaded_files",
  );
  return new Map(rows.map((r) => {
    const path = r.path.startsWith("/") ? r.path.slice(r.path.lastIndexOf("/topics/") + 1) : r.path;
    return [path, { ...r, path }];
  }));
}

/** Records `files` as loaded into silver (after emptying the record when `replace`). */
export async function recordLoadedFiles(
  db: NrtDb,
  files: readonly CachedFile[],
  replace: boolean,
): Promise<void> {
  if (replace) await db.run("DELETE FROM meta.loaded_files");
  // In slices: one statement per 500 files keeps each statement's text small.
  for (let i = 0; i < files.length; i += 500) {
    const values = files.slice(i, i + 500).map((f) =>
      `(${sqlString(f.segment)}, ${sqlString(f.topic)}, ${f.size}, ${f.lastModified})`
    );
    await db.run(`INSERT INTO meta.loaded_files VALUES ${values.join(", ")}`);
  }
}

/** The hash of each analysis table last written to the lake. */
export async function writtenAnalysis(db: NrtDb): Promise<Map<string, string>> {
  const rows = await db.rows<{ name: string; hash: string }>(
    "SELECT name, hash FROM meta.analysis",
  );
  return new Map(rows.map((r) => [r.name, r.hash]));
}

/** Records the hashes of the analysis tables just written. */
export async function recordAnalysis(db: NrtDb, hashes: Record<string, string>): Promise<void> {
  const names = Object.keys(hashes);
  if (!names.length) return;
  await db.run(
    `INSERT OR REPLACE INTO meta.analysis VALUES ${
      names.map((n) => `(${sqlString(n)}, ${sqlString(hashes[n])})`).join(", ")
    }`,
  );
}
