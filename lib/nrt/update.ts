/**
 * The middle of an NRT pass: silver brought up to date from the cache (built in full, or the
 * new files appended), then gold (built in full, or refreshed for what the new rows change) —
 * in one transaction, so gold always matches silver.
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import { createBronzeViews } from "./bronze.ts";
import type { NrtDb } from "./db.ts";
import { buildGold, GOLD_TABLES, goldInputs } from "./gold.ts";
import type { PassPlan } from "./plan.ts";
import { refreshGold } from "./refresh.ts";
import {
  appendSilver,
  dedupSilver,
  loadSilver,
  type SilverAppend,
  silverCounts,
} from "./silver.ts";
import { getState, GOLD_FORMAT, recordLoadedFiles, setState } from "./state.ts";

/** What {@linkcode updateLayers} changed. */
export interface LayerUpdate {
  /** Rows added to silver per topic. */
  added: Map<Topic, number>;
  /** The incremental appends per topic (empty on a full pass). */
  appended: Map<Topic, SilverAppend>;
  /** Gold tables built or refreshed. */
  touched: readonly string[];
  /** Gold tables the refresh only added rows to (`GoldTable.appended` holds them). */
  onlyAppended: Set<string>;
}

/** Options of {@linkcode updateLayers}. */
export interface UpdateOptions {
  /** The event-time zone (bronze's views read wall-clock timestamps in it). */
  zone: string;
  cacheDir: string;
  progress: (message: string) => void;
  /** Closes one timed step (`silver`, `gold`). */
  lap: (step: string) => void;
}

/** Brings silver and gold up to date as `plan` says. */
export async function updateLayers(
  db: NrtDb,
  plan: PassPlan,
  options: UpdateOptions,
): Promise<LayerUpdate> {
  const update: LayerUpdate = {
    added: new Map(TOPICS.map((t) => [t, 0])),
    appended: new Map(),
    touched: [],
    onlyAppended: new Set(),
  };
  await bronzeViewsAt(db, options.cacheDir, options.zone, plan.mode === "full");
  if (plan.mode === "up-to-date") {
    // A database from an older version, whose gold may lag behind silver.
    if (await getState(db, "gold") === GOLD_FORMAT) return update;
    await db.transaction(() => rebuildGold(db, update));
    options.lap("gold");
    return update;
  }
  const segments = plan.mode === "full" ? plan.cached : plan.fresh;
  const files = segments.reduce((n, f) => n + f.files, 0);
  options.progress(`silver: ${plan.mode} (${files} files in ${segments.length} cache segments)`);
  if (plan.mode === "full") {
    // Only a full build reads bronze (the views read every cached file). Its rows are loaded in
    // a transaction of their own (see `buildSilver`); the rest of the pass is one transaction.
    await loadSilver(db);
  }
  await db.transaction(async () => {
    await updateSilver(db, plan, update);
    options.lap("silver");
    if (plan.mode === "full" || await getState(db, "gold") !== GOLD_FORMAT) {
      options.progress(`gold: ${GOLD_TABLES.length} tables`);
      await rebuildGold(db, update);
    } else await refreshGoldFor(db, update, options.progress);
  });
  options.lap("gold");
  return update;
}

/**
 * The bronze views over the cache at `cacheDir`, in `zone`: created by every full build (which
 * reads them, so it gets this version's definitions), and by any other pass when the database's
 * views were made for another cache folder (the work folder moved) or zone.
 */
async function bronzeViewsAt(
  db: NrtDb,
  cacheDir: string,
  zone: string,
  full: boolean,
): Promise<void> {
  const at = `${zone} ${cacheDir}`;
  if (!full && await getState(db, "bronze_views") === at) return;
  await createBronzeViews(db, cacheDir, zone);
  await setState(db, "bronze_views", at);
}

/**
 * Silver: a full build's loaded rows de-duplicated (`dedupSilver`), or the fresh files appended;
 * `meta` recorded.
 */
async function updateSilver(
  db: NrtDb,
  plan: PassPlan,
  update: LayerUpdate,
): Promise<void> {
  if (plan.mode === "full") {
    await dedupSilver(db);
    for (const c of await silverCounts(db)) update.added.set(c.topic, c.silver);
  } else {
    for (const topic of TOPICS) {
      const files = plan.fresh.filter((f) => f.topic === topic).map((f) => f.path);
      if (!files.length) continue;
      const result = await appendSilver(db, topic, files);
      update.appended.set(topic, result);
      update.added.set(topic, result.added);
    }
  }
  await recordLoadedFiles(
    db,
    plan.mode === "full" ? plan.cached : plan.fresh,
    plan.mode === "full",
  );
  await setState(db, "batch", String(Number(plan.batch.slice(1))));
  await setState(db, "silver", plan.silverFormat);
  // A pending full write-back stays full; otherwise this pass's mode.
  await setState(db, "pending_writeback", plan.pending === "full" ? "full" : plan.mode);
}

/** Every gold table built anew. */
async function rebuildGold(db: NrtDb, update: LayerUpdate): Promise<void> {
  await buildGold(db);
  await setState(db, "gold", GOLD_FORMAT);
  update.touched = GOLD_TABLES.map((g) => g.name);
}

/**
 * The gold tables fed by a topic with new rows refreshed; a topic whose append replaced rows
 * has its tables rebuilt.
 */
async function refreshGoldFor(
  db: NrtDb,
  update: LayerUpdate,
  progress: (message: string) => void,
): Promise<void> {
  const appended = [...update.appended];
  const changed = appended.filter(([, a]) => a.added + a.addedOriginal > 0).map(([t]) => t);
  progress(`gold: refresh for new ${changed.join(", ") || "nothing"}`);
  const rebuild = appended.filter(([, a]) => a.replaced > 0).map(([t]) => t);
  const refreshed = await refreshGold(db, changed, { rebuild });
  update.touched = refreshed.map((g) => g.name);
  for (const g of refreshed) {
    if (g.refresh && g.appended && !goldInputs(g).some((t) => rebuild.includes(t))) {
      update.onlyAppended.add(g.name);
    }
  }
  await setState(db, "gold", GOLD_FORMAT);
}
