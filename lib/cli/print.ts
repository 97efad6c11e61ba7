/**
 * Plain-text tables for CLI summaries (the same formatting notebooks use).
 *
 * @module
 */
import { formatTable } from "../viz/table.ts";

/** Prints rows as a table on stdout. */
export function printTable(rows: Array<Record<string, unknown>>): void {
  console.log(formatTable(rows));
}
