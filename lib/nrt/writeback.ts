/**
 * Writing results back to the lake through `LakeStorage.put` (Azurite, ADLS Gen2 or file://):
 *
 * - silver → `curated/<topic>/year=YYYY/month=M/day=D/part-<batch>-<n>.parquet` (partition
 *   folders as Spark and DuckDB write them: numbers without zero padding). A full build replaces
 *   every file; an incremental run appends new part files holding only the new rows (as a
 *   streaming append does);
 * - gold → `analysis/<name>/data.csv` (header) and `analysis/parquet/<name>/data.parquet`; a
 *   content hash per table ({@linkcode analysisHashes}) tells which tables changed since they
 *   were last written. A table that an incremental pass only added rows to (a `GoldTable` with
 *   `appended`) gets them as new part files instead, `analysis/<name>/part-<batch>.csv` and
 *   `analysis/parquet/<name>/part-<batch>.parquet` ({@linkcode appendAnalysis}), as a
 *   streaming append does; writing the table whole removes them. Read the folder, not a file.
 *
 * DuckDB writes to a temporary folder first; the files are then put one by one.
 *
 * @module
 */
import type { LakeStorage } from "../lake/storage.ts";
import { filesUnder } from "./_files.ts";
import { GOLD_TABLES } from "./gold.ts";
import type { NrtDb } from "./db.ts";
import { sqlString } from "./db.ts";

/**
 * Lake paths of a gold table's two files: the whole table (`data`), or the rows one
 * incremental pass added (`part-<batch>`).
 */
export function analysisPaths(
  name: string,
  file = "data",
): { csv: string; parquet: string } {
  return {
    csv: `analysis/${name}/${file}.csv`,
    parquet: `analysis/parquet/${name}/${file}.parquet`,
  };
}

/** Deletes the files of a table's two analysis folders that are not in `keep`. */
async function removeOthers(lake: LakeStorage, name: string, keep: Set<string>): Promise<void> {
  for (const folder of [`analysis/${name}/`, `analysis/parquet/${name}/`]) {
    for (const entry of await lake.list(folder)) {
      if (!keep.has(entry.path)) await lake.delete(entry.path);
    }
  }
}

async function putAll(
  lake: LakeStorage,
  files: Array<{ local: string; path: string }>,
  concurrency = 8,
): Promise<void> {
  for (let i = 0; i < files.length; i += concurrency) {
    await Promise.all(
      files.slice(i, i + concurrency).map(async (f) =>
        lake.put(f.path, await Deno.readFile(f.local))
      ),
    );
  }
}

/** Rows a thread of the curated COPY holds per flush (see {@linkcode writeCurated}). */
const CURATED_FLUSH_ROWS = 16_384;

/** Options of {@linkcode writeCurated}. */
export interface WriteCuratedOptions {
  /** The lake folder name of the topic (with `KAFKA_TOPIC_PREFIX`). */
  folder: string;
  /** A label unique to this run, in the part file names. */
  batch: string;
  /**
   * Delete the topic's earlier curated files (a full build).
   * @default false
   */
  replace?: boolean;
}

/**
 * Writes the rows of `relation` (silver columns; `event_key` is left out) as Parquet
 * partitioned by year/month/day to `curated/<folder>/`; returns the lake paths written.
 */
export async function writeCurated(
  db: NrtDb,
  lake: LakeStorage,
  relation: string,
  options: WriteCuratedOptions,
): Promise<string[]> {
  const dir = db.tmpFile("curated");
  const prefix = `curated/${options.folder}/`;
  try {
    // event_key is DuckDB's own identity column: curated holds the bronze columns.
    // A partitioned COPY keeps up to `partitioned_write_flush_threshold` rows per thread before
    // it writes (524,288 by default: all of a topic's rows at 1M events, and the pass's peak
    // memory); a lower one flushes sooner, for the same files and row groups (measured: 16,384
    // rows, 40 MB less than 65,536 at the same speed).
    await db.run(`SET partitioned_write_flush_threshold = ${CURATED_FLUSH_ROWS};
      COPY (SELECT * EXCLUDE (event_key) FROM ${relation}) TO ${sqlString(dir)} (FORMAT parquet,
      PARTITION_BY (year, month, day), FILENAME_PATTERN 'part-${options.batch}-{i}',
      OVERWRITE_OR_IGNORE true);
      RESET partitioned_write_flush_threshold;`);
    const files = filesUnder(dir);
    const puts = files.map((rel) => ({ local: `${dir}/${rel}`, path: `${prefix}${rel}` }));
    await putAll(lake, puts);
    const written = puts.map((p) => p.path);
    if (options.replace) {
      const keep = new Set(written);
      for (const entry of await lake.list(prefix)) {
        if (!keep.has(entry.path)) await lake.delete(entry.path);
      }
    }
    return written;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * A hash of the content of each `gold.<name>` (its rows, in any order, and their number): equal
 * hashes mean the same rows, so the same files (a table's order follows from its rows).
 */
export async function analysisHashes(
  db: NrtDb,
  names: readonly string[],
): Promise<Record<string, string>> {
  if (!names.length) return {};
  const rows = await db.rows<{ name: string; hash: string }>(
    names.map((name) =>
      `SELECT ${sqlString(name)} AS name,
      count(*) || ':' || coalesce(sum(hash(t))::VARCHAR, '') AS hash FROM gold.${name} t`
    ).join(" UNION ALL "),
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.hash]));
}

/**
 * The {@linkcode analysisHashes} of the rows that an incremental pass added to each of the
 * given tables (their `GoldTable.appended`, over its temporary delta tables).
 */
export async function appendedHashes(
  db: NrtDb,
  names: readonly string[],
): Promise<Record<string, string>> {
  if (!names.length) return {};
  const appended = new Map(GOLD_TABLES.map((g) => [g.name, g.appended]));
  const rows = await db.rows<{ name: string; hash: string }>(
    names.map((name) =>
      `SELECT ${sqlString(name)} AS name,
      count(*) || ':' || coalesce(sum(hash(t))::VARCHAR, '') AS hash FROM (${appended.get(name)}) t`
    ).join(" UNION ALL "),
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.hash]));
}

/**
 * The hash of a table after rows were added: its hash before plus the added rows' hash (both
 * from {@linkcode analysisHashes}: a count and a sum, which add up).
 */
export function addHashes(before: string, added: string): string {
  const [c1, s1] = before.split(":");
  const [c2, s2] = added.split(":");
  const sum = s1 === "" && s2 === "" ? "" : String(BigInt(s1 || 0) + BigInt(s2 || 0));
  return `${BigInt(c1) + BigInt(c2)}:${sum}`;
}

/**
 * Writes the rows an incremental pass added to each of the given tables (`GoldTable.appended`,
 * read from the temporary delta tables, so on this connection) as new part files
 * `part-<batch>` next to the files already written; returns the lake paths.
 */
export async function appendAnalysis(
  db: NrtDb,
  lake: LakeStorage,
  names: readonly string[],
  batch: string,
): Promise<string[]> {
  if (!names.length) return [];
  const appended = new Map(GOLD_TABLES.map((g) => [g.name, g.appended]));
  const files = names.flatMap((name) => {
    const paths = analysisPaths(name, `part-${batch}`);
    const source = `(${appended.get(name)})`;
    return [
      { local: db.tmpFile("csv"), path: paths.csv, copy: `(FORMAT csv, HEADER true)`, source },
      { local: db.tmpFile("parquet"), path: paths.parquet, copy: `(FORMAT parquet)`, source },
    ];
  });
  try {
    await db.run(
      files.map((f) => `COPY ${f.source} TO ${sqlString(f.local)} ${f.copy};`).join("\n"),
    );
    await putAll(lake, files);
    return files.map((f) => f.path);
  } finally {
    await Promise.all(files.map((f) => Deno.remove(f.local).catch(() => {})));
  }
}

/**
 * Writes `gold.<name>` for each name as CSV (header) and Parquet; returns the lake paths. The
 * COPYs run on two connections at once (one large COPY keeps about one core busy), so they read
 * the committed gold tables. A table whose `GoldTable` has an `order` is written sorted by it;
 * the others in their storage order.
 */
export async function writeAnalysis(
  db: NrtDb,
  lake: LakeStorage,
  names: readonly string[],
): Promise<string[]> {
  if (!names.length) return [];
  const order = new Map(GOLD_TABLES.map((g) => [g.name, g.order]));
  const files = names.flatMap((name) => {
    const paths = analysisPaths(name);
    const by = order.get(name);
    const source = by ? `(SELECT * FROM gold.${name} ORDER BY ${by})` : `gold.${name}`;
    return [
      { local: db.tmpFile("csv"), path: paths.csv, copy: `(FORMAT csv, HEADER true)`, source },
      { local: db.tmpFile("parquet"), path: paths.parquet, copy: `(FORMAT parquet)`, source },
    ];
  });
  const other = await db.connect();
  try {
    // Each table's CSV on one connection and its Parquet on the other, alternating.
    await Promise.all([db, other].map((conn, lane) =>
      conn.run(
        files.filter((_, i) => (i + Math.floor(i / 2)) % 2 === lane).map((f) =>
          `COPY ${f.source} TO ${sqlString(f.local)} ${f.copy};`
        ).join("\n"),
      )
    ));
    await putAll(lake, files);
    // Part files appended by incremental passes are now in `data`: remove them.
    const keep = new Set(files.map((f) => f.path));
    for (const name of names) {
      if (GOLD_TABLES.find((g) => g.name === name)?.appended) {
        await removeOthers(lake, name, keep);
      }
    }
    return files.map((f) => f.path);
  } finally {
    other.close();
    await Promise.all(files.map((f) => Deno.remove(f.local).catch(() => {})));
  }
}
