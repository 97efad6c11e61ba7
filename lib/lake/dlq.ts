/**
 * Which records the raw layer keeps, and the dead-letter record of those it cannot.
 *
 * The raw layer keeps records as produced (nulls, duplicates, unknown fields): a value is kept
 * when it is one line of valid JSON, byte for byte. Anything else goes to `<topic>.dlq` with
 * the headers the Confluent connectors put on their dead-letter records
 * (`errors.deadletterqueue.context.headers.enable=true`), so one DLQ reader serves both.
 *
 * @module
 */
import type { IHeaders, Message } from "kafkajs";
import { DEFAULT_EVENT_TIME_ZONE, parseEventTimeBytes } from "../schema/event_time.ts";
import { recordTime } from "./layout.ts";

/** Header names of a dead-letter record (the Kafka Connect ones). */
export const DLQ_HEADERS = {
  topic: "__connect.errors.topic",
  partition: "__connect.errors.partition",
  offset: "__connect.errors.offset",
  stage: "__connect.errors.stage",
  connector: "__connect.errors.connector.name",
  errorClass: "__connect.errors.exception.class.name",
  message: "__connect.errors.exception.message",
} as const;

/** Why a value cannot be a raw line. */
export interface Rejection {
  /** A short class of error: `EmptyValue`, `InvalidUtf8`, `InvalidJson` or `MultilineJson`. */
  errorClass: "EmptyValue" | "InvalidUtf8" | "InvalidJson" | "MultilineJson";
  /** One line for people. */
  message: string;
}

/** What {@linkcode checkValue} found: the parsed value, or why it is rejected. */
export type ValueCheck = { ok: true; json: unknown } | { ok: false; rejection: Rejection };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const loose = new TextDecoder();

/**
 * Checks that a record value can be a raw line: present, UTF-8, valid JSON, on one line.
 *
 * @example
 * ```ts
 * import { checkValue } from "./dlq.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * checkValue(enc('{"a":null}')).ok; // true
 * const bad = checkValue(enc('{"order_id":"o-1",'));
 * bad.ok ? "" : bad.rejection.errorClass; // "InvalidJson"
 * ```
 */
export function checkValue(value: Uint8Array | null | undefined): ValueCheck {
  if (!value || value.byteLength === 0) {
    return { ok: false, rejection: { errorClass: "EmptyValue", message: "Record has no value" } };
  }
  // The lenient decoder is much faster; only a replacement character calls for the strict one.
  const text = loose.decode(value);
  if (text.includes("\uFFFD")) {
    try {
      utf8.decode(value);
    } catch {
      return {
        ok: false,
        rejection: { errorClass: "InvalidUtf8", message: "Value is not valid UTF-8" },
      };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      rejection: {
        errorClass: "InvalidJson",
        message: `Value is not valid JSON: ${(error as Error).message.split("\n")[0]}`,
      },
    };
  }
  // Raw newlines can only be whitespace between JSON tokens; a JSON-lines file cannot hold them.
  if (text.includes("\n") || text.includes("\r")) {
    return {
      ok: false,
      rejection: {
        errorClass: "MultilineJson",
        message: "Value is JSON spread over several lines; a JSON-lines file needs one",
      },
    };
  }
  return { ok: true, json };
}

/** What {@linkcode checkRecord} found: the record time (UTC ms), or why the value is rejected. */
export type RecordCheck = { ok: true; time: number } | { ok: false; rejection: Rejection };

/**
 * Checks a record value like {@linkcode checkValue} and finds its record time like
 * {@linkcode recordTime} (wall-clock times in `zone`), in one step and mostly without decoding the
 * value: the sink's hot path.
 *
 * Most values are plain ASCII JSON objects; a byte-level scan validates those and reads their
 * top-level `timestamp` (a string or a number) without building objects. Whatever the scan is not sure of
 * (non-ASCII bytes, escapes in the key or the timestamp, a byte-order mark, line breaks, deep
 * nesting, anything invalid) goes through `checkValue` and `recordTime`, which decide: the two
 * paths agree on every value.
 *
 * @example
 * ```ts
 * import { checkRecord } from "./dlq.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * checkRecord(enc('{"timestamp":"2026-11-26T10:15:30.123Z"}'), 0); // { ok: true, time: 1795688130123 }
 * checkRecord(enc('{"timestamp":null}'), 42); // { ok: true, time: 42 }
 * const bad = checkRecord(enc('{"order_id":"o-1",'), 0);
 * bad.ok ? "" : bad.rejection.errorClass; // "InvalidJson"
 * ```
 */
export function checkRecord(
  value: Uint8Array | null | undefined,
  fallbackMs: number,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): RecordCheck {
  if (value && value.byteLength > 0) {
    const time = scanTime(value, fallbackMs, zone);
    if (!Number.isNaN(time)) return { ok: true, time };
  }
  const check = checkValue(value);
  return check.ok ? { ok: true, time: recordTime(check.json, fallbackMs, zone) } : check;
}

// The scanner: a recursive-descent JSON (RFC 8259) validator over bytes. It answers "valid" only
// when sure; `false` means "ask JSON.parse". State lives in module variables: no allocation.
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
/** Span of the last top-level `timestamp` string or number (last wins, as in JSON.parse); -1: none. */
let tsStart = -1;
let tsEnd = -1;
const MAX_DEPTH = 64;
const NO_BYTES = new Uint8Array(0);
/** Bytes that may stand unescaped in a string the scanner accepts: printable ASCII but `"` `\`. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;
const TIMESTAMP = [0x74, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70];

/** The record time of a valid plain value, or NaN when the exact path must decide. */
function scanTime(value: Uint8Array, fallbackMs: number, zone: string): number {
  buf = value;
  pos = 0;
  end = value.byteLength;
  tsStart = tsEnd = -1;
  try {
    skipSpace();
    if (!scanValue(0)) return NaN;
    skipSpace();
    return pos === end ? timeOf(fallbackMs, zone) : NaN;
  } catch {
    return NaN;
  } finally {
    buf = NO_BYTES;
  }
}

/** Spaces and tabs; a line break is left for the exact path (it rejects multiline JSON). */
function skipSpace(): void {
  while (pos < end && (buf[pos] === 0x20 || buf[pos] === 0x09)) pos++;
}

function scanValue(depth: number): boolean {
  if (pos >= end) return false;
  const c = buf[pos];
  if (c === 0x22) return scanString() !== 0;
  if (c === 0x7b) return scanObject(depth + 1);
  if (c === 0x5b) return scanArray(depth + 1);
  if (c === 0x74) return scanWord(0x74, 0x72, 0x75, 0x65, -1); // true
  if (c === 0x66) return scanWord(0x66, 0x61, 0x6c, 0x73, 0x65); // false
  if (c === 0x6e) return scanWord(0x6e, 0x75, 0x6c, 0x6c, -1); // null
  return scanNumber();
}

/** At a `"`: 1 a plain string, 2 one with escapes, 0 not one the scanner accepts. */
function scanString(): number {
  const b = buf;
  let p = pos + 1;
  while (p < end && PLAIN[b[p]] === 1) p++;
  let escaped = 0;
  while (p < end) {
    const c = b[p++];
    if (c === 0x22) {
      pos = p;
      return 1 + escaped;
    }
    if (c === 0x5c) {
      escaped = 1;
      if (p >= end) return 0;
      const e = b[p++];
      if (e === 0x75) {
        if (p + 4 > end) return 0;
        for (const q = p + 4; p < q; p++) {
          const h = b[p];
          const l = h | 0x20;
          if (!((h >= 0x30 && h <= 0x39) || (l >= 0x61 && l <= 0x66))) return 0;
        }
      } else if (
        e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e &&
        e !== 0x72 && e !== 0x74
      ) return 0;
    } else if (PLAIN[c] === 0) return 0;
  }
  return 0;
}

function scanDigits(): boolean {
  const from = pos;
  while (pos < end && buf[pos] >= 0x30 && buf[pos] <= 0x39) pos++;
  return pos > from;
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` */
function scanNumber(): boolean {
  if (buf[pos] === 0x2d) pos++;
  if (pos >= end) return false;
  if (buf[pos] === 0x30) pos++;
  else if (buf[pos] >= 0x31 && buf[pos] <= 0x39) scanDigits();
  else return false;
  if (pos < end && buf[pos] === 0x2e) {
    pos++;
    if (!scanDigits()) return false;
  }
  if (pos < end && (buf[pos] | 0x20) === 0x65) {
    pos++;
    if (pos < end && (buf[pos] === 0x2b || buf[pos] === 0x2d)) pos++;
    if (!scanDigits()) return false;
  }
  return true;
}

/** A 4-byte literal (`e` < 0) or a 5-byte one. */
function scanWord(a: number, b: number, c: number, d: number, e: number): boolean {
  const n = e < 0 ? 4 : 5;
  if (
    pos + n > end || buf[pos] !== a || buf[pos + 1] !== b || buf[pos + 2] !== c ||
    buf[pos + 3] !== d || (n === 5 && buf[pos + 4] !== e)
  ) return false;
  pos += n;
  return true;
}

function scanObject(depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  pos++;
  skipSpace();
  if (pos < end && buf[pos] === 0x7d) {
    pos++;
    return true;
  }
  for (;;) {
    if (pos >= end || buf[pos] !== 0x22) return false;
    const key = pos + 1;
    const kind = scanString();
    if (kind === 0) return false;
    let isTimestamp = false;
    if (depth === 1) {
      if (kind === 2) return false; // an escaped top-level key might spell "timestamp"
      if (pos - 1 - key === TIMESTAMP.length) {
        isTimestamp = true;
        for (let j = 0; j < TIMESTAMP.length; j++) {
          if (buf[key + j] !== TIMESTAMP[j]) isTimestamp = false;
        }
      }
    }
    skipSpace();
    if (pos >= end || buf[pos] !== 0x3a) return false;
    pos++;
    skipSpace();
    if (isTimestamp && pos < end && buf[pos] === 0x22) {
      const from = pos + 1;
      if (scanString() !== 1) return false; // escapes: let JSON.parse read the string
      tsStart = from;
      tsEnd = pos - 1;
    } else {
      const from = pos;
      if (!scanValue(depth)) return false;
      // A number may be epoch ms; anything else (null, an object…) has no event time.
      if (isTimestamp) {
        const c = buf[from];
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) tsStart = from, tsEnd = pos;
        else tsStart = tsEnd = -1;
      }
    }
    skipSpace();
    if (pos >= end) return false;
    const c = buf[pos++];
    if (c === 0x7d) return true;
    if (c !== 0x2c) return false;
    skipSpace();
  }
}

function scanArray(depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  pos++;
  skipSpace();
  if (pos < end && buf[pos] === 0x5d) {
    pos++;
    return true;
  }
  for (;;) {
    if (!scanValue(depth)) return false;
    skipSpace();
    if (pos >= end) return false;
    const c = buf[pos++];
    if (c === 0x5d) return true;
    if (c !== 0x2c) return false;
    skipSpace();
  }
}

/** The time of the scanned `timestamp` by the event-time rule, else `fallbackMs`. */
function timeOf(fallbackMs: number, zone: string): number {
  return tsStart < 0 ? fallbackMs : parseEventTimeBytes(buf, tsStart, tsEnd, zone) ?? fallbackMs;
}

/** The source record of a dead-letter record. */
export interface DlqSource {
  topic: string;
  partition: number;
  offset: number;
  key: Uint8Array | string | null;
  value: Uint8Array | string | null;
  timestamp: string;
  headers?: IHeaders;
}

/**
 * The dead-letter record of a rejected source record: same key, value, timestamp and headers,
 * plus headers naming the error and the source topic, partition and offset.
 *
 * @example
 * ```ts
 * import { DLQ_HEADERS, dlqMessage } from "./dlq.ts";
 * const m = dlqMessage(
 *   { topic: "orders", partition: 2, offset: 41, key: "o-1", value: "oops", timestamp: "0" },
 *   { errorClass: "InvalidJson", message: "Value is not valid JSON" },
 *   "ecom-lake-sink",
 * );
 * m.headers?.[DLQ_HEADERS.offset]; // "41"
 * ```
 */
export function dlqMessage(source: DlqSource, rejection: Rejection, connector: string): Message {
  return {
    key: source.key as Message["key"],
    value: source.value as Message["value"],
    timestamp: source.timestamp,
    headers: {
      ...source.headers,
      [DLQ_HEADERS.topic]: source.topic,
      [DLQ_HEADERS.partition]: String(source.partition),
      [DLQ_HEADERS.offset]: String(source.offset),
      [DLQ_HEADERS.stage]: "VALUE_CONVERTER",
      [DLQ_HEADERS.connector]: connector,
      [DLQ_HEADERS.errorClass]: rejection.errorClass,
      [DLQ_HEADERS.message]: rejection.message,
    },
  };
}
