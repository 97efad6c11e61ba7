/**
 * Flag values that are not plain strings: durations (`500ms`, `60s`, `15m`, `72h`, `2d`,
 * `1h30m`), milliseconds given either as a plain number or as a duration, and ISO date-times.
 * Each parser throws a one-line UsageError naming what it read.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/**
 * Parses a duration like `500ms`, `60s`, `15m`, `72h`, `2d` or `1h30m` (or `0`) into milliseconds;
 * throws UsageError (naming `what`) otherwise.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./values.ts";
 * parseDuration("1h30m"); // 5_400_000
 * ```
 */
export function parseDuration(text: string, what = "duration"): number {
  if (text === "0") return 0;
  if (!DURATION.test(text)) {
    throw new UsageError(`Invalid ${what} "${text}" (expected e.g. 500ms, 60s, 15m, 72h, 2d)`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNITS[unit];
  }
  return Math.round(total);
}

/**
 * Milliseconds given as a whole number (`600000`, the spelling of flags named `…-ms`) or as a
 * duration (`10m`); throws UsageError (naming `what`) otherwise.
 *
 * @example
 * ```ts
 * import { parseMillis } from "./values.ts";
 * parseMillis("600000") === parseMillis("10m"); // true
 * ```
 */
export function parseMillis(text: string, what = "duration"): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  }
  if (DURATION.test(text)) return parseDuration(text, what);
  throw new UsageError(
    `Invalid ${what} "${text}" (expected milliseconds like 600000, or a duration like 10m)`,
  );
}

/**
 * Formats milliseconds as a short duration (`72h`, `1h30m`, `1.5s`, `250ms`); no days.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./values.ts";
 * formatDuration(5_400_000); // "1h30m"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("");
}

/**
 * Parses an ISO-8601 date-time flag value (`--start`); throws UsageError naming the flag.
 *
 * @example
 * ```ts
 * import { parseStart } from "./values.ts";
 * parseStart("2026-11-26T00:00:00Z").getTime() === Date.UTC(2026, 10, 26); // true
 * ```
 */
export function parseStart(text: string, flag = "--start"): Date {
  const date = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
    ? new Date(text)
    : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `Flag ${flag} expects an ISO date-time like 2026-11-26T00:00:00Z, got "${text}"`,
    );
  }
  return date;
}
