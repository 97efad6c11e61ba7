/**
 * Which records the raw layer keeps, and the dead-letter record of those it cannot.
 *
 * The raw layer keeps records as produced (nulls, duplicates, unknown fields, wrong field types):
 * a value is kept, byte for byte, when it passes the raw validity rule (`lib/schema/raw.ts`: UTF-8,
 * JSON, an object, one line, under the size limit). Anything else goes to `<topic>.dlq` with the
 * headers the Confluent connectors put on their dead-letter records
 * (`errors.deadletterqueue.context.headers.enable=true`), so one DLQ reader serves both. Dead
 * letters are sized to fit the DLQ topic's `max.message.bytes` ({@linkcode fitMessage},
 * {@linkcode splitSends}).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { IHeaders, Message } from "kafkajs";
import { scanned, scanPlainObject } from "../schema/_json_scan.ts";
import { parseRaw, RAW_DEFAULTS, type RawOptions, type RawRejection } from "../schema/raw.ts";
import { DEFAULT_EVENT_TIME_ZONE, parseEventTimeBytes } from "../schema/event_time.ts";
import { inLayoutRange, recordTime } from "../lake/layout.ts";

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

/** Why a value cannot be a raw line (the raw validity rule's rejection). */
export type Rejection = RawRejection;

/** What {@linkcode checkRecord} found: the record time (UTC ms), or why the value is rejected. */
export type RecordCheck = { ok: true; time: number } | { ok: false; rejection: Rejection };

/** Options of {@linkcode checkRecord}: the raw rule's, and the zone of wall-clock times. */
export interface CheckRecordOptions extends RawOptions {
  /** The zone of wall-clock timestamps (`EVENT_TIME_ZONE`). @default "UTC" */
  zone?: string;
}

/**
 * Checks a record value with the raw validity rule (`lib/schema/raw.ts`) and finds its record
 * time like {@linkcode recordTime} (the event-time rule, wall-clock times in `zone`), in one step
 * and mostly without decoding the value: the sink's hot path.
 *
 * Most values are plain ASCII JSON objects; the byte scanner validates those and finds their
 * top-level `timestamp` (a string or a number) without building strings or objects. Whatever it
 * is not sure of goes through `parseRaw` and `recordTime`, which decide: the two paths agree on
 * every value.
 *
 * @example
 * ```ts
 * import { checkRecord } from "./dlq.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * checkRecord(enc('{"timestamp":"2026-11-26T10:15:30.123Z"}'), 0); // { ok: true, time: 1795688130123 }
 * checkRecord(enc('{"timestamp":"2026-11-26 10:15:30"}'), 0, { zone: "Asia/Kolkata" }).ok; // true
 * checkRecord(enc('{"timestamp":null}'), 42); // { ok: true, time: 42 }
 * const bad = checkRecord(enc('{"order_id":"o-1",'), 0);
 * bad.ok ? "" : bad.rejection.errorClass; // "InvalidJson"
 * ```
 */
export function checkRecord(
  value: Uint8Array | null | undefined,
  fallbackMs: number,
  options: CheckRecordOptions = {},
): RecordCheck {
  const maxBytes = options.maxBytes ?? RAW_DEFAULTS.maxBytes;
  const zone = options.zone ?? DEFAULT_EVENT_TIME_ZONE;
  if (value && value.byteLength > 0 && value.byteLength <= maxBytes && scanPlainObject(value)) {
    const { tsStart, tsEnd } = scanned;
    if (tsStart < 0) return { ok: true, time: fallbackMs };
    const ms = parseEventTimeBytes(value, tsStart, tsEnd, zone);
    return { ok: true, time: ms !== null && inLayoutRange(ms) ? ms : fallbackMs };
  }
  const check = parseRaw(value, options);
  return check.ok ? { ok: true, time: recordTime(check.record, fallbackMs, zone) } : check;
}

/** The source record of a dead-letter record. */
export interface DlqSource {
  topic: string;
  partition: number;
  offset: number;
  key: Uint8Array | string | null;
  value: Uint8Array | string | null;
  timestamp: string;
  /** As kafkajs decodes them: values may be bytes, text, lists of them, or null. */
  headers?: IHeaders | Record<string, unknown>;
}

/** Header values as a record carries them: bytes, text, or null (a header without value). */
type HeaderValue = Buffer | string;

/** A copy of a header value: bytes copied (so no fetch buffer is held), null as empty. */
function copyHeaderValue(value: unknown, nulls: Set<string>, name: string): HeaderValue {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value === null || value === undefined) {
    nulls.add(name);
    return Buffer.alloc(0);
  }
  return String(value);
}

/**
 * The dead-letter record of a rejected source record: same key, value, timestamp and headers,
 * plus headers naming the error and the source topic, partition and offset.
 *
 * Any source headers are copied safely: binary values byte for byte, lists value by value, and a
 * header without a value (null, which kafkajs cannot send) as an empty value, its name listed in
 * {@linkcode DLQ_EXTRA_HEADERS.nullHeaders}. Source headers that carry the dead-letter headers'
 * names are replaced by ours. Key and value are copied too, so a pending dead letter never
 * holds on to the fetch response it came in.
 *
 * @example
 * ```ts
 * import { DLQ_HEADERS, dlqMessage } from "./dlq.ts";
 * const m = dlqMessage(
 *   { topic: "orders", partition: 2, offset: 41, key: "o-1", value: "oops", timestamp: "0",
 *     headers: { trace: null } },
 *   { errorClass: "InvalidJson", message: "Value is not valid JSON" },
 *   "ecom-lake-sink",
 * );
 * m.headers?.[DLQ_HEADERS.offset]; // "41"
 * ```
 */
export function dlqMessage(source: DlqSource, rejection: Rejection, connector: string): Message {
  const headers: Record<string, HeaderValue | HeaderValue[]> = {};
  // defineProperty: a header named `__proto__` is a header like any other, not a prototype.
  const set = (name: string, value: HeaderValue | HeaderValue[]) =>
    Object.defineProperty(headers, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  const nulls = new Set<string>();
  const ours: Record<string, string> = {
    [DLQ_HEADERS.topic]: source.topic,
    [DLQ_HEADERS.partition]: String(source.partition),
    [DLQ_HEADERS.offset]: String(source.offset),
    [DLQ_HEADERS.stage]: "VALUE_CONVERTER",
    [DLQ_HEADERS.connector]: connector,
    [DLQ_HEADERS.errorClass]: rejection.errorClass,
    [DLQ_HEADERS.message]: rejection.message,
  };
  for (const name of Object.keys(source.headers ?? {})) {
    if (name in ours || Object.values(DLQ_EXTRA_HEADERS).includes(name as never)) continue;
    const value = (source.headers as Record<string, unknown>)[name];
    set(
      name,
      Array.isArray(value)
        ? value.map((v) => copyHeaderValue(v, nulls, name))
        : copyHeaderValue(value, nulls, name),
    );
  }
  for (const [name, value] of Object.entries(ours)) set(name, value);
  if (nulls.size > 0) set(DLQ_EXTRA_HEADERS.nullHeaders, JSON.stringify([...nulls]));
  const copy = (v: Uint8Array | string | null) =>
    v === null || typeof v === "string" ? v : Buffer.from(v);
  return {
    key: copy(source.key),
    value: copy(source.value),
    timestamp: source.timestamp,
    headers: headers as IHeaders,
  };
}

/** Headers of our own on a dead letter, beyond the Kafka Connect ones. */
export const DLQ_EXTRA_HEADERS = {
  /** JSON list of source header names whose value was null (sent as empty values). */
  nullHeaders: "ecom.dlq.null-headers",
  /** Set when the value was cut to fit the DLQ topic: the source value's size in bytes. */
  truncatedFrom: "ecom.dlq.truncated-from-bytes",
} as const;

/** Bytes of a key, value or header value as it goes on the wire. */
function byteSize(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "string") return Buffer.byteLength(v);
  return (v as Uint8Array).byteLength ?? String(v).length;
}

/** Bytes a Kafka record batch needs beyond its records (61), with room to spare. */
const BATCH_OVERHEAD = 128;

/**
 * An upper bound of the bytes a message takes in a record batch (key, value, headers and the
 * varints around them).
 *
 * @example
 * ```ts
 * import { messageBytes } from "./dlq.ts";
 * messageBytes({ key: "k", value: "vv", headers: { a: "b" } }) > 4; // true
 * ```
 */
export function messageBytes(message: Message): number {
  let size = 32 + byteSize(message.key) + byteSize(message.value);
  const headers = (message.headers ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(headers)) {
    const values = Array.isArray(headers[name]) ? headers[name] as unknown[] : [headers[name]];
    for (const v of values) size += 10 + Buffer.byteLength(name) + byteSize(v);
  }
  return size;
}

/**
 * The message itself when it fits a record batch of `maxBytes` (the DLQ topic's
 * `max.message.bytes`), else a copy whose value is cut to fit, marked with
 * {@linkcode DLQ_EXTRA_HEADERS.truncatedFrom} (the source record keeps the whole value: its
 * topic, partition and offset are in the headers).
 *
 * @example
 * ```ts
 * import { DLQ_EXTRA_HEADERS, fitMessage, messageBytes } from "./dlq.ts";
 * const cut = fitMessage({ key: null, value: "x".repeat(5000) }, 1024);
 * messageBytes(cut) <= 1024 - 128; // true
 * cut.headers?.[DLQ_EXTRA_HEADERS.truncatedFrom]; // "5000"
 * ```
 */
export function fitMessage(message: Message, maxBytes: number): Message {
  const room = maxBytes - BATCH_OVERHEAD;
  const size = messageBytes(message);
  if (size <= room) return message;
  const value = typeof message.value === "string"
    ? Buffer.from(message.value)
    : (message.value ?? Buffer.alloc(0)) as Buffer;
  const marker = { [DLQ_EXTRA_HEADERS.truncatedFrom]: String(value.byteLength) };
  const headers = { ...(message.headers ?? {}), ...marker };
  const withoutValue = messageBytes({ ...message, value: null, headers });
  if (withoutValue <= room) {
    return { ...message, value: value.subarray(0, room - withoutValue), headers };
  }
  // Even the headers do not fit: keep only ours (the source's are in the source record).
  const own: Record<string, unknown> = { ...marker };
  for (const name of [...Object.values(DLQ_HEADERS), DLQ_EXTRA_HEADERS.nullHeaders]) {
    const v = (message.headers as Record<string, unknown> | undefined)?.[name];
    if (v !== undefined) own[name] = v;
  }
  const bare = { key: message.key, timestamp: message.timestamp, headers: own as IHeaders };
  const left = room - messageBytes({ ...bare, value: null });
  return { ...bare, value: value.subarray(0, Math.max(0, left)) };
}

/**
 * Splits messages (each already fitted with {@linkcode fitMessage}) into sends whose record
 * batch stays within `maxBytes`, in order.
 *
 * @example
 * ```ts
 * import { splitSends } from "./dlq.ts";
 * const m = { key: null, value: "x".repeat(400) };
 * splitSends([m, m, m, m, m], 1024).map((s) => s.length); // [2, 2, 1]
 * ```
 */
export function splitSends(messages: readonly Message[], maxBytes: number): Message[][] {
  const room = maxBytes - BATCH_OVERHEAD;
  const sends: Message[][] = [];
  let current: Message[] = [];
  let size = 0;
  for (const m of messages) {
    const bytes = messageBytes(m);
    if (current.length > 0 && size + bytes > room) {
      sends.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += bytes;
  }
  if (current.length > 0) sends.push(current);
  return sends;
}
