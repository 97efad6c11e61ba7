/**
 * Gold tables shown as the code that builds them: the SQL `lib/nrt` runs (its own strings,
 * {@linkcode goldBuildSql}) beside the PySpark of the Databricks notebook that mirrors it
 * ({@linkcode pysparkFor}), so a lesson never shows a copy that could drift.
 *
 * @module
 */
import { GOLD_TABLES, goldBuildSql } from "../nrt/gold.ts";
import { databricksNotebook, pysparkFor } from "./pyspark.ts";
import { PROJECT_ROOT } from "../config/mod.ts";
import { PipelineError } from "../errors.ts";

/** Breaks a line longer than `width` after its last ", " (or space) that fits; indents the rest. */
function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  const indent = " ".repeat(line.length - line.trimStart().length + 4);
  let rest = line;
  while (rest.length > width) {
    const comma = rest.lastIndexOf(", ", width - 1) + 1;
    const cut = comma > width / 2 ? comma : rest.lastIndexOf(" ", width);
    if (cut <= indent.length) break;
    out.push(rest.slice(0, cut).trimEnd());
    rest = indent + rest.slice(cut).trimStart();
  }
  return [...out, rest];
}

/**
 * SQL laid out for reading: each statement starts at the margin, its other lines indented by two
 * (the library's SQL comes from template strings indented as the code around them), and lines
 * longer than 96 characters broken.
 *
 * @example
 * ```ts
 * import { tidySql } from "./gold.ts";
 * tidySql("CREATE TABLE t AS\n      SELECT a\n  FROM s;  \n");
 * // "CREATE TABLE t AS\n  SELECT a\n  FROM s;"
 * ```
 */
export function tidySql(sql: string): string {
  return sql.split("\n").map((l) => l.trim()).filter(Boolean)
    .map((l) => (/^(CREATE|INSERT|DELETE|UPDATE|DROP|WITH)\b/.test(l) ? l : `  ${l}`))
    .flatMap((l) => wrap(l, 96))
    .join("\n");
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** Code side by side: text for a terminal, a two-column HTML table for Jupyter. */
export interface CodeView {
  sql: string;
  pyspark: string;
  toString(): string;
  [key: symbol]: unknown;
}

/**
 * The SQL of gold tables `names` (one topic's) beside the PySpark that builds them.
 *
 * @example
 * ```ts ignore
 * await Deno.jupyter.display(await goldBeside(["orders_summary"]));
 * ```
 */
export async function goldBeside(names: readonly string[]): Promise<CodeView> {
  const tables = names.map((name) => {
    const table = GOLD_TABLES.find((t) => t.name === name);
    if (!table) throw new PipelineError(`No gold table named ${name} (lib/nrt/TABLES.md)`);
    return table;
  });
  const sql = tables.map((t) => `-- gold.${t.name}\n${tidySql(goldBuildSql(t))}`).join("\n\n");
  const cells: string[] = [];
  for (const t of tables) {
    const code = await pysparkFor(t.topic, t.name);
    if (!cells.includes(code)) cells.push(code);
  }
  const pyspark = cells.join("\n\n");
  const file = databricksNotebook(tables[0].topic).slice(PROJECT_ROOT.length + 1);
  const head = ["DuckDB SQL (lib/nrt)", `PySpark (${file})`];
  const pre = (code: string) =>
    `<td style="vertical-align:top;text-align:left;width:50%"><pre style="font-size:11px">${
      escapeHtml(code)
    }</pre></td>`;
  const html = `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead>` +
    `<tbody><tr>${pre(sql)}${pre(pyspark)}</tr></tbody></table>`;
  const text = `${head[0]}\n\n${sql}\n\n${head[1]}\n\n${pyspark}`;
  return {
    sql,
    pyspark,
    toString: () => text,
    [Symbol.for("Jupyter.display")]: () => ({ "text/plain": text, "text/html": html }),
  };
}
