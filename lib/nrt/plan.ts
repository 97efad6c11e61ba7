/**
 * The plan of one NRT pass: what the sync left in the cache against what silver already holds
 * decides the mode — `full` (a first pass, `--full`, a file changed or gone, silver built with
 * another layout or zone), `incremental` (new files only) or `up-to-date` (nothing new: no work).
 *
 * @module
 */
import { type NrtDb } from "./db.ts";
import { loadQuarantine } from "./quarantine.ts";
import { getState, type LoadedFile, loadedFiles, SILVER_FORMAT, tableExists } from "./state.ts";
import { type CachedFile, cachedFiles, readCheckpoint, type SyncReport } from "./sync.ts";

/** How a pass brings silver up to date. */
export type PassMode = "full" | "incremental" | "up-to-date";

/** What one pass will do (see {@linkcode planPass}). */
export interface PassPlan {
  mode: PassMode;
  /** Every cached file (what bronze reads). */
  cached: CachedFile[];
  /** Cached files not yet in silver. */
  fresh: CachedFile[];
  /** This pass's batch name, `b000001`…, in curated and analysis part files. */
  batch: string;
  /** The write-back a failed pass left pending (`full` or `incremental`), if any. */
  pending?: string;
  /** Silver's layout and zone, recorded in `meta.state` once silver is built. */
  silverFormat: string;
  /** Raw lines set aside: `added` by this pass's sync, `total` in the `quarantine` table. */
  quarantine: { added: number; total: number };
}

/** Options of {@linkcode planPass}. */
export interface PlanOptions {
  cacheDir: string;
  topicPrefix: string;
  /** The event-time zone of this pass. */
  zone: string;
  /** Rebuild everything (`--full`). */
  full: boolean;
}

/** Plans one pass over `db` after `sync` (and brings the `quarantine` table up to date). */
export async function planPass(
  db: NrtDb,
  sync: SyncReport,
  options: PlanOptions,
): Promise<PassPlan> {
  const { cacheDir, topicPrefix, zone, full } = options;
  const quarantine = {
    added: sync.quarantined.length,
    total: await quarantineTotal(db, sync, options),
  };
  const cached = cachedFiles(await readCheckpoint(cacheDir), cacheDir, topicPrefix);
  const loaded = await loadedFiles(db);
  const fresh = cached.filter((f) => !loaded.has(f.segment));
  const silverFormat = `${SILVER_FORMAT} ${zone}`;
  const built = await tableExists(db, "silver", "clickstream") &&
    await getState(db, "silver") === silverFormat;
  const mode: PassMode = full || isStale(cached, loaded) || !built
    ? "full"
    : fresh.length > 0
    ? "incremental"
    : "up-to-date";
  const batch = `b${String(Number(await getState(db, "batch") ?? 0) + 1).padStart(6, "0")}`;
  const pending = await getState(db, "pending_writeback");
  return { mode, cached, fresh, batch, pending, silverFormat, quarantine };
}

/** Whether silver holds a file the cache no longer has, or one that changed in the lake. */
function isStale(cached: readonly CachedFile[], loaded: ReadonlyMap<string, LoadedFile>): boolean {
  const cachedSet = new Set(cached.map((f) => f.segment));
  return [...loaded.keys()].some((path) => !cachedSet.has(path)) ||
    cached.some((f) => {
      const r = loaded.get(f.segment);
      return r !== undefined && (r.size !== f.size || r.last_modified !== f.lastModified);
    });
}

/**
 * The rows of the `quarantine` table, rebuilt from the cache when the sync changed what is set
 * aside (or on a first or full pass).
 */
async function quarantineTotal(
  db: NrtDb,
  sync: SyncReport,
  { cacheDir, full }: PlanOptions,
): Promise<number> {
  if (
    sync.quarantined.length > 0 || sync.removed.length > 0 || sync.replaced > 0 || full ||
    !(await tableExists(db, "main", "quarantine"))
  ) {
    return await loadQuarantine(db, cacheDir);
  }
  return Number(await db.value("SELECT count(*) FROM quarantine"));
}
