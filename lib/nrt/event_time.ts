/**
 * The event-time rule of `lib/schema/event_time.ts`, in DuckDB SQL: the one place NRT parses a
 * `timestamp`. It is installed as SQL macros (`installEventTime`), so every query says
 * `event_time_ms("timestamp")` (epoch ms or NULL) or `event_time("timestamp")` (TIMESTAMPTZ or
 * NULL), with the configured `EVENT_TIME_ZONE` baked in. The steps mirror the TypeScript ones
 * (the same regular expressions, day arithmetic and daylight-saving rule), and a test runs both
 * over the same inputs (`tests/nrt/event_time_test.ts`); `databricks/_common.py` holds the Spark
 * version.
 *
 * Zone offsets come from DuckDB's ICU time zone data (`timezone(zone, instant)`), never from the
 * session's time zone, which `NrtDb` pins to UTC anyway.
 *
 * @module
 */
import { MAX_EVENT_TIME, MIN_EVENT_TIME } from "../schema/event_time.ts";
import { type NrtDb, sqlString } from "./db.ts";

/** The regular expressions of the rule (RE2 syntax, the same as the TypeScript ones). */
const DATE_TIME = String
  .raw`(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?`;
const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`;
const PARTS = ["y", "mo", "d", "h", "mi", "s", "f", "z", "sign", "oh", "om"];

/** Zones whose offset is always 0 (as in `lib/schema/event_time.ts`). */
const ALWAYS_UTC = new Set(["UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu"]);

/**
 * The statements that define the event-time macros for `zone` (an IANA name, already checked):
 * `event_time_ms(ts VARCHAR) → BIGINT` and `event_time(ts VARCHAR) → TIMESTAMPTZ`, plus helpers
 * named `_et_*`.
 *
 * Macros are expanded as text, so a value used several times is bound once with a one-element
 * `list_transform` (a lambda) rather than computed again. The two shapes nearly every record has,
 * `YYYY-MM-DDTHH:MM:SS.sssZ` and `YYYY-MM-DD HH:MM:SS`, are recognised without a regular
 * expression (`GLOB`) and read by DuckDB's own timestamp cast, which checks the calendar the same
 * way (an hour of 24, which the cast would roll over, is refused first).
 *
 * @example
 * ```ts
 * import { eventTimeMacros } from "./event_time.ts";
 * eventTimeMacros("Europe/Berlin").includes("CREATE OR REPLACE MACRO event_time_ms"); // true
 * ```
 */
export function eventTimeMacros(zone: string): string {
  const z = sqlString(zone);
  const utc = ALWAYS_UTC.has(zone);
  // The offset of the zone at an instant, from ICU (whole seconds, as the zone data holds them).
  const offset = utc
    ? "0"
    : `epoch_ms(timezone(${z}, to_timestamp(floor(t / 1000.0)))) - floor(t / 1000.0)::BIGINT * 1000`;
  // A wall time as an instant: ambiguous → the earlier instant, skipped → moved by the gap.
  const fromWall = utc ? "w" : `list_transform([w], w -> list_transform(
      [[_et_offset(w - 86400000), _et_offset(w + 86400000)]], o -> CASE
        WHEN o[1] = o[2] THEN w - o[1]
        WHEN _et_offset(w - o[1]) = o[1] AND _et_offset(w - o[2]) = o[2]
          THEN least(w - o[1], w - o[2])
        WHEN _et_offset(w - o[2]) = o[2] THEN w - o[2]
        ELSE w - o[1] END)[1])[1]`;
  // The two common shapes, by GLOB (much cheaper than a regular expression): digits where
  // digits go, separators in place. DuckDB's cast reads both (the `Z` too) and checks the calendar.
  const D = "[0-9]";
  const date = `${D}${D}${D}${D}-${D}${D}-${D}${D}`, time = `${D}${D}:${D}${D}:${D}${D}`;
  const isoZ = `ts GLOB '${date}T${time}.${D}${D}${D}Z'`;
  const wall = `ts GLOB '${date} ${time}'`;
  const cast = `CASE WHEN substr(ts, 12, 2) < '24' THEN epoch_ms(try_cast(ts AS TIMESTAMP)) END`;
  return `
    CREATE OR REPLACE MACRO _et_range(x) AS list_transform([x], v ->
      CASE WHEN v BETWEEN ${MIN_EVENT_TIME} AND ${MAX_EVENT_TIME} THEN v END)[1];
    CREATE OR REPLACE MACRO _et_offset(t) AS ${offset};
    CREATE OR REPLACE MACRO _et_from_wall(w) AS ${fromWall};
    CREATE OR REPLACE MACRO _et_days(y, mo, d) AS
      ((y - CASE WHEN mo <= 2 THEN 1 ELSE 0 END) // 400) * 146097
      + ((y - CASE WHEN mo <= 2 THEN 1 ELSE 0 END) % 400) * 365
      + ((y - CASE WHEN mo <= 2 THEN 1 ELSE 0 END) % 400) // 4
      - ((y - CASE WHEN mo <= 2 THEN 1 ELSE 0 END) % 400) // 100
      + (153 * ((mo + 9) % 12) + 2) // 5 + d - 1 - 719468;
    CREATE OR REPLACE MACRO _et_wall(f, ms) AS CASE
      WHEN f[1] >= 1 AND f[2] BETWEEN 1 AND 12 AND f[4] <= 23 AND f[5] <= 59 AND f[6] <= 59
        AND f[3] >= 1 AND f[3] <= CASE WHEN f[2] = 2 THEN
          CASE WHEN (f[1] % 4 = 0 AND f[1] % 100 <> 0) OR f[1] % 400 = 0 THEN 29 ELSE 28 END
        WHEN f[2] IN (4, 6, 9, 11) THEN 30 ELSE 31 END
      THEN _et_days(f[1], f[2], f[3])::BIGINT * 86400000
        + f[4] * 3600000 + f[5] * 60000 + f[6] * 1000 + ms END;
    CREATE OR REPLACE MACRO _et_zone(p, w) AS CASE
      WHEN p.z <> '' THEN w
      WHEN p.sign <> '' THEN CASE WHEN p.oh::INT <= 23 AND p.om::INT <= 59 THEN _et_range(
        w - CASE WHEN p.sign = '+' THEN 1 ELSE -1 END * (p.oh::INT * 60 + p.om::INT) * 60000) END
      ELSE _et_range(_et_from_wall(w)) END;
    CREATE OR REPLACE MACRO _et_general(ts) AS list_transform(
      [regexp_extract(ts, '^${DATE_TIME}$', [${PARTS.map(sqlString).join(", ")}])],
      p -> list_transform([_et_wall(
        [p.y::INT, p.mo::INT, p.d::INT, p.h::INT, p.mi::INT, p.s::INT],
        CASE WHEN p.f = '' THEN 0 ELSE rpad(left(p.f, 3), 3, '0')::INT END)],
        w -> _et_zone(p, w))[1])[1];
    CREATE OR REPLACE MACRO _et_number(ts) AS list_transform([try_cast(ts AS DOUBLE)], x ->
      CASE WHEN x = floor(x) THEN _et_range(x)::BIGINT END)[1];
    CREATE OR REPLACE MACRO event_time_ms(ts) AS CASE
      WHEN ts IS NULL THEN NULL
      WHEN ${isoZ} THEN _et_range(${cast})
      WHEN ${wall} THEN _et_range(_et_from_wall(${cast}))
      WHEN regexp_full_match(ts, '${DATE_TIME}') THEN _et_general(ts)
      WHEN regexp_full_match(ts, '${NUMBER}') THEN _et_number(ts)
      END;
    CREATE OR REPLACE MACRO event_time(ts) AS timezone('UTC', epoch_ms(event_time_ms(ts)));`;
}

/**
 * Installs the event-time macros for `zone` in the database (replacing earlier ones): run it
 * after opening a database, before any query that reads event time.
 */
export async function installEventTime(db: NrtDb, zone: string): Promise<void> {
  await db.run(eventTimeMacros(zone));
}
