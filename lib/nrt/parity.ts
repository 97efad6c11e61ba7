/**
 * Comparing two tables the way `deno task parity` compares the DuckDB (`lib/nrt`) and Spark
 * (`databricks/`) outputs: order-insensitive (rows are a multiset), numbers equal within a
 * tolerance (absolute or relative, 1e-9 by default; integers and floats compare as numbers),
 * everything else exactly (nested lists and structs included). Pure: no I/O.
 *
 * @module
 */

/** A table as rows of plain values (what `NrtDb.rows` returns). */
export interface ParityTable {
  /** Column names, in order. */
  columns: readonly string[];
  rows: ReadonlyArray<Record<string, unknown>>;
  /** Column types (e.g. DuckDB's names for the Parquet types), when known. */
  types?: Readonly<Record<string, string>>;
}

/** Options of {@linkcode compareTables}. */
export interface CompareOptions {
  /**
   * Largest difference between two numbers that still counts as equal, absolute or relative to
   * the larger magnitude.
   * @default 1e-9
   */
  tolerance?: number;
  /**
   * Row differences kept in the result (the count of mismatches is always complete).
   * @default 20
   */
  maxDiffs?: number;
}

/** One difference between the two sides. */
export type RowDiff =
  | { kind: "only-left"; row: Record<string, unknown> }
  | { kind: "only-right"; row: Record<string, unknown> }
  | {
    kind: "changed";
    left: Record<string, unknown>;
    right: Record<string, unknown>;
    /** The columns whose values differ. */
    columns: string[];
  };

/** The outcome of comparing two tables. */
export interface TableComparison {
  leftRows: number;
  rightRows: number;
  /**
   * Columns only on the left, only on the right, whether the shared ones differ in order, and
   * shared columns whose types differ (when both sides give types: reported, not counted).
   */
  columns: {
    onlyLeft: string[];
    onlyRight: string[];
    orderDiffers: boolean;
    typeDiffers: Array<{ column: string; left: string; right: string }>;
  };
  /** Rows without an equal partner on the other side, plus one per column missing on a side. */
  mismatches: number;
  /** The first `maxDiffs` row differences (a pair of near rows is shown as one "changed"). */
  diffs: RowDiff[];
}

const DEFAULTS = { tolerance: 1e-9, maxDiffs: 20 } as const;

/** At most this many unmatched rows per side are paired up by tolerance (quadratic). */
const PAIRING_LIMIT = 2000;

function isNumber(value: unknown): value is number | bigint {
  return typeof value === "number" || typeof value === "bigint";
}

/**
 * Whether two values are equal: numbers (number or bigint) within `tolerance` (absolute or
 * relative), NaN equal to NaN, arrays and objects element by element, anything else with `===`.
 *
 * @example
 * ```ts
 * import { valuesEqual } from "./parity.ts";
 * valuesEqual(0.1 + 0.2, 0.3); // true
 * valuesEqual(1, 1.000001); // false
 * valuesEqual(3n, 3); // true
 * valuesEqual("3", 3); // false
 * ```
 */
export function valuesEqual(
  a: unknown,
  b: unknown,
  tolerance: number = DEFAULTS.tolerance,
): boolean {
  if (a === b) return true;
  if (isNumber(a) && isNumber(b)) {
    const x = Number(a), y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    if (x === y) return true;
    const diff = Math.abs(x - y);
    return diff <= tolerance || diff <= tolerance * Math.max(Math.abs(x), Math.abs(y));
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => valuesEqual(v, bb[i], tolerance));
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  return ka.every((k) =>
    k in ob && valuesEqual((a as Record<string, unknown>)[k], ob[k], tolerance)
  );
}

/** Type rank for ordering values of different kinds: null, boolean, number, string, other. */
function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "boolean") return 1;
  if (isNumber(value)) return 2;
  if (typeof value === "string") return 3;
  return 4;
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? Number(v) : v);
}

/** A total order on values, consistent with exact equality (used to sort before matching). */
function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2: {
      const x = Number(a), y = Number(b);
      if (Number.isNaN(x) || Number.isNaN(y)) {
        return Number(Number.isNaN(x)) - Number(Number.isNaN(y));
      }
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 3:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    default: {
      const x = stable(a), y = stable(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/**
 * Compares two tables order-insensitively (see the module doc). Columns are matched by name;
 * rows are compared on the columns both sides have.
 *
 * @example
 * ```ts
 * import { compareTables } from "./parity.ts";
 * const left = { columns: ["k", "v"], rows: [{ k: "a", v: 1 }, { k: "b", v: 0.5 }] };
 * const right = { columns: ["k", "v"], rows: [{ k: "b", v: 0.5 + 1e-12 }, { k: "a", v: 1 }] };
 * compareTables(left, right).mismatches; // 0
 * ```
 */
export function compareTables(
  left: ParityTable,
  right: ParityTable,
  options: CompareOptions = {},
): TableComparison {
  const tolerance = options.tolerance ?? DEFAULTS.tolerance;
  const maxDiffs = options.maxDiffs ?? DEFAULTS.maxDiffs;
  const { shared, ...columns } = compareColumns(left, right);
  const rowsEqual = (a: Row, b: Row) => shared.every((c) => valuesEqual(a[c], b[c], tolerance));
  const [unmatchedLeft, unmatchedRight] = unmatchedRows(left.rows, right.rows, shared, rowsEqual);
  const diffs = rowDiffs(unmatchedLeft, unmatchedRight, shared, tolerance);
  return {
    leftRows: left.rows.length,
    rightRows: right.rows.length,
    columns,
    mismatches: diffs.length + columns.onlyLeft.length + columns.onlyRight.length,
    diffs: diffs.slice(0, maxDiffs),
  };
}

type Row = Record<string, unknown>;

/** The columns both sides have (in the left's order), and how the two sides' columns differ. */
function compareColumns(
  left: ParityTable,
  right: ParityTable,
): TableComparison["columns"] & { shared: string[] } {
  const rightSet = new Set(right.columns);
  const leftSet = new Set(left.columns);
  const shared = left.columns.filter((c) => rightSet.has(c));
  const rightShared = right.columns.filter((c) => leftSet.has(c));
  const typeDiffers = left.types && right.types
    ? shared
      .filter((c) => left.types![c] !== right.types![c])
      .map((c) => ({ column: c, left: left.types![c], right: right.types![c] }))
    : [];
  return {
    shared,
    onlyLeft: left.columns.filter((c) => !rightSet.has(c)),
    onlyRight: right.columns.filter((c) => !leftSet.has(c)),
    orderDiffers: shared.some((c, i) => rightShared[i] !== c),
    typeDiffers,
  };
}

/** The rows of each side that no row of the other side equals (within tolerance). */
function unmatchedRows(
  leftRows: readonly Row[],
  rightRows: readonly Row[],
  shared: readonly string[],
  rowsEqual: (a: Row, b: Row) => boolean,
): [Row[], Row[]] {
  const order = (a: Row, b: Row) => {
    for (const c of shared) {
      const d = compareValues(a[c], b[c]);
      if (d !== 0) return d;
    }
    return 0;
  };
  const l = [...leftRows].sort(order);
  const r = [...rightRows].sort(order);
  // Merge walk over both sorted sides; rows equal within tolerance pair up.
  let unmatchedLeft: Row[] = [];
  let unmatchedRight: Row[] = [];
  let i = 0, j = 0;
  while (i < l.length && j < r.length) {
    if (rowsEqual(l[i], r[j])) {
      i++, j++;
    } else if (order(l[i], r[j]) < 0) unmatchedLeft.push(l[i++]);
    else unmatchedRight.push(r[j++]);
  }
  unmatchedLeft.push(...l.slice(i));
  unmatchedRight.push(...r.slice(j));
  // Near-equal numbers can sort on opposite sides of a neighbour: pair the leftovers again.
  if (
    unmatchedLeft.length && unmatchedRight.length &&
    unmatchedLeft.length <= PAIRING_LIMIT && unmatchedRight.length <= PAIRING_LIMIT
  ) {
    const taken = new Set<number>();
    unmatchedLeft = unmatchedLeft.filter((row) => {
      const k = unmatchedRight.findIndex((other, n) => !taken.has(n) && rowsEqual(row, other));
      if (k < 0) return true;
      taken.add(k);
      return false;
    });
    unmatchedRight = unmatchedRight.filter((_, n) => !taken.has(n));
  }
  return [unmatchedLeft, unmatchedRight];
}

/**
 * The differences: a left-only and a right-only row that agree on most columns shown as one
 * changed row, first; then the left-only rows, then the right-only ones.
 */
function rowDiffs(
  unmatchedLeft: readonly Row[],
  unmatchedRight: readonly Row[],
  shared: readonly string[],
  tolerance: number,
): RowDiff[] {
  const pairable = unmatchedLeft.length <= PAIRING_LIMIT && unmatchedRight.length <= PAIRING_LIMIT;
  const paired = new Set<number>();
  const changed: RowDiff[] = [];
  const stillLeft: Row[] = [];
  for (const row of unmatchedLeft) {
    let best = -1, bestSame = 0;
    if (pairable && shared.length > 1) {
      unmatchedRight.forEach((other, n) => {
        if (paired.has(n)) return;
        const same = shared.filter((c) => valuesEqual(row[c], other[c], tolerance)).length;
        if (same > bestSame) best = n, bestSame = same;
      });
    }
    if (best >= 0 && bestSame * 2 >= shared.length) {
      paired.add(best);
      const other = unmatchedRight[best];
      changed.push({
        kind: "changed",
        left: row,
        right: other,
        columns: shared.filter((c) => !valuesEqual(row[c], other[c], tolerance)),
      });
    } else stillLeft.push(row);
  }
  return [
    ...changed,
    ...stillLeft.map((row): RowDiff => ({ kind: "only-left", row })),
    ...unmatchedRight.filter((_, n) => !paired.has(n)).map((row): RowDiff => ({
      kind: "only-right",
      row,
    })),
  ];
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return String(value);
  if (typeof value === "number") return String(value);
  return stable(value);
}

function showRow(row: Record<string, unknown>, columns?: readonly string[]): string {
  const keys = columns ?? Object.keys(row);
  return "{" + keys.map((k) => `${k}: ${show(row[k])}`).join(", ") + "}";
}

/** Labels of the two sides in diffs and summaries. */
export interface SideLabels {
  /** @default "left" */
  left?: string;
  /** @default "right" */
  right?: string;
}

/**
 * A readable diff: missing columns, then each row difference (`-` only on the left, `+` only on
 * the right, `~` changed, with the differing columns).
 *
 * @example
 * ```ts
 * import { compareTables, formatDiff } from "./parity.ts";
 * const c = compareTables(
 *   { columns: ["k", "v"], rows: [{ k: "a", v: 1 }] },
 *   { columns: ["k", "v"], rows: [{ k: "a", v: 2 }] },
 * );
 * formatDiff(c, { left: "duckdb", right: "spark" }).includes("v: duckdb 1, spark 2"); // true
 * ```
 */
export function formatDiff(comparison: TableComparison, labels: SideLabels = {}): string {
  const left = labels.left ?? "left", right = labels.right ?? "right";
  const lines: string[] = [];
  const { onlyLeft, onlyRight, orderDiffers, typeDiffers } = comparison.columns;
  if (onlyLeft.length) lines.push(`  columns only in ${left}: ${onlyLeft.join(", ")}`);
  if (onlyRight.length) lines.push(`  columns only in ${right}: ${onlyRight.join(", ")}`);
  if (orderDiffers) lines.push(`  (column order differs; rows are compared by name)`);
  for (const t of typeDiffers) {
    lines.push(
      `  (type of ${t.column}: ${left} ${t.left}, ${right} ${t.right}; values compared as numbers)`,
    );
  }
  for (const diff of comparison.diffs) {
    if (diff.kind === "only-left") lines.push(`  - only in ${left}:  ${showRow(diff.row)}`);
    else if (diff.kind === "only-right") lines.push(`  + only in ${right}: ${showRow(diff.row)}`);
    else {
      const what = diff.columns.map((c) =>
        `${c}: ${left} ${show(diff.left[c])}, ${right} ${show(diff.right[c])}`
      );
      lines.push(`  ~ changed: ${what.join("; ")}  in ${showRow(diff.left)}`);
    }
  }
  const rowDiffs = comparison.mismatches - onlyLeft.length - onlyRight.length;
  if (rowDiffs > comparison.diffs.length) {
    lines.push(`  … and ${rowDiffs - comparison.diffs.length} more row differences`);
  }
  return lines.join("\n");
}

/** One row of the parity summary table: `table`, `rows <left>`, `rows <right>`, `mismatches`. */
export type ParitySummaryRow = Record<string, string | number>;

/**
 * The summary table: per table, rows on each side and mismatches (`-` for a side that is missing
 * the table altogether).
 *
 * @example
 * ```ts
 * import { compareTables, summarize } from "./parity.ts";
 * const t = { columns: ["k"], rows: [{ k: 1 }] };
 * summarize([{ name: "x", comparison: compareTables(t, t) }], { left: "duckdb", right: "spark" });
 * // [{ table: "x", "rows duckdb": 1, "rows spark": 1, mismatches: 0 }]
 * ```
 */
export function summarize(
  results: ReadonlyArray<{ name: string; comparison: TableComparison | null; missing?: string }>,
  labels: SideLabels = {},
): ParitySummaryRow[] {
  const left = labels.left ?? "left", right = labels.right ?? "right";
  return results.map(({ name, comparison, missing }) => ({
    table: name,
    [`rows ${left}`]: comparison ? comparison.leftRows : missing === left ? "-" : "?",
    [`rows ${right}`]: comparison ? comparison.rightRows : missing === right ? "-" : "?",
    mismatches: comparison ? comparison.mismatches : 1,
  }));
}
