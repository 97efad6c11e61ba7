/**
 * Decoding a record value into an event, with light validation: enough to aggregate safely,
 * not the full schema check the lake's silver layer applies.
 *
 * A value is **malformed** (counted, skipped, never a crash) unless it passes the one validity
 * rule for raw records (`lib/schema/raw.ts`: UTF-8, JSON, an object, one line, under the size
 * limit: what the lake sink sends to the dead-letter topic is malformed here too) and has a
 * non-empty string `event_id`, the topic's key field (`user_id` or `order_id`) as a non-empty
 * string, and `timestamp` as an ISO-8601 UTC string (`2026-11-26T10:15:30.123Z`, milliseconds
 * optional). Every other field may be null, missing or of the wrong type: such an event is
 * accepted and each metric treats the field as documented in `metrics.ts`. Unknown extra fields
 * are ignored.
 *
 * @module
 */
import { KEY_FIELD, ORIGINAL_FIELDS, type Topic } from "../schema/events.ts";
import { parseRaw } from "../schema/raw.ts";

/** An accepted event: its fields, and its event time in epoch ms. */
export interface Decoded {
  /** The parsed record (fields other than event_id, key and timestamp unchecked). */
  event: Record<string, unknown>;
  /** Event time, epoch ms. */
  time: number;
  /** The event id. */
  id: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Checks a parsed value; returns the decoded event or null when it is malformed.
 *
 * @example
 * ```ts
 * import { decodeEvent } from "./decode.ts";
 * decodeEvent("orders", { event_id: "e1", order_id: "o1", timestamp: "2026-11-26T10:00:00.000Z" })
 *   ?.time; // 1795687200000
 * decodeEvent("orders", { event_id: "e1", timestamp: "2026-11-26T10:00:00.000Z" }); // null: no order_id
 * ```
 */
export function decodeEvent(topic: Topic, value: unknown): Decoded | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const event = value as Record<string, unknown>;
  const id = event.event_id;
  const key = event[KEY_FIELD[topic]];
  const ts = event.timestamp;
  if (typeof id !== "string" || id === "" || typeof key !== "string" || key === "") return null;
  if (typeof ts !== "string" || !ISO_UTC.test(ts)) return null;
  const time = Date.parse(ts);
  if (!Number.isFinite(time)) return null;
  return { event, time, id };
}

/**
 * Applies the raw validity rule to a record value (bytes as read from Kafka, or a JSON line as
 * text), then checks it like {@linkcode decodeEvent}; returns null when it is malformed.
 *
 * @example
 * ```ts
 * import { decodeLine } from "./decode.ts";
 * decodeLine("clickstream", "{'event': 'click'}"); // null: a Python dict, not JSON
 * decodeLine("clickstream", "[1]"); // null: JSON, but not an object
 * ```
 */
export function decodeLine(
  topic: Topic,
  line: Uint8Array | string | null | undefined,
): Decoded | null {
  const raw = parseRaw(line);
  return raw.ok ? decodeEvent(topic, raw.record) : null;
}

/** Whether an accepted event has a null (or missing) value in one of its original fields. */
export function hasNullField(topic: Topic, event: Record<string, unknown>): boolean {
  for (const field of ORIGINAL_FIELDS[topic]) if (event[field] == null) return true;
  return false;
}
