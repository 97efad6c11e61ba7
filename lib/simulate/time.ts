/**
 * Time in the simulation: ISO-8601 UTC timestamps with milliseconds, the shop's daily cycle and
 * duration constants. Times are epoch milliseconds throughout; nothing here reads the clock.
 *
 * @module
 */

/** One second in milliseconds. */
export const SECOND = 1000;
/** One minute in milliseconds. */
export const MINUTE = 60 * SECOND;
/** One hour in milliseconds. */
export const HOUR = 60 * MINUTE;
/** One day in milliseconds. */
export const DAY = 24 * HOUR;

/**
 * Relative session arrival rate per UTC hour (0–23): quiet at night, a lunch bump, an evening
 * peak. Normalised so the daily mean is 1.
 */
export const HOURLY_WEIGHTS: readonly number[] = (() => {
  const raw = [
    0.45,
    0.30,
    0.22,
    0.18,
    0.17,
    0.22,
    0.35,
    0.55,
    0.75,
    0.90,
    1.00,
    1.05,
    1.10,
    1.05,
    1.00,
    1.00,
    1.05,
    1.15,
    1.30,
    1.45,
    1.50,
    1.40,
    1.10,
    0.75,
  ];
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((w) => w / mean);
})();

/** The largest hourly weight (for thinning a Poisson process). */
export const PEAK_WEIGHT: number = Math.max(...HOURLY_WEIGHTS);

/** The daily-cycle weight at time `t` (epoch ms). */
export function dailyWeight(t: number): number {
  return HOURLY_WEIGHTS[Math.floor((t % DAY + DAY) % DAY / HOUR)];
}

/** ∫ dailyWeight over [start, end) in ms: the "effective" length of a window. */
export function weightedSpan(start: number, end: number): number {
  let total = 0;
  let t = start;
  while (t < end) {
    const next = Math.min(end, (Math.floor(t / HOUR) + 1) * HOUR);
    total += dailyWeight(t) * (next - t);
    t = next;
  }
  return total;
}

let cachedMinute = NaN;
let cachedPrefix = "";

/**
 * Formats epoch ms as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the same as `Date#toISOString` for years
 * 0–9999, reusing the minute prefix between calls (the hot path formats millions of times).
 *
 * @example
 * ```ts
 * import { isoTime } from "./time.ts";
 * if (isoTime(0) !== "1970-01-01T00:00:00.000Z") throw new Error("wrong");
 * ```
 */
export function isoTime(t: number): string {
  const minute = Math.floor(t / MINUTE);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedPrefix = new Date(minute * MINUTE).toISOString().slice(0, 17);
  }
  const rest = t - minute * MINUTE; // 0..59999
  const s = Math.floor(rest / 1000);
  const ms = rest - s * 1000;
  return cachedPrefix + (s < 10 ? "0" : "") + s + (ms < 10 ? ".00" : ms < 100 ? ".0" : ".") + ms +
    "Z";
}
