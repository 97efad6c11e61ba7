/**
 * Epoch ms as an ISO-8601 UTC time, the one way snapshots and views write a time.
 *
 * @module
 */

/** The largest |epoch ms| a `Date` holds (±100,000,000 days). */
const DATE_RANGE_MS = 8.64e15;

/**
 * An ISO time (`YYYY-MM-DDTHH:MM:SS.mmmZ`), or null for a time not known (null, undefined,
 * ±Infinity, NaN) or out of the `Date` range: a snapshot never throws on a time.
 *
 * @example
 * ```ts
 * import { isoOrNull } from "./iso.ts";
 * isoOrNull(0); // "1970-01-01T00:00:00.000Z"
 * isoOrNull(-Infinity); // null: no watermark yet
 * isoOrNull(undefined); // null
 * ```
 */
export function isoOrNull(t: number | null | undefined): string | null {
  if (t == null || !Number.isFinite(t) || Math.abs(t) > DATE_RANGE_MS) return null;
  return new Date(t).toISOString();
}
