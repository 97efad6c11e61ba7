/**
 * Keyed counts reduced for display: top-N and exact percentiles, both deterministic (ties broken
 * by key, nearest-rank percentiles), so a batch query can reproduce them exactly.
 *
 * @module
 */

/** One key and its count. */
export interface KeyCount {
  key: string;
  count: number;
}

/**
 * The `n` keys with the largest counts, by count descending then key ascending (code-unit order).
 *
 * @example
 * ```ts
 * import { topN } from "./topn.ts";
 * topN(new Map([["b", 2], ["a", 2], ["c", 5]]), 2); // [{ key: "c", count: 5 }, { key: "a", count: 2 }]
 * ```
 */
export function topN(counts: ReadonlyMap<string, number>, n: number): KeyCount[] {
  if (n * 8 >= counts.size) {
    return [...counts]
      .sort((a, b) => b[1] - a[1] || compareKeys(a[0], b[0]))
      .slice(0, n)
      .map(([key, count]) => ({ key, count }));
  }
  // A few of many (a snapshot's top 10 of every product): one pass keeping the best `n` in
  // order, instead of sorting them all.
  const best: KeyCount[] = [];
  for (const [key, count] of counts) {
    if (best.length === n && !ranksBefore(count, key, best[n - 1])) continue;
    let i = best.length === n ? n - 1 : best.length;
    while (i > 0 && ranksBefore(count, key, best[i - 1])) i--;
    best.splice(i, 0, { key, count });
    if (best.length > n) best.pop();
  }
  return best;
}

/** Whether `count` and `key` come before `other`: count descending, then key ascending. */
function ranksBefore(count: number, key: string, other: KeyCount): boolean {
  return count > other.count || (count === other.count && key < other.key);
}

/**
 * The nearest-rank percentile: the smallest value with at least `percent`% of the values at or
 * below it (`sorted[ceil(percent·n/100) − 1]`); null for no values. `sorted` must be ascending.
 *
 * @example
 * ```ts
 * import { percentile } from "./topn.ts";
 * percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90); // 9
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(sorted: readonly number[], percent: number): number | null {
  if (sorted.length === 0) return null;
  // Integer arithmetic first: 90·10/100 is exactly 9, while 0.9·10 is 9.000000000000002.
  const rank = Math.max(1, Math.ceil((percent * sorted.length) / 100));
  return sorted[rank - 1];
}

/** Orders strings by UTF-16 code units (not locale), as a binary SQL collation does for ASCII. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
