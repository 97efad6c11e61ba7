/**
 * Small counting helpers the metrics share: labels for null or non-string values, counts per key
 * and per pair of keys.
 *
 * @module
 */

/** The label of a missing or non-string value. */
export const UNKNOWN = "unknown";

/** A string value as it is, anything else as {@linkcode UNKNOWN}. */
export function label(value: unknown): string {
  return typeof value === "string" ? value : UNKNOWN;
}

/** Adds `by` to `key`'s count. */
export function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Counts per pair of labels, nested: no key string is built per event (the hot path). */
export type PairCounts = Map<string, Map<string, number>>;

/** Adds one to the pair `(a, b)`. */
export function bumpPair(map: PairCounts, a: string, b: string): void {
  let inner = map.get(a);
  if (inner === undefined) map.set(a, inner = new Map());
  inner.set(b, (inner.get(b) ?? 0) + 1);
}

/** The pairs of a {@linkcode PairCounts}, as `[a, b, count]`. */
export function* pairs(map: PairCounts): Generator<[string, string, number]> {
  for (const [a, inner] of map) for (const [b, n] of inner) yield [a, b, n];
}
