/**
 * Files under a local folder, for the NRT pass's own folders (the cache, DuckDB's COPY output).
 *
 * @module
 */

/** The paths (relative to `dir`, sorted) of every file under `dir`; none when it is missing. */
export async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await walk(dir, "")).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

async function walk(dir: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await walk(`${dir}/${entry.name}`, path));
    else if (entry.isFile) out.push(path);
  }
  return out;
}
