/**
 * Files under a local folder, for the NRT pass's own folders (the cache, DuckDB's COPY output).
 *
 * @module
 */

/**
 * The paths (relative to `dir`, sorted) of every file under `dir`; none when it is missing. The
 * walk uses the synchronous calls: the cache's few hundred folders took ≈ 0.1 s one async call
 * at a time, a cost every pass paid, also one with nothing new.
 */
export function filesUnder(dir: string): string[] {
  try {
    return walk(dir, "").sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

function walk(dir: string, rel: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...walk(`${dir}/${entry.name}`, path));
    else if (entry.isFile) out.push(path);
  }
  return out;
}
