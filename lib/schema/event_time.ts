/**
 * Event time: the one rule that turns a record's `timestamp` into an instant (epoch ms, UTC).
 * The sink's hourly folders, the real-time windows, NRT's `event_time` column and the Databricks
 * notebooks all read time through this rule (NRT and Spark through its SQL translations in
 * `lib/nrt/event_time.ts` and `databricks/_common.py`, tested to agree with it).
 *
 * Accepted, and nothing else:
 *
 * - **ISO-8601 with a zone designator**: `YYYY-MM-DDTHH:MM:SS[.f…]` followed by `Z` or an offset
 *   `±HH:MM` (or `±HHMM`); `t`/`z` and a space instead of `T` are accepted too;
 * - **wall-clock time**: the same without a designator, e.g. `2026-11-26 10:15:30` as the original
 *   producers wrote it (`datetime.now()`), read in the zone `EVENT_TIME_ZONE` (an IANA name,
 *   default `UTC`);
 * - **epoch milliseconds**: a JSON number, or a string holding one (`1795688130123`), whose value
 *   is a whole number of milliseconds. A JSON-lines reader with a string column cannot tell
 *   `1795688130123` from `"1795688130123"`, so neither does this rule.
 *
 * Fields must be in range: year 0001–9999, a real calendar day (Gregorian leap years), hour
 * 00–23, minute and second 00–59 (no leap second, no `24:00`), offset hours 00–23; and the
 * instant must fall within 0001-01-01T00:00:00Z–9999-12-31T23:59:59.999Z (the lake's folders
 * have four-digit years). Fractions of 1–9 digits are cut (not rounded) to milliseconds.
 * Anything else — another format, a date that does not exist, `null`, a boolean, an object —
 * has no event time: `null`.
 *
 * A wall-clock time that a daylight-saving change makes ambiguous is read as the earlier instant
 * (the offset before the change); one that does not exist (skipped by a change) is moved forward
 * by the length of the gap (`02:30` on a spring-forward night is `03:30` in the new offset). This
 * is what `java.time` (so Spark) and the Temporal proposal ("compatible") do.
 *
 * Nothing here reads the host's time zone (`TZ`): results are the same on every machine.
 *
 * @module
 */

/** The default of `EVENT_TIME_ZONE`. */
export const DEFAULT_EVENT_TIME_ZONE = "UTC";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The first accepted instant, 0001-01-01T00:00:00.000Z (epoch ms). */
export const MIN_EVENT_TIME = -62135596800000;
/** The last accepted instant, 9999-12-31T23:59:59.999Z (epoch ms): four-digit years only. */
export const MAX_EVENT_TIME = 253402300799999;

/** The instant if it is within the accepted range, else null. */
function inRange(ms: number): number | null {
  return ms >= MIN_EVENT_TIME && ms <= MAX_EVENT_TIME ? ms + 0 : null;
}

/** `YYYY-MM-DD[Tt ]HH:MM:SS[.f{1,9}][Zz|±HH[:]MM]` */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
/** A JSON number's shape. */
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** What an IANA time zone name looks like (no offsets such as `+05:30`). */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (year ≥ 1), in integer arithmetic whose
 * intermediate values stay non-negative: the SQL translations use the same steps.
 *
 * @example
 * ```ts
 * import { daysFromCivil } from "./event_time.ts";
 * daysFromCivil(1970, 1, 1); // 0
 * daysFromCivil(2026, 11, 26); // 20783
 * ```
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days in a month of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The wall-clock time as if it were UTC (ms), or NaN when a field is out of range.
 * `fraction` holds 0–9 digits.
 */
function wallMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string,
): number {
  if (
    year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hour > 23 || minute > 59 || second > 59
  ) return NaN;
  const ms = fraction === "" ? 0 : Number((fraction + "00").slice(0, 3));
  return daysFromCivil(year, month, day) * DAY + hour * HOUR + minute * 60_000 + second * 1000 + ms;
}

/**
 * The event time of a record's `timestamp` value (see the module doc), epoch ms; `null` when it
 * has none. `zone` is an IANA name (default UTC), used for wall-clock times only.
 *
 * @example
 * ```ts
 * import { parseEventTime } from "./event_time.ts";
 * parseEventTime("2026-11-26T10:15:30.123Z"); // 1795688130123
 * parseEventTime("2026-11-26T15:45:30.123+05:30"); // 1795688130123
 * parseEventTime("2026-11-26 15:45:30", "Asia/Kolkata"); // 1795688130000
 * parseEventTime(1795688130123); // 1795688130123
 * parseEventTime("2026-02-30 10:00:00"); // null: no such day
 * parseEventTime(null); // null
 * ```
 */
export function parseEventTime(
  value: unknown,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): number | null {
  if (typeof value === "string") return parseEventTimeText(value, zone);
  if (typeof value === "number") return epochMs(value);
  return null;
}

function epochMs(n: number): number | null {
  return Number.isInteger(n) ? inRange(n) : null;
}

/**
 * {@linkcode parseEventTime} of a string. The common shape, `YYYY-MM-DDTHH:MM:SS.sssZ`, takes a
 * fast path that builds no intermediate strings.
 *
 * @example
 * ```ts
 * import { parseEventTimeText } from "./event_time.ts";
 * parseEventTimeText("1795688130123"); // 1795688130123
 * parseEventTimeText("26/11/2026 10:15"); // null
 * ```
 */
export function parseEventTimeText(
  text: string,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): number | null {
  if (text.length === 24 && text.charCodeAt(23) === 0x5a) {
    const fast = isoZ(text);
    if (!Number.isNaN(fast)) return fast;
  } else if (text.length === 19) {
    const fast = wallClock(text, zone);
    if (!Number.isNaN(fast)) return inRange(fast);
  }
  return parseSlow(text, zone);
}

/** {@linkcode parseEventTimeText} by the regular expressions: any shape the rule accepts. */
function parseSlow(text: string, zone: string): number | null {
  const m = DATE_TIME.exec(text);
  if (m === null) {
    return NUMBER.test(text) ? epochMs(Number(text)) : null;
  }
  const wall = wallMs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], m[7] ?? "");
  if (Number.isNaN(wall)) return null;
  if (m[8] !== undefined) return wall;
  if (m[9] !== undefined) {
    const hours = +m[10], minutes = +m[11];
    if (hours > 23 || minutes > 59) return null;
    const offset = (hours * 60 + minutes) * 60_000;
    return inRange(m[9] === "+" ? wall - offset : wall + offset);
  }
  return inRange(wallTimeToInstant(wall, zone));
}

const digit = (text: string, i: number) => text.charCodeAt(i) - 0x30;
const two = (text: string, i: number) => {
  const a = digit(text, i), b = digit(text, i + 1);
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
};

/**
 * The minute the fast paths read last, per shape: its text (`YYYY-MM-DD?HH:MM`), the zone (wall
 * clock only) and its first instant. Neighbouring events share their minute, so the next one
 * only reads its seconds. A minute is kept only where its 60 seconds follow one offset.
 */
const isoMinute = { prefix: "", at: NaN };
const wallMinute = { prefix: "", zone: "", at: NaN };
const MINUTE_PREFIX = 16;

/** Seconds (`:SS` at 16) past the minute, in ms; NaN when not that. */
function secondsMs(text: string): number {
  const s = text.charCodeAt(16) === 0x3a ? two(text, 17) : NaN;
  return s <= 59 ? s * 1000 : NaN;
}

/** The milliseconds (`.sss` at 19) of an ISO time; NaN when not that. */
function fractionMs(text: string): number {
  const last = digit(text, 22);
  return text.charCodeAt(19) === 0x2e && last >= 0 && last <= 9 ? two(text, 20) * 10 + last : NaN;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` read without a regular expression; NaN when it is not that. */
function isoZ(text: string): number {
  if (text.startsWith(isoMinute.prefix) && isoMinute.prefix !== "") {
    const at = isoMinute.at + secondsMs(text) + fractionMs(text);
    if (!Number.isNaN(at)) return at;
  }
  const t = isoZFields(text);
  if (!Number.isNaN(t)) {
    isoMinute.prefix = text.slice(0, MINUTE_PREFIX);
    isoMinute.at = Math.floor(t / 60_000) * 60_000;
  }
  return t;
}

/**
 * The original producers' `YYYY-MM-DD HH:MM:SS` in `zone`, without a regular expression; NaN
 * when it is not that. The result is not range-checked.
 */
function wallClock(text: string, zone: string): number {
  const m = wallMinute;
  if (m.zone === zone && m.prefix !== "" && text.startsWith(m.prefix)) {
    const at = m.at + secondsMs(text);
    if (!Number.isNaN(at)) return at;
  }
  const wall = wallSeconds(text);
  if (Number.isNaN(wall)) return NaN;
  const instant = wallTimeToInstant(wall, zone);
  const first = wallTimeToInstant(wall - secondsMs(text), zone);
  // Only a minute without an offset change inside reads as its first instant plus seconds.
  if (wallTimeToInstant(wall - secondsMs(text) + 59_000, zone) === first + 59_000) {
    m.prefix = text.slice(0, MINUTE_PREFIX);
    m.zone = zone;
    m.at = first;
  } else m.prefix = "";
  return instant;
}

function isoZFields(text: string): number {
  if (
    text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a || text.charCodeAt(19) !== 0x2e
  ) return NaN;
  const year = two(text, 0) * 100 + two(text, 2);
  const ms = fractionMs(text);
  if (Number.isNaN(year) || Number.isNaN(ms)) return NaN;
  const wall = wallMs(
    year,
    two(text, 5),
    two(text, 8),
    two(text, 11),
    two(text, 14),
    two(text, 17),
    "",
  );
  // A NaN field makes wallMs's range checks false, so check the result, not each field.
  return Number.isNaN(wall) ? NaN : wall + ms;
}

/** `YYYY-MM-DD[ Tt]HH:MM:SS` as wall ms read without a regular expression; NaN otherwise. */
function wallSeconds(text: string): number {
  const sep = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d ||
    (sep !== 0x20 && sep !== 0x54 && sep !== 0x74) || text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a
  ) return NaN;
  const year = two(text, 0) * 100 + two(text, 2);
  // Any non-digit made a field NaN, and wallMs answers NaN for it.
  return wallMs(year, two(text, 5), two(text, 8), two(text, 11), two(text, 14), two(text, 17), "");
}

/**
 * The event time of a `timestamp` string held as ASCII bytes `bytes[start, end)` (a JSON string's
 * content without escapes): the sink's hot path, the same result as {@linkcode parseEventTimeText}
 * without decoding the common shape to a string.
 *
 * @example
 * ```ts
 * import { parseEventTimeBytes } from "./event_time.ts";
 * const bytes = new TextEncoder().encode('"2026-11-26 10:15:30"');
 * parseEventTimeBytes(bytes, 1, bytes.length - 1, "UTC"); // 1795688130000
 * ```
 */
export function parseEventTimeBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): number | null {
  if (end - start === 24 && bytes[start + 23] === 0x5a) {
    const fast = isoZBytes(bytes, start);
    if (!Number.isNaN(fast)) return fast;
  }
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return parseEventTimeText(text, zone);
}

function isoZBytes(b: Uint8Array, s: number): number {
  if (
    b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 10] !== 0x54 || b[s + 13] !== 0x3a ||
    b[s + 16] !== 0x3a || b[s + 19] !== 0x2e
  ) return NaN;
  let ok = true;
  const d = (i: number) => {
    const v = b[s + i] - 0x30;
    if (v < 0 || v > 9) ok = false;
    return v;
  };
  const t = (i: number) => d(i) * 10 + d(i + 1);
  const year = t(0) * 100 + t(2);
  const month = t(5), day = t(8), hour = t(11), minute = t(14), second = t(17);
  const ms = t(20) * 10 + d(22);
  if (!ok) return NaN;
  const wall = wallMs(year, month, day, hour, minute, second, "");
  return Number.isNaN(wall) ? NaN : wall + ms;
}

// ---- Time zones ------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Checks an IANA time zone name and returns it spelled as IANA does (`utc` → `UTC`); throws a
 * RangeError naming the value when it is not one. Offsets such as `+05:30` are not zone names.
 *
 * @example
 * ```ts
 * import { checkTimeZone } from "./event_time.ts";
 * checkTimeZone("Asia/Kolkata"); // "Asia/Kolkata"
 * try { checkTimeZone("Mars/Olympus"); } catch (e) { if (!(e instanceof RangeError)) throw e; }
 * ```
 */
export function checkTimeZone(zone: string): string {
  if (!ZONE_NAME.test(zone)) {
    throw new RangeError(`Not an IANA time zone name (e.g. UTC, Europe/Berlin): '${zone}'`);
  }
  try {
    // Temporal keeps the name as given (Asia/Kolkata stays Asia/Kolkata, where Intl answers
    // its legacy alias) and only fixes the case; the formatter must take it too.
    const name = Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone).timeZoneId;
    formatter(name);
    return name;
  } catch (error) {
    throw new RangeError(`Unknown time zone: '${zone}'`, { cause: error });
  }
}

/** Zones whose offset is 0 at every instant: no look-up needed. */
const ALWAYS_UTC = new Set(["UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu"]);
/** Offsets cached per zone and UTC hour (a zone changes offset at most once in an hour). */
const offsets = new Map<string, Map<number, number>>();
const MAX_CACHED_HOURS = 100_000;

/** The offset (ms) of `zone` at `instant`, from the platform's time zone data. */
function lookUpOffset(instant: number, zone: string): number {
  const second = Math.floor(instant / 1000) * 1000;
  const parts = formatter(zone).formatToParts(second);
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, sec = 0, bc = false;
  for (const p of parts) {
    switch (p.type) {
      case "year":
        year = +p.value;
        break;
      case "month":
        month = +p.value;
        break;
      case "day":
        day = +p.value;
        break;
      case "hour":
        hour = +p.value;
        break;
      case "minute":
        minute = +p.value;
        break;
      case "second":
        sec = +p.value;
        break;
      case "era":
        bc = p.value === "BC" || p.value === "B";
    }
  }
  if (bc) year = 1 - year;
  const local = daysFromCivilAny(year, month, day) * DAY + hour * HOUR + minute * 60_000 +
    sec * 1000;
  return local - second;
}

/** {@linkcode daysFromCivil} for any year (year 0 and before too). */
function daysFromCivilAny(year: number, month: number, day: number): number {
  const shift = year < 1 ? Math.ceil((1 - year) / 400) * 400 : 0;
  return daysFromCivil(year + shift, month, day) - shift / 400 * 146097;
}

/**
 * The UTC offset of `zone` at `instant` (epoch ms), in ms (e.g. 19800000 for +05:30).
 *
 * @example
 * ```ts
 * import { zoneOffset } from "./event_time.ts";
 * zoneOffset(Date.UTC(2026, 6, 1), "Europe/Berlin"); // 7200000
 * zoneOffset(Date.UTC(2026, 0, 1), "Europe/Berlin"); // 3600000
 * ```
 */
export function zoneOffset(instant: number, zone: string): number {
  if (ALWAYS_UTC.has(zone)) return 0;
  let cache = offsets.get(zone);
  if (cache === undefined) offsets.set(zone, cache = new Map());
  const bucket = Math.floor(instant / HOUR);
  const hit = cache.get(bucket);
  if (hit !== undefined) return hit;
  const first = lookUpOffset(bucket * HOUR, zone);
  const last = lookUpOffset(bucket * HOUR + HOUR - 1000, zone);
  // A change inside this hour: answer exactly and cache nothing.
  if (first !== last) return lookUpOffset(instant, zone);
  if (cache.size >= MAX_CACHED_HOURS) cache.clear();
  cache.set(bucket, first);
  return first;
}

/**
 * The instant (epoch ms) of a wall-clock time in `zone`, the wall time given as if it were UTC
 * (`Date.UTC(...)` of its fields). Ambiguous times take the earlier instant; skipped ones move
 * forward by the gap (see the module doc).
 *
 * @example
 * ```ts
 * import { wallTimeToInstant } from "./event_time.ts";
 * // 02:30 happens twice in Berlin on 2026-10-25: the first one (summer time) is taken.
 * wallTimeToInstant(Date.UTC(2026, 9, 25, 2, 30), "Europe/Berlin") === Date.UTC(2026, 9, 25, 0, 30); // true
 * // 02:30 does not exist on 2026-03-29: it reads as 03:30 summer time.
 * wallTimeToInstant(Date.UTC(2026, 2, 29, 2, 30), "Europe/Berlin") === Date.UTC(2026, 2, 29, 1, 30); // true
 * ```
 */
export function wallTimeToInstant(wall: number, zone: string): number {
  if (ALWAYS_UTC.has(zone)) return wall;
  const before = zoneOffset(wall - DAY, zone);
  const after = zoneOffset(wall + DAY, zone);
  const early = wall - before;
  if (before === after) return early;
  const late = wall - after;
  const earlyFits = zoneOffset(early, zone) === before;
  const lateFits = zoneOffset(late, zone) === after;
  if (earlyFits && lateFits) return Math.min(early, late);
  if (lateFits && !earlyFits) return late;
  return early;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * An instant as the wall-clock text the original producers wrote, `YYYY-MM-DD HH:MM:SS`, in
 * `zone` (seconds cut, not rounded).
 *
 * @example
 * ```ts
 * import { formatWallTime } from "./event_time.ts";
 * formatWallTime(1795688130123, "UTC"); // "2026-11-26 10:15:30"
 * formatWallTime(1795688130123, "Asia/Kolkata"); // "2026-11-26 15:45:30"
 * ```
 */
export function formatWallTime(instant: number, zone: string = DEFAULT_EVENT_TIME_ZONE): string {
  const d = new Date(instant + zoneOffset(instant, zone));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${
    pad(d.getUTCHours())
  }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
