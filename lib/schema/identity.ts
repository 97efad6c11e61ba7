/**
 * The identity of an event: what makes two records "the same event", for de-duplication.
 *
 * - A record with an `event_id` (a non-empty string: every record our producers write) is
 *   identified by it: copies sent twice carry the same id.
 * - A record without one (the original producers' records, DESIGN.md "Input formats"), or with
 *   `event_id: null`, is identified by its content: the **content key**, a 64-bit hash of the
 *   record's canonical JSON (object keys sorted at every depth, no white space, numbers and
 *   strings as `JSON.stringify` writes them: RFC 8785's form), written `c:<16 hex digits>`. Two
 *   records are then the same event exactly when they hold the same fields with the same values,
 *   whatever their key order or spacing; two genuinely different events with identical content
 *   (the same user clicking the same page twice in one second) cannot be told apart, and count
 *   once.
 * - Any other `event_id` (a number, an empty string, an object) is no identity: `null`, and the
 *   caller rejects the record.
 *
 * The SQL engines express the same rule over the columns they read (`lib/nrt/cleaning.ts`,
 * `databricks/_common.py`): `event_id` where present, else the whole content of the row.
 *
 * @module
 */

/**
 * A value's canonical JSON: keys sorted (by UTF-16 code units) at every depth, no white space.
 * `undefined` members are left out, as `JSON.stringify` does.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./identity.ts";
 * canonicalJson({ b: 1, a: [true, { d: null, c: "x" }] }); // '{"a":[true,{"c":"x","d":null}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      const item = value[i];
      out += item === undefined ? "null" : canonicalJson(item);
    }
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (!first) out += ",";
    first = false;
    out += JSON.stringify(key) + ":" + canonicalJson(item);
  }
  return out + "}";
}

/** 64 bits of a string's hash (two 32-bit lanes over its UTF-16 code units), as 16 hex digits. */
function hash64(text: string): string {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/**
 * The content key of a record: `c:` and a 64-bit hash of its canonical JSON.
 *
 * @example
 * ```ts
 * import { contentKey } from "./identity.ts";
 * contentKey({ a: 1, b: "x" }) === contentKey(JSON.parse('{ "b": "x", "a": 1.0 }')); // true
 * contentKey({ a: 1 }) === contentKey({ a: 2 }); // false
 * ```
 */
export function contentKey(record: unknown): string {
  return "c:" + hash64(canonicalJson(record));
}

/**
 * The identity of a parsed record (see the module doc): its `event_id`, else its content key
 * when `event_id` is missing or null; `null` when `event_id` is present but not a non-empty
 * string.
 *
 * @example
 * ```ts
 * import { eventIdentity } from "./identity.ts";
 * eventIdentity({ event_id: "7f1c…", user_id: "user_1" }); // "7f1c…"
 * eventIdentity({ user_id: "user_1" })?.startsWith("c:"); // true
 * eventIdentity({ event_id: 42 }); // null
 * ```
 */
export function eventIdentity(record: Record<string, unknown>): string | null {
  const id = record.event_id;
  if (typeof id === "string") return id === "" ? null : id;
  return id === undefined || id === null ? contentKey(record) : null;
}
