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
 * Cache layout: `<cache>/topics/<topic>/year=…/month=…/day=…/hour=…/sync-<n>.json`, a segment
 * (`segments.ts`): the lines of every file of that topic and hour that sync number `n` pulled,
 * without their quarantined lines (the topic without `KAFKA_TOPIC_PREFIX`);
 * `<cache>/quarantine/<full topic>/year=…/<file>.json` (a file's quarantined records);
 * `<cache>/checkpoint.json` (per lake file: what was taken, and its segment). A lake file that
 * changes or goes away takes its segment with it: the other files of that segment are pulled
 * again (into this sync's segments), so a segment never holds lines of a file the lake no longer
 * has. Bronze reads segments as they are; they never change once written.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { LakeError } from "../errors.ts";
import { parseRawPath } from "../lake/layout.ts";
import type { LakeEntry, LakeStorage } from "../lake/storage.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import { removeOrphans, type SegmentSlot, SegmentWriter } from "./segments.ts";
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
  /** The segment holding its lines, relative to the cache folder (cached files). */
  segment?: string;
}

/** The sync checkpoint: lake path → what was taken. */
export interface Checkpoint {
  /** 2: segments (a checkpoint of version 1, one cache file per lake file, is started over). */
  version: 2;
  /** The number of the next sync that pulls files (its segments' names). */
  nextSync: number;
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
  /**
   * Files in the four topics' folders that are no raw file of the connector's layout (named or
   * placed otherwise, e.g. `part-00000.json`, `….parquet`, `hour=7`): not read, their records
   * not in any layer. Sorted lake paths.
   */
  ignored: string[];
  /** Lake paths pulled into the cache this run (new or changed). */
  synced: string[];
  /** Of those, how many replaced a file the checkpoint already had (changed size or time). */
  replaced: number;
  /** Files already in the checkpoint, untouched. */
  unchanged: number;
  /** Lake paths gone from the lake since the checkpoint: removed from the cache. */
  removed: string[];
  /**
   * Unchanged files pulled again: they shared a segment with a changed or removed file (not in
   * `synced`).
   */
  repulled: number;
  /** Records (lines) quarantined this run, by file and line. */
  quarantined: QuarantinedRecord[];
  /** Bytes pulled. */
  bytes: number;
  /** Lines of the files pulled that go to bronze. */
  rows: number;
}

const DEFAULTS = { full: false, topicPrefix: "", concurrency: 16, writeQuarantine: true } as const;

/**
 * The cache folder (relative to the cache folder: `topics/<topic>/year=…/…/hour=…`, the topic
 * without `topicPrefix`) of a lake path, whose segments hold its lines; null if not a raw file.
 * A raw file is JSON lines (`….json`), or JSON lines in gzip (`….json.gz`, the connector's
 * `az.compression.type=gzip`).
 */
export function cacheFolder(
  lakePath: string,
  topicPrefix = "",
): { folder: string; topic: Topic } | null {
  const path = lakePath.endsWith(".json.gz") ? lakePath.slice(0, -3) : lakePath;
  const raw = parseRawPath(path);
  if (!raw || !raw.topic.startsWith(topicPrefix)) return null;
  const topic = raw.topic.slice(topicPrefix.length) as Topic;
  if (!TOPICS.includes(topic)) return null;
  const rest = path.slice(`topics/${raw.topic}/`.length);
  if (!rest.endsWith(".json")) return null;
  return { folder: `topics/${topic}/${rest.slice(0, rest.lastIndexOf("/"))}`, topic };
}

const emptyCheckpoint = (): Checkpoint => ({ version: 2, nextSync: 1, files: {} });

/** Reads the checkpoint of a cache folder (empty if none, or of an earlier version). */
export async function readCheckpoint(cacheDir: string): Promise<Checkpoint> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(`${cacheDir}/checkpoint.json`));
    if (parsed?.version === 2 && parsed.files && typeof parsed.files === "object") return parsed;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound) && !(error instanceof SyntaxError)) throw error;
  }
  return emptyCheckpoint();
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
  const writeQuarantine = options.writeQuarantine ?? DEFAULTS.writeQuarantine;
  if (full) {
    await Deno.remove(`${cacheDir}/topics`, { recursive: true }).catch(() => {});
    await Deno.remove(`${cacheDir}/quarantine`, { recursive: true }).catch(() => {});
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const checkpoint = full ? emptyCheckpoint() : await readCheckpoint(cacheDir);
  const { listing, ignored } = await listRaw(lake, prefix);
  const work = await dropChanged(lake, listing, checkpoint, { cacheDir, writeQuarantine });
  const live = new Set(Object.values(checkpoint.files).flatMap((e) => e.segment ?? []));
  await removeOrphans(cacheDir, live);
  const report: SyncReport = {
    listed: listing.length,
    ignored,
    synced: [],
    replaced: work.replaced,
    unchanged: listing.length - work.todo.length,
    removed: work.removed,
    repulled: work.repulled.size,
    quarantined: [],
    bytes: 0,
    rows: 0,
  };
  await pullAll(lake, work.todo, checkpoint, report, {
    cacheDir,
    prefix,
    writeQuarantine,
    wiped: full,
    made: new Set(),
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
    onProgress: options.onProgress,
    repulled: work.repulled,
  });
  report.synced.sort();
  report.quarantined.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
  return report;
}

/**
 * The raw files of the four topics in the lake, and the other files in their folders (another
 * topic's folder is none of ours).
 */
async function listRaw(
  lake: LakeStorage,
  prefix: string,
): Promise<{ listing: LakeEntry[]; ignored: string[] }> {
  try {
    const listing: LakeEntry[] = [];
    const ignored: string[] = [];
    for (const entry of await lake.list("topics/")) {
      if (cacheFolder(entry.path, prefix) !== null) listing.push(entry);
      else if (ourFolder(entry.path, prefix)) ignored.push(entry.path);
    }
    return { listing, ignored: ignored.sort() };
  } catch (error) {
    // The lake's own error already names what failed (and whether it may pass).
    if (error instanceof LakeError) throw error;
    throw new LakeError(`Could not list ${lake.description}/topics/: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Whether a lake path lies in one of the four topics' folders (`topics/<prefix><topic>/…`). */
function ourFolder(path: string, prefix: string): boolean {
  const folder = path.split("/")[1] ?? "";
  return folder.startsWith(prefix) && (TOPICS as readonly string[]).includes(
    folder.slice(prefix.length),
  );
}

/**
 * What a sync must pull, and the checkpoint cleared of what changed: new and changed files, and
 * the unchanged files that shared a segment with a changed or removed one (`repulled`); those
 * segments are deleted, removed files leave the checkpoint (and their quarantine files go).
 */
async function dropChanged(
  lake: LakeStorage,
  listing: readonly LakeEntry[],
  checkpoint: Checkpoint,
  o: { cacheDir: string; writeQuarantine: boolean },
): Promise<{ todo: LakeEntry[]; replaced: number; removed: string[]; repulled: Set<string> }> {
  const listed = new Set(listing.map((e) => e.path));
  const changed = listing.filter((e) => {
    const known = checkpoint.files[e.path];
    return !known || known.size !== e.size || known.lastModified !== e.lastModified;
  });
  const replaced = changed.filter((e) => checkpoint.files[e.path] !== undefined).length;
  const removed = Object.keys(checkpoint.files).filter((path) => !listed.has(path));
  const dead = new Set(
    [...changed.map((e) => e.path), ...removed].flatMap((p) => checkpoint.files[p]?.segment ?? []),
  );
  for (const path of removed) {
    const entry = checkpoint.files[path];
    if (entry.status === "quarantined" || entry.quarantined) {
      await removeIfPresent(`${o.cacheDir}/${quarantinePath(path)}`);
      if (o.writeQuarantine) await lake.delete(quarantinePath(path));
    }
    delete checkpoint.files[path];
  }
  const changedPaths = new Set(changed.map((e) => e.path));
  const repulled = new Set<string>();
  for (const [path, entry] of Object.entries(checkpoint.files)) {
    if (!entry.segment || !dead.has(entry.segment)) continue;
    // Its segment goes: forget that it was taken, so a sync that stops before pulling it
    // again still pulls it next time.
    delete entry.segment;
    entry.size = -1;
    if (!changedPaths.has(path)) repulled.add(path);
  }
  for (const segment of dead) await removeIfPresent(`${o.cacheDir}/${segment}`);
  // In path order: each segment holds its files' lines in the lake's order.
  const todo = [...changed, ...listing.filter((e) => repulled.has(e.path))]
    .sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { todo, replaced, removed, repulled };
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
 * Pulls `todo` into this sync's segments, `concurrency` files at a time, and writes the
 * checkpoint (also when a download fails: the next run continues from there).
 */
async function pullAll(
  lake: LakeStorage,
  todo: readonly LakeEntry[],
  checkpoint: Checkpoint,
  report: SyncReport,
  o: PullOptions & {
    concurrency: number;
    onProgress?: (done: number, total: number) => void;
    repulled: ReadonlySet<string>;
  },
): Promise<void> {
  const segments = new SegmentWriter(o.cacheDir, checkpoint.nextSync);
  if (todo.length > 0) checkpoint.nextSync++;
  let done = 0;
  const pull = async (entry: LakeEntry, slot: SegmentSlot) => {
    const data = await lake.get(entry.path);
    const check = await pullFile(lake, entry, data, checkpoint, slot, o);
    report.quarantined.push(...check.quarantined);
    report.rows += check.rows;
    if (!o.repulled.has(entry.path)) report.synced.push(entry.path);
    report.bytes += data.length;
    o.onProgress?.(++done, todo.length);
  };
  // `concurrency` files in flight at all times (not in rounds that wait for their slowest), so
  // downloads, checks and writes overlap. After a failure the lanes stop, and all have stopped
  // before the segments are closed and the checkpoint written.
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < todo.length) {
      const entry = todo[next++];
      const slot = segments.reserve(cacheFolder(entry.path, o.prefix)!.folder);
      await pull(entry, slot).catch((error) => {
        failed = true;
        throw error;
      }).finally(slot.release);
    }
  };
  const lanes = Array.from({ length: Math.min(o.concurrency, todo.length) }, lane);
  const failure = (await Promise.allSettled(lanes)).find((r) => r.status === "rejected");
  try {
    const dropped = await segments.finish();
    for (const [path, entry] of Object.entries(checkpoint.files)) {
      if (entry.segment && dropped.has(entry.segment)) delete checkpoint.files[path];
    }
  } finally {
    await writeCheckpoint(o.cacheDir, checkpoint);
  }
  if (failure) throw failure.reason;
}

/**
 * A gzip file's content (every member, as gzip readers concatenate them), or why it is none: the
 * whole file is then quarantined (line 0), as a truncated upload would leave it.
 */
function gunzipped(data: Uint8Array): Uint8Array | string {
  try {
    return new Uint8Array(gunzipSync(data));
  } catch (error) {
    return `NotGzip: the file is not gzip-compressed JSON lines (${
      (error as Error).message.split("\n")[0]
    })`;
  }
}

/**
 * Takes one pulled raw file into the cache: its lines checked (`checkLakeFile`), the ones set
 * aside written to the lake's and the cache's quarantine (before the checkpoint takes the file),
 * the rest appended to this sync's segment of its topic and hour (at `slot`); the checkpoint
 * entry updated.
 */
async function pullFile(
  lake: LakeStorage,
  entry: LakeEntry,
  data: Uint8Array,
  checkpoint: Checkpoint,
  slot: SegmentSlot,
  o: PullOptions,
): Promise<LakeFileCheck> {
  const { topic } = cacheFolder(entry.path, o.prefix)!;
  const quarantine = `${o.cacheDir}/${quarantinePath(entry.path)}`;
  const content = entry.path.endsWith(".gz") ? gunzipped(data) : data;
  const check: LakeFileCheck = typeof content === "string"
    ? {
      rows: 0,
      quarantined: [{ topic, file: entry.path, line: 0, reason: content, record: "" }],
    }
    : checkLakeFile(topic, entry.path, content);
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
  const segment = check.rows > 0 && typeof content !== "string"
    ? await slot.append(check.cleaned ?? content)
    : undefined;
  checkpoint.files[entry.path] = {
    size: entry.size,
    lastModified: entry.lastModified,
    status: check.rows > 0 ? "cached" : "quarantined",
    rows: check.rows,
    ...(check.quarantined.length > 0
      ? { quarantined: check.quarantined.length, reason: check.quarantined[0].reason }
      : {}),
    ...(segment ? { segment } : {}),
  };
  return check;
}

/** A segment of the cache, as bronze reads it (see {@linkcode cachedFiles}). */
export interface CachedFile {
  /** Absolute cache path of the segment. */
  path: string;
  /**
   * The segment's path relative to the cache folder: what `meta.loaded_files` records, so a
   * work folder that moves (another DATA_DIR, a project folder renamed) keeps its silver.
   */
  segment: string;
  topic: Topic;
  /** Total size and latest time of the lake files whose lines it holds. */
  size: number;
  lastModified: number;
  /** JSON lines of it that go to bronze. */
  rows: number;
  /** Lake files whose lines it holds. */
  files: number;
}

/**
 * The segments of the checkpoint's cached files (status `cached`), as absolute cache paths with
 * their lake files' total size and latest time: what bronze can read.
 */
export function cachedFiles(
  checkpoint: Checkpoint,
  cacheDir: string,
  topicPrefix = "",
): CachedFile[] {
  const bySegment = new Map<string, CachedFile>();
  for (const [lakePath, entry] of Object.entries(checkpoint.files)) {
    if (entry.status !== "cached" || !entry.segment) continue;
    const local = cacheFolder(lakePath, topicPrefix);
    if (!local) continue;
    const path = `${cacheDir}/${entry.segment}`;
    const seg = bySegment.get(path) ?? {
      path,
      segment: entry.segment,
      topic: local.topic,
      size: 0,
      lastModified: 0,
      rows: 0,
      files: 0,
    };
    seg.size += entry.size;
    seg.lastModified = Math.max(seg.lastModified, entry.lastModified);
    seg.rows += entry.rows ?? 0;
    seg.files++;
    bySegment.set(path, seg);
  }
  return [...bySegment.values()].sort((a, b) => a.path < b.path ? -1 : 1);
}
