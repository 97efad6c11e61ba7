/**
 * The end of an NRT pass: curated and analysis written back to the lake — in full, or on an
 * incremental pass only the new curated rows and the analysis tables whose content changed
 * (a table that only gained rows gets them as a new part file).
 *
 * @module
 */
import type { LakeStorage } from "../lake/storage.ts";
import { TOPICS } from "../schema/events.ts";
import { tableName } from "./bronze.ts";
import { type NrtDb, sqlString } from "./db.ts";
import { GOLD_TABLES } from "./gold.ts";
import type { PassPlan } from "./plan.ts";
import { recordAnalysis, setState, writtenAnalysis } from "./state.ts";
import type { LayerUpdate } from "./update.ts";
import {
  addHashes,
  analysisHashes,
  appendAnalysis,
  appendedHashes,
  writeAnalysis,
  writeCurated,
} from "./writeback.ts";

/** Lake files written back by one pass. */
export interface Written {
  curated: number;
  analysis: number;
}

/** Options of {@linkcode publishPass}. */
export interface PublishOptions {
  /** Prefix of the lake's topic folders. */
  topicPrefix: string;
  /** DuckDB's memory limit of the pass, set again after writing. */
  memoryLimit: string;
  /** DuckDB's memory limit while writing (data that needs more is written again under `memoryLimit`). */
  writeMemoryLimit: string;
  progress: (message: string) => void;
}

/**
 * Writes this pass's changes back to the lake, if there are any: in full on a full pass or when
 * a failed pass left its write-back pending (its new rows are not kept apart), else only what
 * changed. Returns `undefined` when there was nothing to write.
 */
export async function publishPass(
  db: NrtDb,
  lake: LakeStorage,
  plan: PassPlan,
  update: LayerUpdate,
  options: PublishOptions,
): Promise<Written | undefined> {
  const toWrite = plan.pending ? "full" : plan.mode === "up-to-date" ? undefined : plan.mode;
  if (!toWrite) return undefined;
  const full = toWrite === "full";
  options.progress(
    `write back to ${lake.description}: curated (${full ? "all" : "new rows"}), analysis`,
  );
  // A full write back streams committed tables out: it needs little of DuckDB's memory, and a
  // lower limit drops the blocks the build left cached, instead of adding its COPY buffers on
  // top of them (a 1M-event full pass: peak RSS 650 → 530 MB, same time). Data that needs more
  // (a partitioned COPY holds a row group per open file) is written again under the pass's own
  // limit: every file goes to a temporary folder before the lake, and the curated files of the
  // first try that the second did not write again are deleted (a COPY may split rows over files
  // differently), so the lake holds each row once.
  const limit = options.memoryLimit;
  const curatedPut: string[] = [];
  const write = async (): Promise<Written> => {
    const curated = await publishCurated(db, lake, plan.batch, update, full, options.topicPrefix, {
      onWritten: (paths) => curatedPut.push(...paths),
    });
    const analysis = await publishAnalysis(db, lake, plan.batch, update, full);
    await setState(db, "pending_writeback", null);
    return { curated, analysis };
  };
  // An incremental write back is small: it keeps the pass's limit, and with it the blocks a
  // pass in the same process (`nrt --watch`) reads next time (lowering and raising the limit
  // cost ≈ 40 ms and every cached block).
  if (!full) return await write();
  try {
    // Lowering the limit fails too when DuckDB cannot free that much: then write under the
    // pass's limit.
    await db.run(`SET memory_limit = ${sqlString(options.writeMemoryLimit)}`);
    return await write();
  } catch (error) {
    if (!/Out of Memory/i.test((error as Error).message)) throw error;
    const why = (error as Error).message.split("\n")[0].replace(/^DuckDB: /, "");
    options.progress(`  write back again under DuckDB's memory limit of ${limit} (${why})`);
    await db.run(`SET memory_limit = ${sqlString(limit)}`);
    const firstTry = curatedPut.splice(0);
    const written = await write();
    const again = new Set(curatedPut);
    for (const path of firstTry) if (!again.has(path)) await lake.delete(path);
    return written;
  } finally {
    await db.run(`SET memory_limit = ${sqlString(limit)}`);
  }
}

/** Curated: each topic with new rows (whole, when rows were replaced or `full`). */
async function publishCurated(
  db: NrtDb,
  lake: LakeStorage,
  batch: string,
  update: LayerUpdate,
  full: boolean,
  topicPrefix: string,
  { onWritten }: { onWritten: (paths: string[]) => void },
): Promise<number> {
  let written = 0;
  for (const topic of TOPICS) {
    const t = tableName(topic);
    const change = update.appended.get(topic);
    // Rows replaced in silver are in earlier part files: rewrite the topic's curated.
    const whole = full || (change?.replaced ?? 0) > 0;
    if (!whole && !change?.added) continue;
    const paths = await writeCurated(db, lake, whole ? `silver.${t}` : `_delta_${t}`, {
      folder: topicPrefix + topic,
      batch,
      replace: whole,
    });
    onWritten(paths);
    written += paths.length;
  }
  return written;
}

/** Analysis: only the tables whose content differs from what was last written go out again. */
async function publishAnalysis(
  db: NrtDb,
  lake: LakeStorage,
  batch: string,
  update: LayerUpdate,
  full: boolean,
): Promise<number> {
  const names = full ? GOLD_TABLES.map((g) => g.name) : update.touched;
  const hashes = await analysisHashes(db, names);
  const before = full ? new Map<string, string>() : await writtenAnalysis(db);
  const changed = names.filter((n) => before.get(n) !== hashes[n]);
  // A table that only gained rows since it was written gets them as a new part file
  // (when its written content plus those rows is its content now).
  const candidates = changed.filter((n) => update.onlyAppended.has(n) && before.has(n));
  const added = await appendedHashes(db, candidates);
  const parts = candidates.filter((n) => addHashes(before.get(n)!, added[n]) === hashes[n]);
  const whole = changed.filter((n) => !parts.includes(n));
  const written = (await writeAnalysis(db, lake, whole)).length +
    (await appendAnalysis(db, lake, parts, batch)).length;
  await recordAnalysis(db, Object.fromEntries(changed.map((n) => [n, hashes[n]])));
  return written;
}
