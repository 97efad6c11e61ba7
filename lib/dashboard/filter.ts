/**
 * The dashboard's filter, as every endpoint reads it from the query string: an event-time range
 * and a set of topics. Checked at the edge: a bad parameter is a {@linkcode UsageError} whose
 * message names it (the server answers 400 with that message).
 *
 * Query parameters (all optional; each at most once):
 *
 * - `from`, `to`: ISO-8601 instants with a zone (`2026-11-26T10:00:00Z`,
 *   `2026-11-26T11:00+01:00`) or a date (`2026-11-26`, midnight UTC); the range is `[from, to)`;
 * - `last`: a duration back from now (`15m`, `1h`, `24h`, `7d`): `[now − last, now)`; not with
 *   `from` or `to`;
 * - `topics`: a comma-separated list of topic base names (`orders,delivery-status`).
 *
 * Anything else is refused, so a typo does not silently show everything.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { type Topic, TOPICS } from "../schema/events.ts";
import { parseEventTime } from "../schema/event_time.ts";

/** A parsed filter; `last` stays relative until {@linkcode resolveRange} fixes it to a clock. */
export interface Filter {
  /** Start of the range, epoch ms (inclusive). */
  from?: number;
  /** End of the range, epoch ms (exclusive). */
  to?: number;
  /** A range ending now, this many ms long. */
  last?: number;
  /** The selected topics, in the contract's order. */
  topics: Topic[];
}

/** An absolute event-time range `[from, to)`; an absent end is open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

/** The query parameters a filter reads. */
export const FILTER_PARAMS = ["from", "to", "last", "topics"] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function instant(name: string, text: string): number {
  // The event-time rule reads it: a day that does not exist (30 February) is no time, where
  // Date.parse would roll it over into March.
  const time = DATE.test(text)
    ? parseEventTime(`${text}T00:00:00Z`)
    : INSTANT.test(text)
    ? parseEventTime(text.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?=[Z+-])/, "$1:00"))
    : null;
  if (time === null) {
    throw new UsageError(
      `Query parameter ${name} must be an ISO-8601 time with a zone, like 2026-11-26T10:00:00Z, or a date like 2026-11-26; got '${
        clip(text)
      }'`,
    );
  }
  return time;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Parses the filter parameters of a query string; throws `UsageError` naming the first bad one.
 *
 * @example
 * ```ts
 * import { parseFilter } from "./filter.ts";
 * parseFilter(new URLSearchParams("last=15m&topics=orders")); // { last: 900000, topics: ["orders"] }
 * parseFilter(new URLSearchParams("")).topics.length; // 4
 * ```
 */
export function parseFilter(params: URLSearchParams): Filter {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!(FILTER_PARAMS as readonly string[]).includes(name)) {
      throw new UsageError(
        `Unknown query parameter '${clip(name)}' (expected ${FILTER_PARAMS.join(", ")})`,
      );
    }
    if (seen.has(name)) throw new UsageError(`Query parameter ${name} is given more than once`);
    seen.add(name);
  }
  const filter: Filter = { topics: [...TOPICS] };
  const text = (name: string) => {
    const value = params.get(name);
    if (value === null) return undefined;
    if (value.trim() === "") throw new UsageError(`Query parameter ${name} is empty`);
    return value.trim();
  };
  const from = text("from"), to = text("to"), last = text("last"), topics = text("topics");
  if (from !== undefined) filter.from = instant("from", from);
  if (to !== undefined) filter.to = instant("to", to);
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    throw new UsageError(`Query parameter from (${from}) must be before to (${to})`);
  }
  if (last !== undefined) {
    if (from !== undefined || to !== undefined) {
      throw new UsageError("Query parameter last cannot be combined with from or to");
    }
    const match = DURATION.exec(last);
    const ms = match ? Number(match[1]) * UNIT_MS[match[2]] : 0;
    if (!match || ms <= 0) {
      throw new UsageError(
        `Query parameter last must be a duration like 15m, 1h, 24h or 7d; got '${clip(last)}'`,
      );
    }
    filter.last = ms;
  }
  if (topics !== undefined) {
    const names = topics.split(",").map((t) => t.trim());
    for (const name of names) {
      if (!(TOPICS as readonly string[]).includes(name)) {
        throw new UsageError(
          `Query parameter topics names an unknown topic '${clip(name)}' (expected some of ${
            TOPICS.join(", ")
          })`,
        );
      }
    }
    filter.topics = TOPICS.filter((t) => names.includes(t));
  }
  return filter;
}

/**
 * The absolute range of a filter at clock time `now` (epoch ms).
 *
 * @example
 * ```ts
 * import { resolveRange } from "./filter.ts";
 * resolveRange({ last: 60_000, topics: [] }, 1_000_000); // { from: 940000, to: 1000000 }
 * ```
 */
export function resolveRange(filter: Filter, now: number): TimeRange {
  if (filter.last !== undefined) return { from: now - filter.last, to: now };
  return { from: filter.from, to: filter.to };
}

/** Whether a filter restricts time at all. */
export function hasRange(filter: Filter): boolean {
  return filter.last !== undefined || filter.from !== undefined || filter.to !== undefined;
}

/**
 * A canonical text of a filter: equal filters give equal keys (views are built once per key).
 *
 * @example
 * ```ts
 * import { filterKey, parseFilter } from "./filter.ts";
 * filterKey(parseFilter(new URLSearchParams("topics=orders,clickstream"))) ===
 *   filterKey(parseFilter(new URLSearchParams("topics=clickstream,orders"))); // true
 * ```
 */
export function filterKey(filter: Filter): string {
  return [filter.from ?? "", filter.to ?? "", filter.last ?? "", filter.topics.join(",")].join("|");
}

/** The filter as query parameters (the inverse of {@linkcode parseFilter}). */
export function filterParams(filter: Filter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.from !== undefined) params.set("from", new Date(filter.from).toISOString());
  if (filter.to !== undefined) params.set("to", new Date(filter.to).toISOString());
  if (filter.last !== undefined) {
    const [unit, size] = Object.entries(UNIT_MS).reverse().find(([, ms]) =>
      filter.last! % ms === 0
    )!;
    params.set("last", `${filter.last / size}${unit}`);
  }
  if (filter.topics.length < TOPICS.length) params.set("topics", filter.topics.join(","));
  return params;
}
