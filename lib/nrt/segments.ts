/**
 * The cache's segment files: the lines one sync pulled for one topic and hour, in one file
 * (`<cache>/topics/<topic>/year=…/month=…/day=…/hour=…/sync-000042.json`), instead of one cache
 * file per lake file. DuckDB pays a fixed cost per file it reads (about 1,560 lake files for 1M
 * events against a few hundred segments), and the sync writes, renames and creates folders
 * once per segment instead of once per file.
 *
 * A segment is written under a temporary name while the sync runs and takes its name at the end,
 * before the checkpoint names it: a sync that stops on the way leaves no segment the checkpoint
 * does not know (and the next sync removes any such leftover, see `removeOrphans`).
 *
 * @module
 */
import { filesUnder } from "./_files.ts";

/** One segment being written. */
interface OpenSegment {
  file: Deno.FsFile;
  /** Path relative to the cache folder (its final name). */
  path: string;
  tmp: string;
  /** Appends run one after another: concurrent writes to one file could interleave. */
  tail: Promise<void>;
  /** An append failed: the segment may hold part of a file, so it is not kept. */
  failed: boolean;
}

const NEWLINE = new Uint8Array([0x0a]);

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) done += await file.write(data.subarray(done));
}

/** A place reserved in a segment (see {@linkcode SegmentWriter.reserve}). */
export interface SegmentSlot {
  /** Appends the file's lines once every earlier slot of the segment is released. */
  append(data: Uint8Array): Promise<string>;
  /** Lets the next slot of the segment append (call it whether or not this one appended). */
  release(): void;
}

/** The segments of one sync: one per cache folder (topic and hour) it pulled lines for. */
export class SegmentWriter {
  readonly #cacheDir: string;
  readonly #name: string;
  readonly #open = new Map<string, Promise<OpenSegment>>();
  /** Per folder: released when its last reserved slot is. */
  readonly #last = new Map<string, Promise<void>>();

  /** Segments under `cacheDir`, named after sync number `sync`. */
  constructor(cacheDir: string, sync: number) {
    this.#cacheDir = cacheDir;
    this.#name = `sync-${String(sync).padStart(6, "0")}.json`;
  }

  /**
   * Reserves the next place in the segment of `folder`: files pulled at the same time land in
   * the order of their reservations (the lake's order), not in the order their downloads end,
   * so a segment's content, and what bronze reads first, does not depend on timing.
   */
  reserve(folder: string): SegmentSlot {
    const before = this.#last.get(folder) ?? Promise.resolve();
    let release!: () => void;
    this.#last.set(folder, new Promise<void>((resolve) => release = resolve));
    return {
      append: async (data) => {
        await before;
        return await this.append(folder, data);
      },
      release,
    };
  }

  /**
   * Appends the JSON lines `data` (a line break added if the last one has none) to the segment
   * of cache folder `folder` (relative, e.g. `topics/orders/year=2026/…/hour=10`); returns the
   * segment's path relative to the cache folder.
   */
  async append(folder: string, data: Uint8Array): Promise<string> {
    let opening = this.#open.get(folder);
    if (!opening) {
      opening = this.#openSegment(folder);
      this.#open.set(folder, opening);
    }
    const segment = await opening;
    const write = segment.tail.then(async () => {
      await writeAll(segment.file, data);
      if (data.length > 0 && data[data.length - 1] !== 0x0a) await writeAll(segment.file, NEWLINE);
    });
    segment.tail = write.catch(() => {
      segment.failed = true;
    });
    await write;
    return segment.path;
  }

  async #openSegment(folder: string): Promise<OpenSegment> {
    await Deno.mkdir(`${this.#cacheDir}/${folder}`, { recursive: true });
    const path = `${folder}/${this.#name}`;
    const tmp = `${this.#cacheDir}/${path}.tmp-${Deno.pid}`;
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    return { file, path, tmp, tail: Promise.resolve(), failed: false };
  }

  /**
   * Closes every segment and gives it its name (once no append is running); returns the paths
   * of the segments not kept because an append to them failed.
   */
  async finish(): Promise<Set<string>> {
    const segments = await Promise.allSettled(this.#open.values());
    this.#open.clear();
    const dropped = new Set<string>();
    for (const s of segments) {
      if (s.status !== "fulfilled") continue;
      await s.value.tail;
      s.value.file.close();
      if (s.value.failed) {
        dropped.add(s.value.path);
        await Deno.remove(s.value.tmp).catch(() => {});
      } else await Deno.rename(s.value.tmp, `${this.#cacheDir}/${s.value.path}`);
    }
    return dropped;
  }
}

/**
 * Removes the files under `<cacheDir>/topics` that are not one of the `live` segments (paths
 * relative to the cache folder): a segment of a sync that stopped before its checkpoint, or the
 * per-file cache of an earlier version.
 */
export async function removeOrphans(cacheDir: string, live: ReadonlySet<string>): Promise<void> {
  for (const file of filesUnder(`${cacheDir}/topics`)) {
    const path = `topics/${file}`;
    if (!live.has(path)) await Deno.remove(`${cacheDir}/${path}`);
  }
}
