/** Plain-text tables for CLI summaries (the same formatting notebooks use). */
import { formatTable } from "../lib/viz/table.ts";

export { formatTable };

/** Prints rows as a table on stdout. */
export function printTable(rows: Array<Record<string, unknown>>): void {
  console.log(formatTable(rows));
}
