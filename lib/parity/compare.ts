/**
 * The Databricks parity check: the same raw lake through `lib/nrt` (DuckDB) and through the
 * `databricks/` notebooks (PySpark, local mode) into two separate output roots, then every output
 * table (gold under `analysis/parquet/`, silver under `curated/`) compared order-insensitively with
 * numbers within 1e-9 (`lib/nrt/parity.ts`).
 *
 * @module
 */
import { loadConfig } from "../config/mod.ts";
import { LakeError } from "../errors.ts";
import { FileLake } from "../lake/file.ts";
import type { LakeEntry, LakeStorage } from "../lake/storage.ts";
import { NrtDb, sqlString } from "../nrt/db.ts";
import { GOLD_TABLES } from "../nrt/gold.ts";
import { compareTables, type ParityTable, type TableComparison } from "../nrt/parity.ts";
import { runNrt } from "../nrt/run.ts";
import { TOPICS } from "../schema/events.ts";
import { BATCH_NOTEBOOKS, type DatabricksRunResult, runDatabricksNotebooks } from "./spark.ts";

/** Labels of the two sides. */
export const SIDES = { left: "duckdb", right: "spark" } as const;

/**
 * A lake that reads the raw layer (`topics/`) from one folder and keeps everything else
 * (`curated/`, `analysis/`) in another, so that two engines can share one raw lake.
 */
export class SplitLake implements LakeStorage {
  readonly description: string;
  constructor(readonly raw: LakeStorage, readonly out: LakeStorage) {
    this.description = `${raw.description} (raw) + ${out.description} (outputs)`;
  }
  #route(path: string): LakeStorage {
    return path.startsWith("topics/") ? this.raw : this.out;
  }
  async init(): Promise<void> {
    await this.out.init();
  }
  async put(path: string, data: Uint8Array): Promise<void> {
    if (path.startsWith("topics/")) throw new LakeError(`The raw layer is read-only here: ${path}`);
    await this.out.put(path, data);
  }
  get(path: string): Promise<Uint8Array> {
    return this.#route(path).get(path);
  }
  async list(prefix: string): Promise<LakeEntry[]> {
    if (prefix.startsWith("topics/")) return await this.raw.list(prefix);
    if (!"topics/".startsWith(prefix)) return await this.out.list(prefix);
    const raw = (await this.raw.list(prefix)).filter((e) => e.path.startsWith("topics/"));
    const out = (await this.out.list(prefix)).filter((e) => !e.path.startsWith("topics/"));
    return [...raw, ...out].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  }
  exists(path: string): Promise<boolean> {
    return this.#route(path).exists(path);
  }
  async delete(path: string): Promise<void> {
    if (path.startsWith("topics/")) throw new LakeError(`The raw layer is read-only here: ${path}`);
    await this.out.delete(path);
  }
  async close(): Promise<void> {
    await this.raw.close();
    await this.out.close();
  }
}

/** Options of {@linkcode runParity}. */
export interface ParityOptions {
  /** The raw lake: a local folder holding `topics/`. */
  lakeRoot: string;
  /** Where both engines write (`<outDir>/duckdb`, `<outDir>/spark`) and DuckDB works. */
  outDir: string;
  /**
   * Prefix of the topic folders.
   * @default ""
   */
  topicPrefix?: string;
  /**
   * Rows each notebook `display()` prints (0: none, faster).
   * @default 0
   */
  displayRows?: number;
  /**
   * The IANA zone of wall-clock timestamps (`EVENT_TIME_ZONE`), for both engines.
   * @default "UTC"
   */
  eventTimeZone?: string;
  /**
   * Largest number difference that still counts as equal.
   * @default 1e-9
   */
  tolerance?: number;
  /**
   * Progress lines.
   * @default none
   */
  onProgress?: (line: string) => void;
}

/** One compared table. */
export interface ParityTableResult {
  /** `analysis/<name>` for gold, `curated/<topic>` for silver. */
  name: string;
  layer: "gold" | "silver";
  /** null when a side lacks the table; `missing` names that side. */
  comparison: TableComparison | null;
  missing?: string;
}

/** The outcome of a parity run. */
export interface ParityResult {
  tables: ParityTableResult[];
  /** Total mismatches over every table (a missing table counts 1). */
  mismatches: number;
  /** Seconds of the DuckDB pass (sync, silver, gold, write-back). */
  duckdbSeconds: number;
  /** Seconds of the Spark run (notebooks only, without starting Spark) and its startup. */
  sparkSeconds: number;
  sparkStartupSeconds: number;
  spark: DatabricksRunResult;
  /** The two output roots. */
  roots: { duckdb: string; spark: string };
}

/** The DuckDB pass of `lib/nrt` over `lakeRoot`, writing into `outRoot`. Returns its seconds. */
export async function runDuckdbSide(
  lakeRoot: string,
  outRoot: string,
  workDir: string,
  topicPrefix = "",
  onProgress?: (line: string) => void,
  eventTimeZone = "UTC",
): Promise<number> {
  const lake = new SplitLake(new FileLake(lakeRoot), new FileLake(outRoot));
  await lake.init();
  const started = performance.now();
  await runNrt({
    config: loadConfig({ env: {}, dotenv: null }),
    lake,
    workDir,
    full: true,
    topicPrefix,
    onProgress,
    eventTimeZone,
  });
  return (performance.now() - started) / 1000;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function hasParquet(dir: string): Promise<boolean> {
  if (!(await exists(dir))) return false;
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory && await hasParquet(`${dir}/${entry.name}`)) return true;
    if (entry.isFile && entry.name.endsWith(".parquet")) return true;
  }
  return false;
}

/** Reads every Parquet file under `dir` (hive partitions typed INTEGER) as a table, or null. */
export async function readParquet(
  db: NrtDb,
  dir: string,
  hive = false,
): Promise<ParityTable | null> {
  if (!(await hasParquet(dir))) return null;
  const glob = hive ? `${dir}/**/*.parquet` : `${dir}/*.parquet`;
  const options = hive
    ? ", hive_partitioning = true, hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER}"
    : ", hive_partitioning = false";
  const source = `read_parquet(${sqlString(glob)}${options})`;
  const described = await db.rows<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT * FROM ${source}`,
  );
  return {
    columns: described.map((r) => r.column_name),
    types: Object.fromEntries(described.map((r) => [r.column_name, r.column_type])),
    rows: await db.rows(`SELECT * FROM ${source}`),
  };
}

/** Compares every gold and silver table of two output roots. */
export async function compareRoots(
  duckdbRoot: string,
  sparkRoot: string,
  options: { topicPrefix?: string; tolerance?: number; maxDiffs?: number } = {},
): Promise<ParityTableResult[]> {
  const db = await NrtDb.open();
  try {
    const targets = [
      ...GOLD_TABLES.map((g) => ({
        name: `analysis/${g.name}`,
        layer: "gold" as const,
        dir: `analysis/parquet/${g.name}`,
        hive: false,
      })),
      ...TOPICS.map((t) => ({
        name: `curated/${(options.topicPrefix ?? "") + t}`,
        layer: "silver" as const,
        dir: `curated/${(options.topicPrefix ?? "") + t}`,
        hive: true,
      })),
    ];
    const out: ParityTableResult[] = [];
    for (const target of targets) {
      const left = await readParquet(db, `${duckdbRoot}/${target.dir}`, target.hive);
      const right = await readParquet(db, `${sparkRoot}/${target.dir}`, target.hive);
      if (!left || !right) {
        out.push({
          name: target.name,
          layer: target.layer,
          comparison: null,
          missing: !left ? SIDES.left : SIDES.right,
        });
        continue;
      }
      out.push({
        name: target.name,
        layer: target.layer,
        comparison: compareTables(left, right, {
          tolerance: options.tolerance,
          maxDiffs: options.maxDiffs,
        }),
      });
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * Runs both engines over the same lake and compares their outputs (see the module doc).
 *
 * @example
 * ```ts ignore
 * const result = await runParity({ lakeRoot: "/tmp/lake", outDir: "/tmp/parity" });
 * console.log(result.mismatches); // 0
 * ```
 */
export async function runParity(options: ParityOptions): Promise<ParityResult> {
  const progress = options.onProgress ?? (() => {});
  const roots = { duckdb: `${options.outDir}/duckdb`, spark: `${options.outDir}/spark` };
  for (const root of Object.values(roots)) {
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await Deno.mkdir(root, { recursive: true });
  }
  const workDir = `${options.outDir}/nrt-work`;
  await Deno.remove(workDir, { recursive: true }).catch(() => {});

  progress("DuckDB: lib/nrt over the lake");
  const duckdbSeconds = await runDuckdbSide(
    options.lakeRoot,
    roots.duckdb,
    workDir,
    options.topicPrefix ?? "",
    (line) => progress(`  ${line}`),
    options.eventTimeZone ?? "UTC",
  );

  progress(`Spark: databricks/ ${BATCH_NOTEBOOKS.join(", ")} (local PySpark)`);
  const spark = await runDatabricksNotebooks(BATCH_NOTEBOOKS, {
    lakeRoot: options.lakeRoot,
    widgets: {
      output_root: `file://${roots.spark}`,
      topic_prefix: options.topicPrefix ?? "",
      event_time_zone: options.eventTimeZone ?? "UTC",
    },
    displayRows: options.displayRows ?? 0,
    onOutput: (line) => {
      if (line.startsWith("=== ")) progress(`  ${line.slice(4)}`);
    },
  });

  progress("Comparing every table");
  const tables = await compareRoots(roots.duckdb, roots.spark, {
    topicPrefix: options.topicPrefix,
    tolerance: options.tolerance,
  });
  return {
    tables,
    mismatches: tables.reduce((n, t) => n + (t.comparison ? t.comparison.mismatches : 1), 0),
    duckdbSeconds,
    sparkSeconds: spark.notebooks.reduce((s, n) => s + n.seconds, 0),
    sparkStartupSeconds: spark.startupSeconds,
    spark,
    roots,
  };
}
