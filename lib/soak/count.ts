/**
 * An independent count of what the real-time view must have seen, written apart from
 * `lib/realtime` and `lib/schema` on purpose (the soak checks the one against the other): per
 * topic, the records in Kafka and how many of them are well-formed events — UTF-8 JSON objects
 * on one line of at most 1 MiB, with a non-empty string key field and either
 *
 * - ours: a non-empty string `event_id` and an ISO-8601 UTC `timestamp` (`…T10:15:30.123Z`), or
 * - the original producers': no `event_id` (absent or null: identified by content) and a
 *   wall-clock `timestamp` (`2026-11-26 10:15:30`, a real date and time), read in UTC, the
 *   soak's event-time zone; or either of these timestamps with the other identity.
 *
 * Every well-formed record is accepted, late, a duplicate or future in real time; every other
 * record the soak's producers write is malformed (other times real time takes, with an offset or
 * in epoch ms, are not written in the soak).
 *
 * @module
 */

const KEY: Record<string, string> = {
  "clickstream": "user_id",
  "orders": "order_id",
  "user-profiles": "user_id",
  "delivery-status": "order_id",
};
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const WALL_CLOCK = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const LIMIT = 1024 * 1024;
const strict = new TextDecoder("utf-8", { fatal: true });

/** Counts of one topic. */
export interface TopicCount {
  records: number;
  wellFormed: number;
}

/** Whether a record value of `topic` is a well-formed event (see the module doc). */
export function wellFormed(topic: string, value: Uint8Array | null): boolean {
  if (value === null || value.length === 0 || value.length > LIMIT) return false;
  let text: string;
  let event: unknown;
  try {
    text = strict.decode(value);
    event = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  // One line: a line break may only end it (or start it), outside the object.
  if (/[\r\n]/.test(text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ""))) return false;
  const e = event as Record<string, unknown>;
  const nonEmpty = (v: unknown) => typeof v === "string" && v.length > 0;
  const byContent = e.event_id === undefined || e.event_id === null;
  if (!(nonEmpty(e.event_id) || byContent) || !nonEmpty(e[KEY[topic]])) return false;
  const ts = e.timestamp;
  if (typeof ts !== "string") return false;
  if (ISO.test(ts)) return Number.isFinite(Date.parse(ts));
  // A wall-clock time names a real second when it reads back the same (no 30 February).
  if (!WALL_CLOCK.test(ts)) return false;
  const iso = ts.replace(" ", "T");
  const ms = Date.parse(`${iso}Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === iso;
}

/** Counts per base topic, fed record by record. */
export class IndependentCount {
  readonly topics = new Map<string, TopicCount>();

  add(topic: string, value: Uint8Array | null): void {
    let c = this.topics.get(topic);
    if (!c) this.topics.set(topic, c = { records: 0, wellFormed: 0 });
    c.records++;
    if (wellFormed(topic, value)) c.wellFormed++;
  }
}
