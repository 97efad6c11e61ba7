/**
 * The DuckDB database of the near-real-time layer: one connection, extension downloads off
 * (extensions.duckdb.org is unreachable; json, parquet and icu are built in), extensions looked
 * for inside the project's data folder only, the session time zone pinned to UTC.
 *
 * @module
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { PipelineError } from "../errors.ts";

/** Options of {@linkcode openDb}. */
export interface OpenDbOptions {
  /**
   * The database file; `":memory:"` keeps everything in memory (notebooks).
   * @default ":memory:"
   */
  path?: string;
  /**
   * Folder for DuckDB extensions and temporary files (created if missing).
   * @default "<tmp>/ecom-nrt-duckdb"
   */
  workDir?: string;
  /**
   * DuckDB threads.
   * @default DuckDB's choice (all cores)
   */
  threads?: number;
  /**
   * DuckDB's `memory_limit` (e.g. `"320MB"`): past it, joins, aggregates, sorts and windows
   * spill to the work folder's `tmp/spill`.
   * @default DuckDB's choice (80% of the machine's memory)
   */
  memoryLimit?: string;
}

/** Quotes a string as a SQL literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Quotes a name as a SQL identifier. */
export function sqlName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB connection with the few calls the pipeline needs. */
export class NrtDb {
  #instance: DuckDBInstance;
  #connection: DuckDBConnection;
  #tmpCounter = 0;
  /** Whether closing this object also closes the database (false for {@linkcode connect}'s). */
  #ownsInstance = true;
  /** Folder for temporary files (Arrow fast path, write-back). */
  readonly tmpDir: string;
  /** The database file, or `:memory:`. */
  readonly path: string;

  private constructor(
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    path: string,
    tmpDir: string,
  ) {
    this.#instance = instance;
    this.#connection = connection;
    this.path = path;
    this.tmpDir = tmpDir;
  }

  /** Opens (or creates) a database. */
  static async open(options: OpenDbOptions = {}): Promise<NrtDb> {
    const path = options.path ?? ":memory:";
    const workDir = options.workDir ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/ecom-nrt-duckdb`;
    const tmpDir = `${workDir}/tmp`;
    await Deno.mkdir(`${workDir}/extensions`, { recursive: true });
    await Deno.mkdir(tmpDir, { recursive: true });
    if (path !== ":memory:") {
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
    }
    const settings: Record<string, string> = {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      extension_directory: `${workDir}/extensions`,
      temp_directory: `${tmpDir}/spill`,
    };
    if (options.threads) settings.threads = String(options.threads);
    if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
    try {
      const instance = await DuckDBInstance.create(path, settings);
      const connection = await instance.connect();
      // TIMESTAMPTZ values print and convert in the session's zone, which ICU would take from
      // the host: pin it, so no result depends on the host's TZ.
      await connection.run("SET GLOBAL TimeZone = 'UTC'");
      return new NrtDb(instance, connection, path, tmpDir);
    } catch (error) {
      throw new PipelineError(
        `Could not open DuckDB database ${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Another connection to the same database, to run statements at the same time as this one.
   * It sees committed data only and has its own temporary tables; closing it leaves the
   * database open.
   */
  async connect(): Promise<NrtDb> {
    const other = new NrtDb(this.#instance, await this.#instance.connect(), this.path, this.tmpDir);
    other.#ownsInstance = false;
    other.#tmpCounter = (this.#tmpCounter + 1) * 1_000_000;
    return other;
  }

  /** Runs one or more statements, discarding results. */
  async run(sql: string): Promise<void> {
    try {
      await this.#connection.run(sql);
    } catch (error) {
      throw new PipelineError(`DuckDB: ${(error as Error).message}\n  in: ${sql.slice(0, 300)}`, {
        cause: error,
      });
    }
  }

  /**
   * Rows of a query as plain objects; BIGINT values within the safe range become numbers
   * (larger ones stay bigint), nested lists and structs become arrays and objects.
   */
  async rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    try {
      const reader = await this.#connection.runAndReadAll(sql);
      return reader.getRowObjectsJS().map((row) => toPlain(row) as T);
    } catch (error) {
      throw new PipelineError(`DuckDB: ${(error as Error).message}\n  in: ${sql.slice(0, 300)}`, {
        cause: error,
      });
    }
  }

  /** The first column of the first row, or undefined. */
  async value<T = unknown>(sql: string): Promise<T> {
    const [row] = await this.rows(sql);
    return (row ? Object.values(row)[0] : undefined) as T;
  }

  /** A fresh temporary file path with the given extension (caller removes it). */
  tmpFile(extension: string): string {
    return `${this.tmpDir}/q-${Deno.pid}-${++this.#tmpCounter}-${
      crypto.randomUUID().slice(0, 8)
    }.${extension}`;
  }

  /** Runs `fn` inside a transaction: commit on success, rollback on error. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run("BEGIN TRANSACTION");
    try {
      const result = await fn();
      await this.run("COMMIT");
      return result;
    } catch (error) {
      await this.run("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  /** Closes the connection and (unless it came from {@linkcode connect}) the database. */
  close(): void {
    this.#connection.closeSync();
    if (this.#ownsInstance) this.#instance.closeSync();
  }
}

function toPlain(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}
