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
 * 6. on one line (`MultilineJson`: a JSON-lines file cannot hold a raw line break).
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
  | "MultilineJson";

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
  const maxBytes = options.maxBytes ?? RAW_DEFAULTS.maxBytes;
  if (value === null || value === undefined || value.length === 0) {
    return reject("EmptyValue", "Record has no value");
  }
  let text: string;
  if (typeof value === "string") {
    const size = overLimit(value, maxBytes);
    if (size > 0) return tooLarge(size, maxBytes);
    text = value;
  } else {
    if (value.byteLength > maxBytes) return tooLarge(value.byteLength, maxBytes);
    // The lenient decoder is much faster; only a replacement character calls for the strict one.
    text = loose.decode(value);
    if (text.includes("\uFFFD")) {
      try {
        utf8.decode(value);
      } catch {
        return reject("InvalidUtf8", "Value is not valid UTF-8");
      }
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject(
      "InvalidJson",
      `Value is not valid JSON: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    const kind = json === null ? "null" : Array.isArray(json) ? "an array" : `a ${typeof json}`;
    return reject("NotAnObject", `Value is JSON but ${kind}, not an object`);
  }
  // Raw newlines can only be whitespace between JSON tokens; a JSON-lines file cannot hold them.
  if (text.includes("\n") || text.includes("\r")) {
    return reject(
      "MultilineJson",
      "Value is JSON spread over several lines; a JSON-lines file needs one",
    );
  }
  return { ok: true, record: json as Record<string, unknown> };
}

function tooLarge(size: number, maxBytes: number): RawCheck {
  return reject("TooLarge", `Value is ${size} bytes, over the limit of ${maxBytes}`);
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
