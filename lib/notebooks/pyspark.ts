/**
 * The PySpark that builds a gold table, read from the Databricks notebook that writes it
 * (`databricks/<topic>.py`, cells split on `# COMMAND ----------`), so a lesson shows the code
 * Databricks runs, never a copy: the cell that calls `write_gold(<frame>, "<name>")` (or
 * `f"<prefix>{dim}"` in a loop), preceded by the cell that assigns `<frame>` when that is
 * another one, followed by the definitions of the `_common.py` helpers those cells call (reading
 * and writing helpers left out).
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";
import { PipelineError } from "../errors.ts";
import type { Topic } from "../schema/events.ts";

const CELL = /^# COMMAND -+$/m;

/**
 * The code cells of a notebook in Databricks source format (magic and markdown cells left out).
 *
 * @example
 * ```ts
 * import { databricksCells } from "./pyspark.ts";
 * const source = "# Databricks notebook source\nx = 1\n\n# COMMAND ----------\n\n# MAGIC %md\n";
 * const cells = databricksCells(source);
 * if (cells.length !== 1 || cells[0] !== "x = 1") throw new Error(JSON.stringify(cells));
 * ```
 */
export function databricksCells(source: string): string[] {
  return source.split(CELL)
    .map((c) => c.replace(/^# Databricks notebook source\n/, "").trim())
    .filter((c) => c && !c.startsWith("# MAGIC"));
}

/** The cells (one or two) of `cells` that build and write gold table `name`; [] if none does. */
export function pysparkCellsFor(cells: readonly string[], name: string): string[] {
  const writes = (cell: string) => {
    for (const m of cell.matchAll(/write_gold\((\w+),\s*(f?)"([^"]*)"\)/g)) {
      const [, frame, f, target] = m;
      const hit = f
        ? new RegExp(`^${target.replace(/\{\w+\}/g, "\\w+")}$`).test(name)
        : target === name;
      if (hit) return frame;
    }
    return null;
  };
  const i = cells.findIndex((c) => writes(c) !== null);
  if (i < 0) return [];
  const frame = writes(cells[i])!;
  const assigns = new RegExp(`^${frame}\\s*=`, "m");
  if (assigns.test(cells[i])) return [cells[i]];
  for (let j = i - 1; j >= 0; j--) if (assigns.test(cells[j])) return [cells[j], cells[i]];
  return [cells[i]];
}

/** The Databricks notebook of a topic: `databricks/<topic with _>.py`. */
export function databricksNotebook(topic: Topic): string {
  return `${PROJECT_ROOT}/databricks/${topic.replaceAll("-", "_")}.py`;
}

/**
 * The PySpark that builds gold table `name` of `topic` (see the module doc); throws a
 * `PipelineError` when the Databricks notebook writes no such table.
 */
export async function pysparkFor(topic: Topic, name: string): Promise<string> {
  const path = databricksNotebook(topic);
  const cells = pysparkCellsFor(databricksCells(await Deno.readTextFile(path)), name);
  if (!cells.length) {
    throw new PipelineError(
      `${path.slice(PROJECT_ROOT.length + 1)} has no write_gold(…, "${name}") cell`,
    );
  }
  const common = await Deno.readTextFile(`${PROJECT_ROOT}/databricks/_common.py`);
  return [...cells, ...helpersCalled(cells.join("\n"), common)].join("\n\n");
}

/**
 * The definitions in `common` (Python source) of the functions `code` calls, except the ones
 * that read or write (`read_*`, `write_*`).
 *
 * @example
 * ```ts
 * import { helpersCalled } from "./pyspark.ts";
 * const common = "def counts_by(df, c):\n    return df\n\n\ndef write_gold(df, n):\n    pass\n";
 * const defs = helpersCalled("write_gold(counts_by(x, 'a'), 'n')", common);
 * if (defs.length !== 1 || !defs[0].startsWith("def counts_by")) throw new Error(String(defs));
 * ```
 */
export function helpersCalled(code: string, common: string): string[] {
  const out: string[] = [];
  for (const m of common.matchAll(/^def (\w+)\(.*?(?=\n(?:\S|\n\S)|(?![\s\S]))/gms)) {
    const name = m[1];
    if (/^(read|write)_/.test(name) || !new RegExp(`\\b${name}\\(`).test(code)) continue;
    out.push(m[0].trimEnd());
  }
  return out;
}
