/**
 * The identity of an event: what makes two records "the same event", for de-duplication.
 *
 * - A record with an `event_id` (a non-empty string: every record our producers write) is
 *   identified by it: copies sent twice carry the same id.
 * - A record without one (the original producers' records, DESIGN.md "Input formats"), or with
 *   `event_id: null`, is identified by its content: the **content key**, a 64-bit hash of the
 *   record's canonical form, written `c:<16 hex digits>`. The canonical form is the record's
 *   canonical JSON ({@linkcode canonicalJson}: object keys sorted at every depth, no white space,
 *   numbers and strings as `JSON.stringify` writes them, RFC 8785's form); the hash is computed
 *   from the parsed value without building that text. Two records are then the same event exactly
 *   when they hold the same fields with the same values, whatever their key order or spacing; two
 *   genuinely different events with identical content (the same user clicking the same page twice
 *   in one second) cannot be told apart, and count once.
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
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
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

// The content hash: two 32-bit lanes, written to OUT by `hashValue` (no allocation). Objects
// combine their members' hashes by addition, so member order does not matter and nothing is
// sorted; arrays fold their elements in order. Each kind of value starts from its own seed, so
// `"1"`, `1` and `[1]` differ.
const OUT = new Int32Array(2);
const SEED = { string: 0x2f6b3d11, number: 0x5a17c0de, array: 0x3c6ef372, object: 0x1b873593 };
const NULL_HASH = [0x6a09e667, 0x3c6ef372 ^ 0x55] as const;
const TRUE_HASH = [0x510e527f, 0x1f83d9ab] as const;
const FALSE_HASH = [0x9b05688c, 0x5be0cd19] as const;

/** murmur3's 32-bit finaliser. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashText(text: string, seed: number): void {
  let a = seed, b = ~seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 2654435761);
    b = Math.imul(b ^ c, 1597334677);
  }
  OUT[0] = fmix(a ^ text.length);
  OUT[1] = fmix(b ^ Math.imul(text.length, 0x27d4eb2d));
}

function hashValue(value: unknown): void {
  switch (typeof value) {
    case "string":
      return hashText(value, SEED.string);
    case "number":
      // As JSON writes a number (NaN and infinities as null, -0 as 0).
      if (Number.isFinite(value)) return hashText(String(value), SEED.number);
      OUT[0] = NULL_HASH[0], OUT[1] = NULL_HASH[1];
      return;
    case "boolean":
      OUT[0] = value ? TRUE_HASH[0] : FALSE_HASH[0], OUT[1] = value ? TRUE_HASH[1] : FALSE_HASH[1];
      return;
    case "object":
      break;
    default: // undefined, functions, symbols: null, as in a JSON array
      OUT[0] = NULL_HASH[0], OUT[1] = NULL_HASH[1];
      return;
  }
  if (value === null) {
    OUT[0] = NULL_HASH[0], OUT[1] = NULL_HASH[1];
    return;
  }
  if (Array.isArray(value)) {
    let a = SEED.array, b = ~SEED.array;
    for (let i = 0; i < value.length; i++) {
      hashValue(value[i]);
      a = Math.imul(a ^ OUT[0], 0x9e3779b1) + 0x7f4a7c15 | 0;
      b = Math.imul(b ^ OUT[1], 0x85ebca77) + 0x165667b1 | 0;
    }
    OUT[0] = fmix(a ^ value.length), OUT[1] = fmix(b ^ value.length);
    return;
  }
  let a = 0, b = 0, n = 0;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const item = record[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    hashText(key, SEED.object);
    const ka = OUT[0], kb = OUT[1];
    hashValue(item);
    // One member: its key and value mixed; members add up (order-free).
    a = a + fmix(Math.imul(ka, 0x9e3779b1) ^ OUT[0]) | 0;
    b = b + fmix(Math.imul(kb, 0x85ebca77) ^ OUT[1] ^ ka) | 0;
    n++;
  }
  OUT[0] = fmix(a ^ Math.imul(n, 0xcc9e2d51) ^ SEED.object);
  OUT[1] = fmix(b ^ Math.imul(n, 0x1b873593));
}

/**
 * The content key of a record: `c:` and a 64-bit hash of its canonical form — its JSON value with
 * the members of each object unordered, so two records get the same key exactly when their
 * canonical JSON ({@linkcode canonicalJson}) is the same (up to a 2⁻⁶⁴ chance). Computed without
 * building that text or sorting keys: the real-time hot path.
 *
 * @example
 * ```ts
 * import { contentKey } from "./identity.ts";
 * contentKey({ a: 1, b: "x" }) === contentKey(JSON.parse('{ "b": "x", "a": 1.0 }')); // true
 * contentKey({ a: 1 }) === contentKey({ a: 2 }); // false
 * ```
 */
export function contentKey(record: unknown): string {
  hashValue(record);
  // One flat string from char codes: toString(16), padStart and concatenation cost more, and a
  // key is made per original record (the real-time hot path).
  for (let i = 0; i < 8; i++) {
    KEY_CODES[2 + i] = hex(OUT[0] >>> (28 - 4 * i));
    KEY_CODES[10 + i] = hex(OUT[1] >>> (28 - 4 * i));
  }
  return String.fromCharCode.apply(null, KEY_CODES);
}

/** `c:` and 16 hex digits, as char codes (filled by each `contentKey`). */
const KEY_CODES: number[] = [0x63, 0x3a, ...new Array<number>(16).fill(0x30)];

/** The char code of the low 4 bits of `n` as a lower-case hex digit. */
function hex(n: number): number {
  const d = n & 15;
  return d < 10 ? 0x30 + d : 0x57 + d;
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
