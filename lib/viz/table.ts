/**
 * Tables that read well both in a terminal and in a notebook: plain aligned text, and a small
 * HTML table when Jupyter displays the value.
 *
 * @module
 */

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(Math.abs(value) >= 1 ? 2 : 4);
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Formats rows as an aligned text table (numeric columns right-aligned).
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * formatTable([{ topic: "orders", records: 12 }]);
 * // "topic   records\n──────  ───────\norders       12"
 * ```
 */
export function formatTable(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return "(no rows)";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((c) =>
    rows.every((r) => ["number", "bigint", "undefined"].includes(typeof r[c]) || r[c] === null)
  );
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ")
      .trimEnd();
  return [line(columns), line(widths.map((w) => "─".repeat(w))), ...cells.map(line)].join("\n");
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/** The HTML of a small table. */
export function htmlTable(rows: ReadonlyArray<Record<string, unknown>>, caption?: string): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${
      columns.map((c) => {
        const align = typeof r[c] === "number" || typeof r[c] === "bigint"
          ? ' style="text-align:right"'
          : "";
        return `<td${align}>${escapeHtml(formatCell(r[c]))}</td>`;
      }).join("")
    }</tr>`
  ).join("");
  const cap = caption ? `<caption style="text-align:left">${escapeHtml(caption)}</caption>` : "";
  return `<table>${cap}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A value that Jupyter shows as an HTML table and a terminal as text. */
export interface TableView {
  rows: ReadonlyArray<Record<string, unknown>>;
  toString(): string;
  [key: symbol]: unknown;
}

/**
 * Wraps rows so that the Deno kernel displays them as a table (text/plain beside text/html).
 *
 * @example
 * ```ts
 * import { table } from "./table.ts";
 * const view = table([{ device: "mobile", count: 3 }]);
 * String(view); // "device  count\n──────  ─────\nmobile      3"
 * ```
 */
export function table(rows: ReadonlyArray<object>, caption?: string): TableView {
  // Any plain objects (interfaces too, which have no index signature): their own fields are read.
  return tableOf(rows as ReadonlyArray<Record<string, unknown>>, caption);
}

function tableOf(rows: ReadonlyArray<Record<string, unknown>>, caption?: string): TableView {
  return {
    rows,
    toString: () => formatTable(rows),
    [Symbol.for("Jupyter.display")]: () => ({
      "text/plain": (caption ? `${caption}\n` : "") + formatTable(rows),
      "text/html": htmlTable(rows, caption),
    }),
  };
}
