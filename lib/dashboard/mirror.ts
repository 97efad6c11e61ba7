/**
 * A local mirror of one lake folder's Parquet files, for DuckDB to read (it cannot read Azure
 * here): each refresh lists the folder, pulls the files that are new or changed (size or time)
 * and removes the ones gone from the lake. Works the same on Azurite, ADLS Gen2 and `file://`.
 *
 * Files keep their lake paths under the mirror folder. Each is written to a temporary name and
 * renamed, so a reader sees the old file or the whole new one. What was pulled is remembered in
 * `<dir>/.mirror-<slug>.json`, so a restart pulls only what changed meanwhile.
 *
 * @module
 */
import type { LakeEntry, LakeStorage } from "../lake/storage.ts";

/** What one {@linkcode mirrorFolder} call did. */
export interface MirrorReport {
  /** Whether any file was pulled or removed. */
  changed: boolean;
  /** Parquet files in the lake folder now. */
  files: number;
  /** Files pulled (new or changed). */
  pulled: number;
  /** Files removed (gone from the lake). */
  removed: number;
  /** The newest last-modified time of the folder's files (epoch ms), null when it is empty. */
  newest: number | null;
}

type Known = Record<string, { size: number; lastModified: number }>;

async function readKnown(file: string): Promise<Known> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(file));
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

/** Whether a lake file is data DuckDB should read (Spark also writes `_SUCCESS` and `.crc`). */
function isData(entry: LakeEntry): boolean {
  const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
  return name.endsWith(".parquet") && !name.startsWith(".") && !name.startsWith("_");
}

/**
 * Brings `<dir>/<prefix>…` up to date with the lake's Parquet files under `prefix` (see the
 * module doc).
 *
 * @example
 * ```ts ignore
 * const report = await mirrorFolder(lake, "analysis/parquet/", "data/dashboard/azurite-1234");
 * console.log(report.pulled, report.newest);
 * ```
 */
export async function mirrorFolder(
  lake: LakeStorage,
  prefix: string,
  dir: string,
  concurrency = 8,
): Promise<MirrorReport> {
  const stateFile = `${dir}/.mirror-${prefix.replace(/[^A-Za-z0-9]+/g, "_")}.json`;
  const known = await readKnown(stateFile);
  const entries = (await lake.list(prefix)).filter(isData);
  const wanted = new Set(entries.map((e) => e.path));
  const pull = entries.filter((e) => {
    const k = known[e.path];
    return !k || k.size !== e.size || k.lastModified !== e.lastModified;
  });
  for (let i = 0; i < pull.length; i += concurrency) {
    await Promise.all(
      pull.slice(i, i + concurrency).map(async (e) => {
        const local = `${dir}/${e.path}`;
        await Deno.mkdir(local.slice(0, local.lastIndexOf("/")), { recursive: true });
        const tmp = `${local}.tmp-${Deno.pid}`;
        await Deno.writeFile(tmp, await lake.get(e.path));
        await Deno.rename(tmp, local);
        known[e.path] = { size: e.size, lastModified: e.lastModified };
      }),
    );
  }
  let removed = 0;
  for (const path of Object.keys(known)) {
    if (!path.startsWith(prefix) || wanted.has(path)) continue;
    await Deno.remove(`${dir}/${path}`).catch(() => {});
    delete known[path];
    removed++;
  }
  if (pull.length > 0 || removed > 0) {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${stateFile}.tmp`, JSON.stringify(known));
    await Deno.rename(`${stateFile}.tmp`, stateFile);
  }
  const newest = entries.reduce<number | null>(
    (max, e) => (max === null || e.lastModified > max ? e.lastModified : max),
    null,
  );
  return {
    changed: pull.length > 0 || removed > 0,
    files: entries.length,
    pulled: pull.length,
    removed,
    newest,
  };
}
