/**
 * A byte-level JSON (RFC 8259) scanner for the hot paths (the sink, real-time decode): it tells,
 * without building strings or objects, that a value is one JSON object on one line in plain
 * printable ASCII, and where its top-level `timestamp` (a string or a number) lies.
 *
 * It answers "valid" only when sure; `false` means "ask the exact rule" (`raw.ts`), which
 * decides: non-ASCII bytes, escapes in a top-level key or in the timestamp, a surrogate's escape
 * (`\ud800`: the rule wants its pair), a byte-order mark, line breaks, deep nesting and anything
 * invalid all go there. State lives in module variables:
 * no allocation per value.
 *
 * Given field types ({@linkcode ScanFields}), it also tells that the named fields have them (the
 * near-real-time sync's type-drift check, `lib/nrt/quarantine.ts`): a field of another type, or
 * one it cannot be sure of (an escaped key, a number with an exponent, a typed field or the
 * timestamp named twice in one object), is again `false`, for the exact check to decide.
 *
 * @module
 */

/** A field type the scanner checks; `null` fits every type. */
export type ScanType =
  | { kind: "text" | "number" | "integer" | "boolean" }
  | { kind: "list"; of: ScanType }
  | { kind: "struct"; fields: ScanFields };

/** Named fields of an object and their types (names as ASCII bytes); other keys take any value. */
export interface ScanFields {
  names: Uint8Array[];
  types: ScanType[];
}

/**
 * Where the last scan found the top-level `timestamp`: a string's content (without quotes) or a
 * number's digits; -1: none.
 */
export const scanned = { tsStart: -1, tsEnd: -1 };

let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
const MAX_DEPTH = 64;
const NO_BYTES = new Uint8Array(0);
/** The second hex digit of a surrogate's `\\uDxxx` escape: 8–9, a–f, A–F. */
const SURROGATE_SECOND = new Uint8Array(256);
for (const c of "89abcdefABCDEF") SURROGATE_SECOND[c.charCodeAt(0)] = 1;

/** Bytes that may stand unescaped in a string the scanner accepts: printable ASCII but `"` `\`. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;
const TIMESTAMP = [0x74, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70];

/**
 * Whether `value` is surely one valid JSON object on one line in plain ASCII; after `true`,
 * {@linkcode scanned} holds the span of its top-level `timestamp` (last one wins, as in
 * `JSON.parse`). `false` decides nothing: the exact rule must look.
 *
 * @example
 * ```ts
 * import { scanPlainObject, scanned } from "./_json_scan.ts";
 * const bytes = new TextEncoder().encode('{"timestamp":"2026-11-26T10:00:00.000Z","n":[1,2]}');
 * scanPlainObject(bytes); // true
 * scanned.tsStart; // 14
 * scanPlainObject(new TextEncoder().encode("[1]")); // false: not an object, the exact rule says why
 * ```
 */
export function scanPlainObject(value: Uint8Array, fields: ScanFields | null = null): boolean {
  buf = value;
  pos = 0;
  end = value.byteLength;
  scanned.tsStart = scanned.tsEnd = -1;
  try {
    skipSpace();
    if (pos >= end || buf[pos] !== 0x7b) return false;
    if (!scanObject(1, fields)) return false;
    skipSpace();
    return pos === end;
  } catch {
    return false;
  } finally {
    buf = NO_BYTES;
  }
}

/** Spaces and tabs; a line break is left for the exact rule (it rejects multiline JSON). */
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
        // \ud800–\udfff: half of a surrogate pair, whose other half the exact rule looks for.
        if ((b[p] | 0x20) === 0x64 && SURROGATE_SECOND[b[p + 1]] === 1) return 0;
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

/** The index of the plain key at `buf[from, to)` in `fields`, or -1. */
function fieldIndex(fields: ScanFields, from: number, to: number): number {
  const names = fields.names;
  outer: for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name.length !== to - from) continue;
    for (let j = 0; j < name.length; j++) if (buf[from + j] !== name[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * A value of `type` (or null). Numbers only when surely in range: a whole number of at most 15
 * characters for an integer (a safe integer); no exponent and at most 300 characters for a number
 * (so finite).
 */
function scanTyped(depth: number, type: ScanType): boolean {
  if (pos >= end) return false;
  const c = buf[pos];
  if (c === 0x6e) return scanWord(0x6e, 0x75, 0x6c, 0x6c, -1);
  switch (type.kind) {
    case "text":
      return c === 0x22 && scanString() !== 0;
    case "boolean":
      return c === 0x74
        ? scanWord(0x74, 0x72, 0x75, 0x65, -1)
        : scanWord(0x66, 0x61, 0x6c, 0x73, 0x65);
    case "integer":
    case "number": {
      const from = pos;
      if (!scanNumber()) return false;
      for (let p = from; p < pos; p++) {
        const d = buf[p];
        if (d === 0x65 || d === 0x45 || (d === 0x2e && type.kind === "integer")) return false;
      }
      return pos - from <= (type.kind === "integer" ? 15 : 300);
    }
    case "list":
      return c === 0x5b && scanArray(depth + 1, type.of);
    case "struct":
      return c === 0x7b && scanObject(depth + 1, type.fields);
  }
}

function scanObject(depth: number, fields: ScanFields | null = null): boolean {
  if (depth > MAX_DEPTH) return false;
  pos++;
  skipSpace();
  if (pos < end && buf[pos] === 0x7d) {
    pos++;
    return true;
  }
  // The typed fields seen in this object (bit k: field k; bit 31: the top-level timestamp).
  let seen = 0;
  for (;;) {
    if (pos >= end || buf[pos] !== 0x22) return false;
    const key = pos + 1;
    const kind = scanString();
    if (kind === 0) return false;
    // A typed field. An escaped key might spell a field name: the exact check reads it. A typed
    // field named twice in one object is left to it too (DuckDB refuses such an object).
    let field = -1;
    if (fields !== null) {
      if (kind === 2) return false;
      field = fieldIndex(fields, key, pos - 1);
      if (field >= 0) {
        const bit = field < 31 ? 1 << field : 0;
        if (bit === 0 || (seen & bit) !== 0) return false;
        seen |= bit;
      }
    }
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
    if (isTimestamp && fields !== null) {
      if ((seen & 0x80000000) !== 0) return false;
      seen |= 0x80000000;
    }
    skipSpace();
    if (pos >= end || buf[pos] !== 0x3a) return false;
    pos++;
    skipSpace();
    if (isTimestamp && pos < end && buf[pos] === 0x22) {
      const from = pos + 1;
      if (scanString() !== 1) return false; // escapes: let JSON.parse read the string
      scanned.tsStart = from;
      scanned.tsEnd = pos - 1;
    } else if (field >= 0 && !isTimestamp) {
      if (!scanTyped(depth, fields!.types[field])) return false;
    } else {
      const from = pos;
      if (!scanValue(depth)) return false;
      // A number may be epoch ms; anything else (null, an object…) has no event time.
      if (isTimestamp) {
        const c = buf[from];
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) scanned.tsStart = from, scanned.tsEnd = pos;
        else scanned.tsStart = scanned.tsEnd = -1;
        // Typed (the lake's lines): bronze reads the timestamp as text, and Spark reads any
        // value there as its JSON text, as written; DuckDB gives its own rendering, the same
        // only for null and a plain whole number (`1.50`, `1e3`, `-0`, `{ }` differ).
        if (fields !== null && c !== 0x6e && !plainInteger(from, pos)) return false;
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

/** Whether `buf[from, to)` is a whole number DuckDB writes back as it is: `0`, or up to 18 digits. */
function plainInteger(from: number, to: number): boolean {
  if (buf[from] === 0x2d) from++;
  if (to - from === 1 && buf[from] === 0x30) return buf[from - 1] !== 0x2d; // 0, not -0
  if (to - from < 1 || to - from > 18 || buf[from] === 0x30) return false;
  for (let i = from; i < to; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}

function scanArray(depth: number, of: ScanType | null = null): boolean {
  if (depth > MAX_DEPTH) return false;
  pos++;
  skipSpace();
  if (pos < end && buf[pos] === 0x5d) {
    pos++;
    return true;
  }
  for (;;) {
    if (!(of === null ? scanValue(depth) : scanTyped(depth, of))) return false;
    skipSpace();
    if (pos >= end) return false;
    const c = buf[pos++];
    if (c === 0x5d) return true;
    if (c !== 0x2c) return false;
    skipSpace();
  }
}
