/**
 * Decoding a record value into an event, with light validation: enough to aggregate safely,
 * not the full schema check the lake's silver layer applies.
 *
 * A value is **malformed** (counted with its reason, skipped, never a crash) unless it passes the
 * one validity rule for raw records (`lib/schema/raw.ts`: UTF-8, JSON, an object, one line, under
 * the size limit: what the lake sink sends to the dead-letter topic is malformed here too), has
 * the topic's key field (`user_id` or `order_id`) as a non-empty string and a `timestamp` that
 * has an event time by the one event-time rule (`lib/schema/event_time.ts`: ISO-8601 with `Z` or
 * an offset, wall-clock times in `EVENT_TIME_ZONE`, epoch ms). Its identity is its `event_id`
 * where present, else its content key (`lib/schema/identity.ts`): the original producers'
 * records carry no event_id; an `event_id` that is present but not a non-empty string makes the
 * value malformed. Every other field may be null, missing or of the wrong type: such an event is
 * accepted and each metric treats the field as documented in `metrics.ts`. Unknown extra fields
 * are ignored.
 *
 * @module
 */
import { KEY_FIELD, ORIGINAL_FIELDS, type Topic } from "../schema/events.ts";
import { DEFAULT_EVENT_TIME_ZONE, parseEventTime } from "../schema/event_time.ts";
import { eventIdentity } from "../schema/identity.ts";
import { type RawErrorClass, rawRecord } from "../schema/raw.ts";

/** An accepted event: its fields, its event time in epoch ms, and its identity. */
export interface Decoded {
  ok: true;
  /** The parsed record (fields other than event_id, key and timestamp unchecked). */
  event: Record<string, unknown>;
  /** Event time, epoch ms. */
  time: number;
  /** The event id, or the content key of a record without one. */
  id: string;
}

/** Why a value is malformed: one of {@linkcode MALFORMED_REASONS} (a small, fixed set). */
export interface Malformed {
  ok: false;
  reason: string;
}

/** Every reason a value can be malformed for, as counted in snapshots. */
export const MALFORMED_REASONS = {
  noValue: "no value",
  tooLarge: "over the size limit",
  notUtf8: "not UTF-8",
  notJson: "not JSON",
  notObject: "not a JSON object",
  multiline: "JSON spread over lines",
  loneSurrogate: "a lone UTF-16 surrogate in a string",
  tooDeep: "JSON nested over 1,000 levels deep",
  badEventId: "event_id is not a non-empty string",
  noUserId: "user_id is missing or not a non-empty string",
  noOrderId: "order_id is missing or not a non-empty string",
  noTimestamp: "timestamp is missing",
  badTimestamp: "timestamp is not an event time (ISO-8601, wall-clock or epoch ms)",
} as const;

const R = MALFORMED_REASONS;
const malformed = (reason: string): Malformed => ({ ok: false, reason });
/** The raw validity rule's rejections, as malformed reasons. */
const RAW_REASONS: Readonly<Record<RawErrorClass, Malformed>> = Object.freeze({
  EmptyValue: Object.freeze(malformed(R.noValue)),
  TooLarge: Object.freeze(malformed(R.tooLarge)),
  InvalidUtf8: Object.freeze(malformed(R.notUtf8)),
  InvalidJson: Object.freeze(malformed(R.notJson)),
  NotAnObject: Object.freeze(malformed(R.notObject)),
  MultilineJson: Object.freeze(malformed(R.multiline)),
  LoneSurrogate: Object.freeze(malformed(R.loneSurrogate)),
  TooDeep: Object.freeze(malformed(R.tooDeep)),
});

/**
 * Checks a parsed value; returns the decoded event or why it is malformed. `zone` is the zone of
 * wall-clock timestamps (`EVENT_TIME_ZONE`).
 *
 * @example
 * ```ts
 * import { decodeEvent } from "./decode.ts";
 * const event = { event_id: "e1", order_id: "o1", timestamp: "2026-11-26T10:00:00.000Z" };
 * const ok = decodeEvent("orders", event);
 * ok.ok ? ok.time : null; // 1795687200000
 * const v0 = decodeEvent("orders", { order_id: "o1", timestamp: "2026-11-26 10:00:00" });
 * v0.ok ? v0.id.startsWith("c:") : false; // true: no event_id, identified by content
 * const bad = decodeEvent("orders", { event_id: "e1", timestamp: "2026-11-26T10:00:00.000Z" });
 * bad.ok ? "" : bad.reason; // "order_id is missing or not a non-empty string"
 * ```
 */
export function decodeEvent(
  topic: Topic,
  value: unknown,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): Decoded | Malformed {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return malformed(R.notObject);
  }
  const event = value as Record<string, unknown>;
  const key = KEY_FIELD[topic];
  const keyValue = event[key];
  if (typeof keyValue !== "string" || keyValue === "") {
    return malformed(key === "user_id" ? R.noUserId : R.noOrderId);
  }
  const ts = event.timestamp;
  if (ts === undefined || ts === null) return malformed(R.noTimestamp);
  const time = parseEventTime(ts, zone);
  if (time === null) return malformed(R.badTimestamp);
  const id = eventIdentity(event);
  if (id === null) return malformed(R.badEventId);
  return { ok: true, event, time, id };
}

/**
 * Applies the raw validity rule to a record value (bytes as read from Kafka, or a JSON line as
 * text), then checks it like {@linkcode decodeEvent}; returns the event or why it is malformed.
 *
 * @example
 * ```ts
 * import { decodeLine } from "./decode.ts";
 * const result = decodeLine("clickstream", "{'event': 'click'}");
 * result.ok ? "" : result.reason; // "not JSON": a Python dict, not JSON
 * const list = decodeLine("clickstream", "[1]");
 * list.ok ? "" : list.reason; // "not a JSON object"
 * ```
 */
export function decodeLine(
  topic: Topic,
  line: Uint8Array | string | null | undefined,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): Decoded | Malformed {
  const raw = rawRecord(line);
  return typeof raw === "string" ? RAW_REASONS[raw] : decodeEvent(topic, raw, zone);
}

/** Whether an accepted event has a null (or missing) value in one of its original fields. */
export function hasNullField(topic: Topic, event: Record<string, unknown>): boolean {
  for (const field of ORIGINAL_FIELDS[topic]) if (event[field] == null) return true;
  return false;
}
