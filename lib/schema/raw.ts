/**
 * The one validity rule for a raw record, used by the lake sink (what goes to `<topic>.dlq`),
 * real-time decoding (what counts as malformed) and the near-real-time sync (what a lake line
 * must be).
 *
 * A raw record value is valid when it is, in this order of checks:
 * 1. present (`EmptyValue`: null or zero bytes);
 * 2. at most {@linkcode RAW_DEFAULTS.maxBytes} bytes (`TooLarge`): Kafka's own default message
 *    size, and well below what a JSON-lines reader takes per line;
 * 3. UTF-8 (`InvalidUtf8`);
 * 4. JSON (`InvalidJson`);
 * 5. a JSON object (`NotAnObject`: `[1]`, `42`, `"text"`, `null` are JSON, but no event);
 * 6. on one line (`MultilineJson`: a JSON-lines file cannot hold a raw line break). Line breaks
 *    in the whitespace around the object do not count: a producer that sends each line of a file
 *    with its newline (`{…}\n`, `{…}\r\n`) sends valid records, and their line in the lake is the
 *    value without that whitespace ({@linkcode lakeLine});
 * 7. Unicode text in every string (`LoneSurrogate`): JSON may escape half of a UTF-16 surrogate
 *    pair alone (`"\ud800"`), which no UTF-8 text can hold. JavaScript and Python read it, but
 *    DuckDB's JSON reader refuses the whole file holding such a line, and I-JSON (RFC 7493)
 *    forbids it: a record the lake could not be read back with;
 * 8. nested at most {@linkcode MAX_NESTING} levels deep, the object itself being the first
 *    (`TooDeep`): Spark's JSON reader (Jackson's default limit) refuses a deeper line, so the
 *    Databricks notebooks never see it, and Python's parser gives up near there too.
 *
 * Field types are not part of it: an object with a string `total_amount` is a valid raw record,
 * kept in the raw layer; near-real-time quarantines that record alone (`lib/nrt/quarantine.ts`).
 *
 * The hot paths first ask the byte scanner (`_json_scan.ts`), which is sure of plain ASCII
 * objects without decoding them; whatever it is not sure of comes here, and the two agree on
 * every value (a property test checks it).
 *
 * @module
 */
import { scanPlainObject } from "./_json_scan.ts";

/** Why a value is not a valid raw record. */
export type RawErrorClass =
  | "EmptyValue"
  | "TooLarge"
  | "InvalidUtf8"
  | "InvalidJson"
  | "NotAnObject"
  | "MultilineJson"
  | "LoneSurrogate"
  | "TooDeep";

/** Why a value cannot be a raw record: a short class and one line for people. */
export interface RawRejection {
  errorClass: RawErrorClass;
  message: string;
}

/** What {@linkcode parseRaw} found: the parsed object, or why the value is rejected. */
export type RawCheck =
  | { ok: true; record: Record<string, unknown> }
  | { ok: false; rejection: RawRejection };

/** Options of the validity rule. */
export interface RawOptions {
  /**
   * Largest valid value, in bytes (UTF-8).
   * @default 1048576 (1 MiB, Kafka's default `max.message.bytes`)
   */
  maxBytes?: number;
}

/**
 * The deepest nesting a raw record may have, its object counting as the first level: what
 * Spark's JSON reader takes (Jackson's `StreamReadConstraints` default, 1,000).
 */
export const MAX_NESTING = 1000;

/** The rule's defaults, in one place. */
export const RAW_DEFAULTS: Readonly<Required<RawOptions>> = { maxBytes: 1_048_576 };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const loose = new TextDecoder();
const encoder = new TextEncoder();

function reject(errorClass: RawErrorClass, message: string): RawCheck {
  return { ok: false, rejection: { errorClass, message } };
}

/** UTF-8 length of a string, computed only when it might exceed `limit`. */
function overLimit(text: string, limit: number): number {
  if (text.length * 3 <= limit) return 0;
  const bytes = encoder.encode(text).byteLength;
  return bytes > limit ? bytes : 0;
}

/**
 * Applies the validity rule to a record value (bytes as read from Kafka or a lake line, or text
 * already decoded) and returns the parsed object or the reason it is rejected.
 *
 * @example
 * ```ts
 * import { parseRaw } from "./raw.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * const good = parseRaw(enc('{"order_id":"o-1","total_amount":"12.50"}'));
 * good.ok ? good.record.order_id : ""; // "o-1"
 * const list = parseRaw(enc("[1]"));
 * list.ok ? "" : list.rejection.errorClass; // "NotAnObject"
 * const cut = parseRaw('{"order_id":"o-1",');
 * cut.ok ? "" : cut.rejection.errorClass; // "InvalidJson"
 * ```
 */
export function parseRaw(
  value: Uint8Array | string | null | undefined,
  options: RawOptions = {},
): RawCheck {
  const record = rawRecord(value, options);
  if (typeof record !== "string") return { ok: true, record };
  // Rejected: only now work out the words (sizes, the parser's message, what the JSON was).
  const maxBytes = options.maxBytes ?? RAW_DEFAULTS.maxBytes;
  switch (record) {
    case "EmptyValue":
      return reject(record, "Record has no value");
    case "TooLarge": {
      const size = typeof value === "string" ? overLimit(value, maxBytes) : value!.byteLength;
      return reject(record, `Value is ${size} bytes, over the limit of ${maxBytes}`);
    }
    case "InvalidUtf8":
      return reject(record, "Value is not valid UTF-8");
    case "InvalidJson":
      return reject(record, `Value is not valid JSON: ${jsonError(textOf(value!))}`);
    case "NotAnObject": {
      const json = JSON.parse(textOf(value!));
      const kind = json === null ? "null" : Array.isArray(json) ? "an array" : `a ${typeof json}`;
      return reject(record, `Value is JSON but ${kind}, not an object`);
    }
    case "MultilineJson":
      return reject(record, "Value is JSON spread over several lines; a JSON-lines file needs one");
    case "TooDeep":
      return reject(record, `Value's JSON is nested more than ${MAX_NESTING} levels deep`);
    case "LoneSurrogate":
      return reject(
        record,
        `Value's JSON holds a lone UTF-16 surrogate (${
          loneSurrogate(textOf(value!))
        }), which is not Unicode text`,
      );
  }
}

/**
 * The validity rule's verdict alone, for the hot paths: the parsed object, or the class of why
 * the value is rejected (no message built: {@linkcode parseRaw} words it).
 *
 * @example
 * ```ts
 * import { rawRecord } from "./raw.ts";
 * rawRecord('{"a":1}'); // { a: 1 }
 * rawRecord("[1]"); // "NotAnObject"
 * ```
 */
export function rawRecord(
  value: Uint8Array | string | null | undefined,
  options: RawOptions = {},
): Record<string, unknown> | RawErrorClass {
  const maxBytes = options.maxBytes ?? RAW_DEFAULTS.maxBytes;
  if (value === null || value === undefined || value.length === 0) return "EmptyValue";
  let text: string;
  if (typeof value === "string") {
    if (overLimit(value, maxBytes) > 0) return "TooLarge";
    text = value;
  } else {
    if (value.byteLength > maxBytes) return "TooLarge";
    // The lenient decoder is much faster; only a replacement character calls for the strict one.
    text = loose.decode(value);
    if (text.includes("\uFFFD")) {
      try {
        utf8.decode(value);
      } catch {
        return "InvalidUtf8";
      }
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "InvalidJson";
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) return "NotAnObject";
  // Raw newlines can only be whitespace between JSON tokens; a JSON-lines file cannot hold them
  // inside the object. Outside it (parsed: JSON whitespace only) they are a line's end.
  if ((text.includes("\n") || text.includes("\r")) && multiline(text.trim())) {
    return "MultilineJson";
  }
  if (loneSurrogate(text) !== "") return "LoneSurrogate";
  if (nestingOver(text, MAX_NESTING)) return "TooDeep";
  return json as Record<string, unknown>;
}

/**
 * The first lone UTF-16 surrogate in valid JSON `text`, as it is written there (`\ud800`), or
 * `""` when there is none: an escaped high surrogate (`\ud800`–`\udbff`) not followed by an
 * escaped low one, an escaped low one (`\udc00`–`\udfff`) not after a high one, or a surrogate
 * standing alone in the text itself (only a JavaScript string can hold one; decoded UTF-8
 * cannot). In valid JSON a backslash only ever starts an escape, so the escapes are found by
 * walking from one backslash to the next.
 *
 * @example
 * ```ts
 * import { loneSurrogate } from "./raw.ts";
 * loneSurrogate('{"a":"\\ud83d\\ude00"}'); // "": a pair (😀)
 * loneSurrogate('{"a":"\\ud800x"}'); // "\\ud800"
 * loneSurrogate('{"a":"\\\\ud800"}'); // "": an escaped backslash, then text
 * ```
 */
export function loneSurrogate(text: string): string {
  if (!text.isWellFormed()) {
    for (const c of text) { // by code point: a pair is one, a lone half stays alone
      const code = c.charCodeAt(0);
      if (c.length === 1 && code >= 0xd800 && code <= 0xdfff) return `\\u${code.toString(16)}`;
    }
  }
  let i = text.indexOf("\\");
  while (i !== -1) {
    if (text.charCodeAt(i + 1) !== 0x75) { // \" \\ \/ \b \f \n \r \t
      i = text.indexOf("\\", i + 2);
      continue;
    }
    const code = parseInt(text.slice(i + 2, i + 6), 16);
    if (code < 0xd800 || code > 0xdfff) {
      i = text.indexOf("\\", i + 6);
      continue;
    }
    const low = text.charCodeAt(i + 6) === 0x5c && text.charCodeAt(i + 7) === 0x75
      ? parseInt(text.slice(i + 8, i + 12), 16)
      : NaN;
    if (code >= 0xdc00 || !(low >= 0xdc00 && low <= 0xdfff)) return text.slice(i, i + 6);
    i = text.indexOf("\\", i + 12);
  }
  return "";
}

/**
 * Whether valid JSON `text` nests containers (objects, arrays) more than `max` levels deep. Only
 * a text of more than `2 × max` characters can (each level opens and closes): records of the
 * usual size are not walked.
 *
 * @example
 * ```ts
 * import { nestingOver } from "./raw.ts";
 * nestingOver('{"a":[[1]]}', 3); // false: three levels
 * nestingOver('{"a":[[[1]]]}', 3); // true: four levels
 * nestingOver(`{"a":${"[".repeat(1000)}${"]".repeat(1000)}}`, 1000); // true: 1,001 levels
 * nestingOver('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 2); // false: brackets in a string
 * ```
 */
export function nestingOver(text: string, max: number): boolean {
  if (text.length < 2 * (max + 1)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // a string: skip to its closing quote (a backslash escapes one character)
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) i++;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

const multiline = (text: string) => text.includes("\n") || text.includes("\r");

/** JSON whitespace: space, tab, line feed, carriage return. */
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * The line a valid raw record takes in a JSON-lines file: the value itself, byte for byte, but
 * without a leading byte-order mark (decoding drops it, as the rule does; in the middle of a file
 * it would spoil the line for JSON readers), and without the whitespace around its object when
 * line breaks stand in it (a producer's `{…}\n`). Only for values the rule accepts (the lake
 * sink's lines, the audit's comparison); text has no mark left to drop (decoding dropped it).
 *
 * @example
 * ```ts
 * import { lakeLine } from "./raw.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * new TextDecoder().decode(lakeLine(enc('{"a":1}\r\n'))); // '{"a":1}'
 * new TextDecoder().decode(lakeLine(enc(' {"a":1}'))); // ' {"a":1}': no line break, as it came
 * lakeLine('\n{"a":1}'); // '{"a":1}'
 * lakeLine(enc('\uFEFF{"a":1}')).length; // 7: without the byte-order mark
 * ```
 */
export function lakeLine<T extends Uint8Array | string>(value: T): T {
  if (typeof value === "string") {
    return (multiline(value) ? value.trim() : value) as T;
  }
  let bytes = value as Uint8Array;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  let from = 0, to = bytes.byteLength;
  while (from < to && isSpace(bytes[from])) from++;
  while (to > from && isSpace(bytes[to - 1])) to--;
  for (let i = 0; i < from; i++) {
    if (bytes[i] === 0x0a || bytes[i] === 0x0d) return bytes.subarray(from, to) as T;
  }
  for (let i = to; i < bytes.byteLength; i++) {
    if (bytes[i] === 0x0a || bytes[i] === 0x0d) return bytes.subarray(from, to) as T;
  }
  return bytes as T;
}

/** A value's text (bytes decoded leniently: only called once it is known to be UTF-8). */
function textOf(value: Uint8Array | string): string {
  return typeof value === "string" ? value : loose.decode(value);
}

/** The first line of `JSON.parse`'s complaint about `text`. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return "";
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  }
}

/**
 * The validity rule without parsing what it need not: `null` when the value is valid, else why
 * not. Plain ASCII objects are checked byte by byte (no decoding); the rest by
 * {@linkcode parseRaw}. The answer is always {@linkcode parseRaw}'s.
 *
 * @example
 * ```ts
 * import { rejectRaw } from "./raw.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * rejectRaw(enc('{"a":1}')); // null
 * rejectRaw(enc('{\n"a":1}'))?.errorClass; // "MultilineJson"
 * ```
 */
export function rejectRaw(
  value: Uint8Array | null | undefined,
  options: RawOptions = {},
): RawRejection | null {
  const maxBytes = options.maxBytes ?? RAW_DEFAULTS.maxBytes;
  if (value && value.byteLength > 0 && value.byteLength <= maxBytes && scanPlainObject(value)) {
    return null;
  }
  const check = parseRaw(value, options);
  return check.ok ? null : check.rejection;
}
