/**
 * Incremental sync of the raw lake into a local cache, as Databricks Auto Loader does it: a
 * checkpoint remembers every file already taken (path, size, last modified), so a run pulls only
 * new or changed files, and a run with nothing new does no work. DuckDB then reads the cache
 * (it cannot read Azure here).
 *
 * Every pulled file is checked line by line (`quarantine.ts`): a line that fails the raw validity
 * rule (a file cut short, another writer's lake) or whose fields have other types than bronze
 * reads is quarantined alone, the rest of the file goes on. Quarantined lines are kept as JSON
 * lines beside the cache and written to the lake under `quarantine/` (unless `writeQuarantine`
 * is off), before the checkpoint takes the file: a pass that fails on the way redoes it.
 *
 * Cache layout: `<cache>/topics/<topic>/year=…/month=…/day=…/hour=…/<file>.json` (the topic
 * without `KAFKA_TOPIC_PREFIX`; the file without its quarantined lines),
 * `<cache>/quarantine/<full topic>/year=…/<file>.json` (its quarantined records),
 * `<cache>/checkpoint.json`.
 *
 * @module
 */
import { LakeError } from "../errors.ts";
import { parseRawPath } from "../lake/layout.ts";
import type { LakeEntry, LakeStorage } from "../lake/storage.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import {
  checkLakeFile,
  type LakeFileCheck,
  type QuarantinedRecord,
  quarantineLines,
  quarantinePath,
} from "./quarantine.ts";

/** What the checkpoint knows of one lake file. */
export interface CheckpointEntry {
  size: number;
  lastModified: number;
  /** `cached`: in the cache for bronze; `quarantined`: no line of it can go to bronze. */
  status: "cached" | "quarantined";
  /** JSON lines of the file that go to bronze (cached files). */
  rows?: number;
  /** Lines of the file quarantined. */
  quarantined?: number;
  /** Why its first line was quarantined (files with no line for bronze). */
  reason?: string;
}

/** The sync checkpoint: lake path → what was taken. */
export interface Checkpoint {
  version: 1;
  files: Record<string, CheckpointEntry>;
}

/** Options of {@linkcode syncLake}. */
export interface SyncOptions {
  /** The local cache folder (created if missing). */
  cacheDir: string;
  /**
   * Ignore the checkpoint: empty the cache and pull every file again.
   * @default false
   */
  full?: boolean;
  /**
   * Prefix of the lake's topic folders (`KAFKA_TOPIC_PREFIX`).
   * @default ""
   */
  topicPrefix?: string;
  /**
   * Files downloaded at the same time.
   * @default 16
   */
  concurrency?: number;
  /**
   * Called after each pulled file with (done, total to pull).
   * @default no reporting
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * Write each file's quarantined records to the lake (`quarantine/…`).
   * @default true
   */
  writeQuarantine?: boolean;
}

/** What {@linkcode syncLake} did. */
export interface SyncReport {
  /** Raw files of the four topics in the lake. */
  listed: number;
  /** Lake paths pulled into the cache this run (new or changed). */
  synced: string[];
  /** Of those, how many replaced a file the checkpoint already had (changed size or time). */
  replaced: number;
  /** Files already in the checkpoint, untouched. */
  unchanged: number;
  /** Lake paths gone from the lake since the checkpoint: removed from the cache. */
  removed: string[];
  /** Records (lines) quarantined this run, by file and line. */
  quarantined: QuarantinedRecord[];
  /** Bytes pulled. */
  bytes: number;
  /** Lines of the files pulled that go to bronze. */
  rows: number;
}

const DEFAULTS = { full: false, topicPrefix: "", concurrency: 16, writeQuarantine: true } as const;

/** The cache path (relative to the cache folder) of a lake path, or null if not a raw file. */
export function cachePath(
  lakePath: string,
  topicPrefix = "",
): { path: string; topic: Topic } | null {
  const raw = parseRawPath(lakePath);
  if (!raw || !raw.topic.startsWith(topicPrefix)) return null;
  const topic = raw.topic.slice(topicPrefix.length) as Topic;
  if (!TOPICS.includes(topic)) return null;
  const rest = lakePath.slice(`topics/${raw.topic}/`.length);
  if (!rest.endsWith(".json")) return null;
  return { path: `topics/${topic}/${rest}`, topic };
}

/** Reads the checkpoint of a cache folder (empty if none). */
export async function readCheckpoint(cacheDir: string): Promise<Checkpoint> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(`${cacheDir}/checkpoint.json`));
    if (parsed?.version === 1 && parsed.files && typeof parsed.files === "object") return parsed;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound) && !(error instanceof SyntaxError)) throw error;
  }
  return { version: 1, files: {} };
}

async function writeCheckpoint(cacheDir: string, checkpoint: Checkpoint): Promise<void> {
  const tmp = `${cacheDir}/.checkpoint-${Deno.pid}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(checkpoint));
  await Deno.rename(tmp, `${cacheDir}/checkpoint.json`);
}

/**
 * Writes `data` to `path` through a temporary file. `made` holds the folders this sync already
 * created: one hour's folder holds many files, and a `mkdir` per file is a good part of a full
 * sync's time.
 */
async function writeFileAtomic(path: string, data: Uint8Array, made: Set<string>): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  if (!made.has(dir)) {
    await Deno.mkdir(dir, { recursive: true });
    made.add(dir);
  }
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

async function removeIfPresent(path: string): Promise<void> {
  await Deno.remove(path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/**
 * Pulls new and changed raw files of the four topics from `lake` into the cache, quarantines
 * the lines that cannot go to bronze, drops files gone from the lake, and updates the
 * checkpoint.
 *
 * @example
 * ```ts
 * import { FileLake } from "../lake/file.ts";
 * import { syncLake } from "./sync.ts";
 * const root = await Deno.makeTempDir();
 * const lake = new FileLake(`${root}/lake`);
 * const path = "topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json";
 * await lake.put(path, new TextEncoder().encode('{"order_id":"order_1"}\n'));
 * const first = await syncLake(lake, { cacheDir: `${root}/cache` });
 * const second = await syncLake(lake, { cacheDir: `${root}/cache` });
 * if (first.synced.length !== 1 || second.synced.length !== 0) throw new Error("not incremental");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function syncLake(lake: LakeStorage, options: SyncOptions): Promise<SyncReport> {
  const { cacheDir } = options;
  const full = options.full ?? DEFAULTS.full;
  const prefix = options.topicPrefix ?? DEFAULTS.topicPrefix;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  const writeQuarantine = options.writeQuarantine ?? DEFAULTS.writeQuarantine;
  if (full) {
    await Deno.remove(`${cacheDir}/topics`, { recursive: true }).catch(() => {});
    await Deno.remove(`${cacheDir}/quarantine`, { recursive: true }).catch(() => {});
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const checkpoint = full ? { version: 1 as const, files: {} } : await readCheckpoint(cacheDir);

  let listing: LakeEntry[];
  try {
    listing = (await lake.list("topics/")).filter((e) => cachePath(e.path, prefix) !== null);
  } catch (error) {
    throw new LakeError(`Could not list ${lake.description}/topics/: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const listed = new Set(listing.map((e) => e.path));
  const todo = listing.filter((e) => {
    const known = checkpoint.files[e.path];
    return !known || known.size !== e.size || known.lastModified !== e.lastModified;
  });
  const replaced = todo.filter((e) => checkpoint.files[e.path] !== undefined).length;

  const removed: string[] = [];
  for (const [path, entry] of Object.entries(checkpoint.files)) {
    if (listed.has(path)) continue;
    const local = cachePath(path, prefix);
    if (local && entry.status === "cached") await removeIfPresent(`${cacheDir}/${local.path}`);
    if (entry.status === "quarantined" || entry.quarantined) {
      await removeIfPresent(`${cacheDir}/${quarantinePath(path)}`);
      if (writeQuarantine) await lake.delete(quarantinePath(path));
    }
    delete checkpoint.files[path];
    removed.push(path);
  }

  const report: SyncReport = {
    listed: listing.length,
    synced: [],
    replaced,
    unchanged: listing.length - todo.length,
    removed,
    quarantined: [],
    bytes: 0,
    rows: 0,
  };
  let done = 0;
  const made = new Set<string>();
  const pull = async (entry: LakeEntry) => {
    const data = await lake.get(entry.path);
    const check = await pullFile(lake, entry, data, checkpoint, {
      cacheDir,
      prefix,
      writeQuarantine,
      wiped: full,
      made,
    });
    report.quarantined.push(...check.quarantined);
    report.rows += check.rows;
    report.synced.push(entry.path);
    report.bytes += data.length;
    options.onProgress?.(++done, todo.length);
  };
  try {
    for (let i = 0; i < todo.length; i += concurrency) {
      await Promise.all(todo.slice(i, i + concurrency).map(pull));
    }
  } finally {
    // Keep what was pulled even when a later download fails: the next run continues from there.
    await writeCheckpoint(cacheDir, checkpoint);
  }
  report.synced.sort();
  report.quarantined.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
  return report;
}

/** What {@linkcode pullFile} needs of its sync. */
interface PullOptions {
  cacheDir: string;
  prefix: string;
  writeQuarantine: boolean;
  /** The sync emptied the cache first (a full sync). */
  wiped: boolean;
  /** Folders this sync created. */
  made: Set<string>;
}

/**
 * Takes one pulled raw file into the cache: its lines checked (`checkLakeFile`), the ones set
 * aside written to the lake's and the cache's quarantine (before the checkpoint takes the file),
 * the rest to the cache; the checkpoint entry updated.
 */
async function pullFile(
  lake: LakeStorage,
  entry: LakeEntry,
  data: Uint8Array,
  checkpoint: Checkpoint,
  o: PullOptions,
): Promise<LakeFileCheck> {
  const { path: cached, topic } = cachePath(entry.path, o.prefix)!;
  const local = `${o.cacheDir}/${cached}`;
  const quarantine = `${o.cacheDir}/${quarantinePath(entry.path)}`;
  const check = checkLakeFile(topic, entry.path, data);
  const before = checkpoint.files[entry.path];
  if (check.quarantined.length > 0) {
    const lines = quarantineLines(check.quarantined);
    if (o.writeQuarantine) await lake.put(quarantinePath(entry.path), lines);
    await writeFileAtomic(quarantine, lines, o.made);
  } else {
    // A full sync emptied the cache first: no quarantine file of an earlier pull is left.
    if (!o.wiped) await removeIfPresent(quarantine);
    if (o.writeQuarantine && (before?.quarantined || before?.status === "quarantined")) {
      await lake.delete(quarantinePath(entry.path));
    }
  }
  if (check.rows > 0) await writeFileAtomic(local, check.cleaned ?? data, o.made);
  else await removeIfPresent(local);
  checkpoint.files[entry.path] = {
    size: entry.size,
    lastModified: entry.lastModified,
    status: check.rows > 0 ? "cached" : "quarantined",
    rows: check.rows,
    ...(check.quarantined.length > 0
      ? { quarantined: check.quarantined.length, reason: check.quarantined[0].reason }
      : {}),
  };
  return check;
}

/** A file of the cache, as bronze reads it (see {@linkcode cachedFiles}). */
export interface CachedFile {
  /** Absolute cache path. */
  path: string;
  topic: Topic;
  /** Size and time of the lake file it was pulled from. */
  size: number;
  lastModified: number;
  /** JSON lines of it that go to bronze. */
  rows: number;
}

/**
 * The cached files of the checkpoint (status `cached`), as absolute cache paths with their
 * lake size and time: what bronze can read.
 */
export function cachedFiles(
  checkpoint: Checkpoint,
  cacheDir: string,
  topicPrefix = "",
): CachedFile[] {
  const out: CachedFile[] = [];
  for (const [lakePath, entry] of Object.entries(checkpoint.files)) {
    if (entry.status !== "cached") continue;
    const local = cachePath(lakePath, topicPrefix);
    if (!local) continue;
    out.push({
      path: `${cacheDir}/${local.path}`,
      topic: local.topic,
      size: entry.size,
      lastModified: entry.lastModified,
      rows: entry.rows ?? 0,
    });
  }
  return out.sort((a, b) => a.path < b.path ? -1 : 1);
}
