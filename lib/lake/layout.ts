/**
 * The raw lake layout, as the Confluent Azure Blob / ADLS Gen2 sink connectors write it, so that
 * either our sink or the managed connector can feed the lake:
 *
 * `topics/<topic>/year=YYYY/month=MM/day=dd/hour=HH/<topic>+<partition>+<startOffset:010>.json`
 *
 * JSON lines, one record value per line; the hour comes from the record's `timestamp` field
 * (RecordField extractor), read by the one event-time rule (`lib/schema/event_time.ts`: ISO-8601,
 * wall-clock times in `EVENT_TIME_ZONE`, epoch ms), as a UTC hour; a record without an event time
 * is filed by its Kafka record time, as the connector does. Same offsets in ⇒ same names out, on
 * any host (nothing reads the host's `TZ`).
 *
 * @module
 */
import { DEFAULT_EVENT_TIME_ZONE, parseEventTime } from "../schema/event_time.ts";

/** Where a raw file lives and what it holds. */
export interface RawFile {
  topic: string;
  partition: number;
  startOffset: number;
  /** Start of the hour (UTC, ms since the epoch) the file's records belong to. */
  hour: number;
}

const HOUR = 3_600_000;

/** The start of the UTC hour holding `ms`. */
export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * The partition folder of an hour: `year=YYYY/month=MM/day=dd/hour=HH`.
 *
 * @example
 * ```ts
 * import { hourFolder } from "./layout.ts";
 * hourFolder(Date.UTC(2026, 10, 26, 9, 30)); // "year=2026/month=11/day=26/hour=09"
 * ```
 */
export function hourFolder(ms: number): string {
  const d = new Date(ms);
  return `year=${pad(d.getUTCFullYear(), 4)}/month=${pad(d.getUTCMonth() + 1)}/day=${
    pad(d.getUTCDate())
  }/hour=${pad(d.getUTCHours())}`;
}

/**
 * The path of a raw file.
 *
 * @example
 * ```ts
 * import { rawPath } from "./layout.ts";
 * rawPath({ topic: "orders", partition: 2, startOffset: 1500, hour: Date.UTC(2026, 10, 26, 10) });
 * // "topics/orders/year=2026/month=11/day=26/hour=10/orders+2+0000001500.json"
 * ```
 */
export function rawPath(file: RawFile, extension = "json"): string {
  return `topics/${file.topic}/${hourFolder(file.hour)}/${file.topic}+${file.partition}+${
    pad(file.startOffset, 10)
  }.${extension}`;
}

const RAW_PATH =
  /^topics\/([^/]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/([^/+]+)\+(\d+)\+(\d{10,})\.(json|parquet)$/;

/** The UTC hour of a date (`Date.UTC` would read years 0–99 as 1900–1999). */
function utcHour(year: number, month: number, day: number, hour: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour);
  return d.getTime();
}

/**
 * Parses a raw file path; `null` if it does not follow the layout.
 *
 * @example
 * ```ts
 * import { parseRawPath } from "./layout.ts";
 * parseRawPath("topics/orders/year=2026/month=11/day=26/hour=10/orders+2+0000001500.json")?.startOffset; // 1500
 * ```
 */
export function parseRawPath(path: string): RawFile | null {
  const m = RAW_PATH.exec(path);
  if (!m || m[1] !== m[6]) return null;
  return {
    topic: m[1],
    partition: Number(m[7]),
    startOffset: Number(m[8]),
    hour: utcHour(Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])),
  };
}

/** The first and last instants a four-digit `year=` folder can hold. */
const FIRST_MS = Date.parse("0000-01-01T00:00:00.000Z");
const LAST_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** Whether a time falls in the years 0000–9999, which a four-digit `year=` folder holds. */
export function inLayoutRange(ms: number): boolean {
  return ms >= FIRST_MS && ms <= LAST_MS;
}

/**
 * The event time of a record for partitioning: its `timestamp` field read by the event-time rule
 * (wall-clock times in `zone`, default UTC) when that is a time of the years 0000–9999 (what a
 * four-digit `year=` folder holds), else `fallbackMs` (the Kafka record's timestamp).
 *
 * @example
 * ```ts
 * import { recordTime } from "./layout.ts";
 * recordTime({ timestamp: "2026-11-26T10:15:30.123Z" }, 0); // 1795688130123
 * recordTime({ timestamp: "2026-11-26 15:45:30" }, 0, "Asia/Kolkata"); // 1795688130000
 * recordTime({ timestamp: null }, 42); // 42
 * ```
 */
export function recordTime(
  value: unknown,
  fallbackMs: number,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): number {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fallbackMs;
  const ms = parseEventTime((value as { timestamp?: unknown }).timestamp, zone);
  return ms !== null && inLayoutRange(ms) ? ms : fallbackMs;
}
