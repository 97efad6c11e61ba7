/** The `file://` lake backend: a folder on disk, atomic puts through rename. */
import { LakeError } from "../errors.ts";
import { checkPath, type LakeEntry, type LakeStorage } from "./storage.ts";

let tmpCounter = 0;

/** Files a listing stats before it lets other work run (≈ 8 ms of synchronous calls). */
const LIST_YIELD_EVERY = 512;

/** A lake in a local folder (tests, parity, offline use). */
export class FileLake implements LakeStorage {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `file://${root}`;
  }

  async init(): Promise<void> {
    await Deno.mkdir(this.root, { recursive: true });
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const full = `${this.root}/${checkPath(path)}`;
    const dir = full.slice(0, full.lastIndexOf("/"));
    // Write beside the target, then rename: readers never see half a file, and a crash leaves
    // only a hidden temp file that listings skip.
    const tmp = `${dir}/.tmp-${Deno.pid}-${++tmpCounter}`;
    try {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeFile(tmp, data);
      await Deno.rename(tmp, full);
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      throw new LakeError(
        `Could not write ${this.description}/${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async get(path: string): Promise<Uint8Array> {
    try {
      return await Deno.readFile(`${this.root}/${checkPath(path)}`);
    } catch (error) {
      throw new LakeError(
        `Could not read ${this.description}/${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Every file under `prefix`, sorted by path. The walk reads folders and stats files with the
   * synchronous calls (one async call per file made listing 1,600 files take ≈ 0.27 s, against
   * ≈ 25 ms), letting other work in every {@linkcode LIST_YIELD_EVERY} files; a file removed while
   * the walk runs is left out.
   */
  async list(prefix: string): Promise<LakeEntry[]> {
    const out: LakeEntry[] = [];
    let sinceYield = 0;
    const walk = async (dir: string, rel: string) => {
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.startsWith(".tmp-")) continue;
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        // Prune folders that cannot hold a match.
        if (!path.startsWith(prefix) && !prefix.startsWith(`${path}/`)) continue;
        if (entry.isDirectory) await walk(`${dir}/${entry.name}`, path);
        else if (entry.isFile) {
          let stat: Deno.FileInfo;
          try {
            stat = Deno.statSync(`${dir}/${entry.name}`);
          } catch (error) {
            if (error instanceof Deno.errors.NotFound) continue;
            throw error;
          }
          out.push({ path, size: stat.size, lastModified: stat.mtime?.getTime() ?? 0 });
          if (++sinceYield >= LIST_YIELD_EVERY) {
            sinceYield = 0;
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
        }
      }
    };
    await walk(this.root, "");
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await Deno.stat(`${this.root}/${checkPath(path)}`)).isFile;
    } catch {
      return false;
    }
  }

  async delete(path: string): Promise<void> {
    await Deno.remove(`${this.root}/${checkPath(path)}`).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  async close(): Promise<void> {}
}
