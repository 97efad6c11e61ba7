/**
 * Quarantine: the lines of a raw lake file that cannot go to bronze, set aside one by one while
 * the rest of the file goes on.
 *
 * A line is quarantined when it fails the raw validity rule (`lib/schema/raw.ts`: a lake written
 * by another writer, or a file cut short) or when a field has another type than bronze reads it
 * as (`BRONZE_COLUMNS`), as Spark's JSON reader judges it (it drops such a record): a string
 * where a number belongs (`"total_amount": "12.50"`), an object where a list belongs
 * (`"items": {}`), `2.0` where a whole number belongs. Such *type drift* would abort DuckDB's
 * read of the whole file (and of every pass after it); quarantined alone, it costs one record.
 * Nulls and missing fields are not drift (cleaning handles them), and neither are unknown extra
 * fields (bronze does not read them), nor any value where text belongs (`timestamp` too): Spark
 * reads a number, `true`, a list or an object there as its JSON text, as written, and the line
 * goes to bronze so ({@linkcode asWritten}).
 *
 * Each quarantined line becomes a {@linkcode QuarantinedRecord} (topic, file, line, reason and the
 * line itself), kept in the cache, in the `quarantine` table and in the lake under
 * `quarantine/<topic>/…` beside the raw file's own path.
 *
 * @module
 */
import { type ScanFields, scanPlainObject, type ScanType } from "../schema/_json_scan.ts";
import { parseRaw, RAW_DEFAULTS } from "../schema/raw.ts";
import type { Topic } from "../schema/events.ts";
import { BRONZE_COLUMNS } from "./bronze.ts";
import { type NrtDb, sqlString } from "./db.ts";

/** One quarantined line. */
export interface QuarantinedRecord {
  /** The topic (without `KAFKA_TOPIC_PREFIX`). */
  topic: Topic;
  /** The raw file's lake path. */
  file: string;
  /** 1-based line number in that file (0: the whole file, a gzip file that does not decompress). */
  line: number;
  /** Why, e.g. `total_amount: expected a number, got a string`. */
  reason: string;
  /** The line as it is in the file (invalid UTF-8 shown with replacement characters). */
  record: string;
}

/** What {@linkcode checkLakeFile} found. */
export interface LakeFileCheck {
  /** Lines that go to bronze. */
  rows: number;
  /**
   * The file as bronze reads it (without its quarantined lines and byte-order marks, a record
   * naming a field twice written once with its last value), or undefined when bronze reads the
   * file as it is.
   */
  cleaned?: Uint8Array;
  quarantined: QuarantinedRecord[];
}

/** A type bronze reads a field as, parsed from its DuckDB spelling. */
type FieldType =
  | { kind: "text" | "number" | "integer" | "boolean" }
  | { kind: "list"; of: FieldType }
  | { kind: "struct"; fields: Array<[string, FieldType]> };

/** Parses the DuckDB types of `BRONZE_COLUMNS` (VARCHAR, BIGINT, DOUBLE, STRUCT(…), T[]). */
function parseType(text: string): FieldType {
  let pos = 0;
  const skip = () => {
    while (text[pos] === " ") pos++;
  };
  const word = () => {
    skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (!m) throw new TypeError(`Cannot read the type '${text}' at ${pos}`);
    pos += m[0].length;
    return m[0];
  };
  const type = (): FieldType => {
    const name = word().toUpperCase();
    let t: FieldType;
    if (name === "STRUCT") {
      skip();
      pos++; // (
      const fields: Array<[string, FieldType]> = [];
      for (;;) {
        const field = word();
        fields.push([field, type()]);
        skip();
        if (text[pos++] === ")") break;
      }
      t = { kind: "struct", fields };
    } else if (name === "VARCHAR") t = { kind: "text" };
    else if (name === "DOUBLE" || name === "FLOAT") t = { kind: "number" };
    else if (["BIGINT", "INTEGER", "SMALLINT"].includes(name)) t = { kind: "integer" };
    else if (name === "BOOLEAN") t = { kind: "boolean" };
    else throw new TypeError(`No type check for ${name}`);
    skip();
    while (text.startsWith("[]", pos)) {
      pos += 2;
      t = { kind: "list", of: t };
      skip();
    }
    return t;
  };
  return type();
}

const SCHEMAS = new Map<Topic, Array<[string, FieldType]>>();

function schemaOf(topic: Topic): Array<[string, FieldType]> {
  let schema = SCHEMAS.get(topic);
  if (!schema) {
    schema = BRONZE_COLUMNS[topic].map(([name, type]) => [name, parseType(type)]);
    SCHEMAS.set(topic, schema);
  }
  return schema;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return `a string ${JSON.stringify(value.length > 30 ? value.slice(0, 30) + "…" : value)}`;
  }
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

const EXPECTED = {
  text: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  list: "a list",
  struct: "an object",
} as const;

/** Where a parsed value's numbers were written: holder → key → the number's JSON text. */
type NumberSources = WeakMap<object, Map<string, string>>;

/**
 * Whether a whole number written as `source` is one Spark reads into a LONG (`BIGINT`): a JSON
 * integer (no fraction, no exponent: Spark refuses `2.0` and `1e2` there, and so drops the
 * record) within 64 bits. Without its text, a safe integer.
 */
function isLong(value: number, source: string | undefined): boolean {
  if (source === undefined) return Number.isSafeInteger(value);
  if (!/^-?\d+$/.test(source)) return false;
  const n = BigInt(source);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** The first type problem of `value` against `type` at `path`, or null. */
function problem(
  value: unknown,
  type: FieldType,
  path: string,
  sources: NumberSources | undefined,
  source: string | undefined,
): string | null {
  if (value === null || value === undefined) return null;
  let ok = false;
  // Text takes any JSON value: Spark reads a number, true or an object there as its JSON text
  // (`asWritten` writes the line so for bronze).
  if (type.kind === "text") ok = true;
  // A number, also one past the largest double (`1e400`: infinite, as Spark reads it), or a
  // string Spark reads as a special number (`"NaN"`, `"-Infinity"`…).
  else if (type.kind === "number") {
    ok = typeof value === "number" || (typeof value === "string" && SPECIAL_NUMBERS.has(value));
  } else if (type.kind === "integer") ok = typeof value === "number" && isLong(value, source);
  else if (type.kind === "boolean") ok = typeof value === "boolean";
  else if (type.kind === "list" && Array.isArray(value)) {
    const written = sources?.get(value);
    for (let i = 0; i < value.length; i++) {
      const p = problem(value[i], type.of, `${path}[${i}]`, sources, written?.get(String(i)));
      if (p) return p;
    }
    return null;
  } else if (type.kind === "struct" && typeof value === "object" && !Array.isArray(value)) {
    const written = sources?.get(value);
    for (const [name, t] of type.fields) {
      const field = (value as Record<string, unknown>)[name];
      const p = problem(field, t, `${path}.${name}`, sources, written?.get(name));
      if (p) return p;
    }
    return null;
  }
  if (ok) return null;
  const got = source !== undefined && type.kind === "integer"
    ? `the number ${source}`
    : describe(value);
  return `${path}: expected ${EXPECTED[type.kind]}, got ${got}`;
}

/**
 * The strings Spark's JSON reader takes where a number belongs (Spark 4.0, checked: not `"INF"`,
 * `"inf"`, `"+NaN"`…, which it refuses), and how DuckDB's reader is to be given them: it takes
 * `"NaN"`, `"Infinity"`, `"-Infinity"` and `"-INF"` but refuses the file at `"+Infinity"`.
 */
const SPECIAL_NUMBERS = new Map([
  ["NaN", "NaN"],
  ["Infinity", "Infinity"],
  ["+Infinity", "Infinity"],
  ["-Infinity", "-Infinity"],
  ["+INF", "Infinity"],
  ["-INF", "-Infinity"],
]);

/** `JSON.rawJSON` (V8 has it, TypeScript's library not yet): JSON text written as given. */
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * Valid JSON `text` written again as `JSON.parse` reads it (each key once, with its last value),
 * its numbers as they were written: through a JavaScript number, a whole number past 2^53 would
 * change (`9223372036854775807` became `9223372036854776000`, past what DuckDB's BIGINT holds,
 * and DuckDB refused the whole file).
 *
 * @example
 * ```ts
 * import { lastValues } from "./quarantine.ts";
 * lastValues('{"a":1,"n":9007199254740993,"a":2.50}'); // '{"a":2.50,"n":9007199254740993}'
 * ```
 */
export function lastValues(text: string): string {
  return JSON.stringify(
    JSON.parse(
      text.replace(/^\uFEFF/, ""),
      ((_key: string, value: unknown, context?: { source?: string }) =>
        typeof value === "number" && context?.source !== undefined
          ? rawJSON(context.source)
          : value) as (key: string, value: unknown) => unknown,
    ),
  );
}

/** `text` parsed, with where each number was written (`JSON.parse`'s source text access). */
function parseWithSources(text: string): { value: unknown; sources: NumberSources } {
  const sources: NumberSources = new WeakMap();
  const value = JSON.parse(
    text,
    function (this: object, key: string, value: unknown, context?: { source?: string }) {
      if (typeof value === "number" && context?.source !== undefined) {
        let written = sources.get(this);
        if (!written) sources.set(this, written = new Map());
        written.set(key, context.source);
      }
      return value;
    } as (key: string, value: unknown) => unknown,
  );
  return { value, sources };
}

/**
 * Why a parsed record does not fit its topic's bronze types, or null when it does. Given the
 * record's JSON `text`, a whole number is judged as it is written, as Spark reads it into a
 * LONG: a JSON integer within 64 bits (`2.0` and `1e2` are no whole numbers there, and Spark
 * drops such a record; 2^53 + 1 is one); without it, a safe integer.
 *
 * @example
 * ```ts
 * import { typeProblem } from "./quarantine.ts";
 * typeProblem("orders", { order_id: "o-1", total_amount: "12.50" });
 * // 'total_amount: expected a number, got a string "12.50"'
 * typeProblem("orders", { order_id: "o-1", total_amount: null, items: [{ quantity: 2 }] }); // null
 * typeProblem("orders", { order_id: "o-1", timestamp: 1795688130123 }); // null: epoch ms
 * typeProblem("orders", { order_id: "o-1", timestamp: { ms: 1 } }); // null: no event time
 * const text = '{"order_id":"o-1","items":[{"quantity":2.0}]}';
 * typeProblem("orders", JSON.parse(text), text);
 * // "items[0].quantity: expected a whole number, got the number 2.0"
 * ```
 */
export function typeProblem(
  topic: Topic,
  record: Record<string, unknown>,
  text?: string,
): string | null {
  let sources: NumberSources | undefined;
  if (text !== undefined && hasInteger(schemaOf(topic))) {
    const parsed = parseWithSources(text.replace(/^\uFEFF/, ""));
    record = parsed.value as Record<string, unknown>;
    sources = parsed.sources;
  }
  const written = sources?.get(record);
  for (const [name, type] of schemaOf(topic)) {
    // The event time is never drift: the event-time rule reads epoch ms from a JSON number, and
    // whatever it cannot read (an object, a date it does not know) is kept with a NULL event time.
    if (name === "timestamp") continue;
    const p = problem(record[name], type, name, sources, written?.get(name));
    if (p) return p;
  }
  return null;
}

/** Whether whole numbers stand anywhere among `fields` (their text then decides). */
function hasInteger(fields: Array<[string, FieldType]>): boolean {
  const of = (t: FieldType): boolean =>
    t.kind === "integer" || (t.kind === "list" && of(t.of)) ||
    (t.kind === "struct" && hasInteger(t.fields));
  return fields.some(([name, t]) => name !== "timestamp" && of(t));
}

/** A topic's bronze types for the byte scanner (`timestamp` left out: it is never drift). */
function scanFieldsOf(topic: Topic): ScanFields {
  let fields = SCAN_FIELDS.get(topic);
  if (!fields) {
    const toScan = (t: FieldType): ScanType =>
      t.kind === "list"
        ? { kind: "list", of: toScan(t.of) }
        : t.kind === "struct"
        ? { kind: "struct", fields: toFields(t.fields) }
        : { kind: t.kind };
    const toFields = (named: Array<[string, FieldType]>): ScanFields => ({
      names: named.map(([name]) => encoder.encode(name)),
      types: named.map(([, t]) => toScan(t)),
    });
    fields = toFields(schemaOf(topic).filter(([name]) => name !== "timestamp"));
    SCAN_FIELDS.set(topic, fields);
  }
  return fields;
}

const SCAN_FIELDS = new Map<Topic, ScanFields>();
/** Keeps a byte-order mark in the text (a line that starts with one is not JSON). */
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const loose = new TextDecoder("utf-8", { ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * One line of a raw file that the byte scanner was not sure of, by the exact rule; null for an
 * empty line (not a record). A valid record naming a field bronze reads twice in one object
 * comes with the line bronze reads instead (`rewrite`: each key once, its last value).
 */
function exactLine(
  topic: Topic,
  bytes: Uint8Array,
): { text: string; reason: string | null; rewrite?: string } | null {
  let text: string;
  let utf8 = true;
  try {
    text = strict.decode(bytes);
  } catch {
    // Not UTF-8: the rule says so (a bad byte costs its own line only).
    text = loose.decode(bytes);
    utf8 = false;
  }
  if (text.trim() === "") return null;
  const raw = parseRaw(utf8 ? text : bytes);
  if (!raw.ok) return { text, reason: `${raw.rejection.errorClass}: ${raw.rejection.message}` };
  const reason = typeProblem(topic, raw.record, text);
  if (reason !== null) return { text, reason };
  // Text fields holding other JSON values, as Spark reads them: their JSON text, as written.
  const written = asWritten(topic, text);
  // DuckDB refuses an object naming a field it reads twice; JSON.parse, Spark and real time
  // read the last value: bronze gets the record as they read it.
  if (repeatedKey(topic, written) !== null) {
    return { text, reason, rewrite: lastValues(written) };
  }
  return written === text ? { text, reason } : { text, reason, rewrite: written };
}

/**
 * The first field bronze reads (at the top or inside a typed object, such as an order's items)
 * whose key appears twice in one object of valid JSON `text`, as a path; or null. DuckDB refuses
 * a file holding one; `JSON.parse`, Spark (given a schema) and real time keep the last value, so
 * the sync gives bronze the record as they read it. Keys are compared as JSON reads them
 * (`"event\u005fid"` is `event_id`); keys bronze does not read may repeat.
 *
 * @example
 * ```ts
 * import { repeatedKey } from "./quarantine.ts";
 * repeatedKey("orders", '{"event_id":"a","order_id":"o","event_id":"b"}'); // "event_id"
 * repeatedKey("orders", '{"items":[{"product_id":"p","product_id":"q"}]}'); // "items[0].product_id"
 * repeatedKey("orders", '{"note":1,"note":2}'); // null: bronze does not read it
 * ```
 */
export function repeatedKey(topic: Topic, text: string): string | null {
  return walkFields(
    text,
    schemaOf(topic),
    (path, key, _type, _from, _to, seen) => key !== null && seen.has(key) ? path : null,
  );
}

/**
 * Valid JSON `text` of a `topic` record with each field bronze reads as text that holds another
 * JSON value (a number, `true`, an object, a list) turned into a string of that value's JSON
 * text, as it is written: what Spark's JSON reader gives for such a field (DuckDB would give its
 * own rendering, `1.5` for `1.50`, `{"a":1}` for `{ "a" : 1 }`); and a special number Spark takes
 * as a string (`"+INF"`) written as DuckDB takes it (`"Infinity"`). `text` itself when none does.
 *
 * @example
 * ```ts
 * import { asWritten } from "./quarantine.ts";
 * asWritten("orders", '{"order_id":true,"session_id":{ "a" : 1.50 },"user_id":7,"note":5}');
 * // '{"order_id":"true","session_id":"{ \\"a\\" : 1.50 }","user_id":7,"note":5}'
 * ```
 */
export function asWritten(topic: Topic, text: string): string {
  const edits: Array<[from: number, to: number, value: string]> = [];
  walkFields(text, schemaOf(topic), (_path, _key, type, from, to) => {
    const c = text[from];
    const value = text.slice(from, to);
    // (A plain whole number is left as it is: DuckDB writes it back as Spark reads it.)
    if (type.kind === "text" && c !== '"' && c !== "n" && !PLAIN_INTEGER.test(value)) {
      edits.push([from, to, JSON.stringify(value)]);
    } else if (type.kind === "number" && c === '"') {
      const special = SPECIAL_NUMBERS.get(JSON.parse(value));
      if (special !== undefined && special !== JSON.parse(value)) {
        edits.push([from, to, JSON.stringify(special)]);
      }
    }
    return null;
  });
  if (edits.length === 0) return text;
  let out = "";
  let at = 0;
  for (const [from, to, value] of edits) {
    out += text.slice(at, from) + value;
    at = to;
  }
  return out + text.slice(at);
}

/**
 * Walks valid JSON `text` (an object) through the fields bronze reads, at the top and inside
 * typed objects and lists (an order's items), in the order they are written: `visit` hears each
 * field's path, key (`null` for a list's element), type, where its value lies (`from`, `to`) and
 * the keys its object named before it; the first answer that is not null ends the walk and is
 * returned. Keys are compared as JSON reads them (`"event\u005fid"` is `event_id`).
 */
function walkFields(
  text: string,
  fields: Array<[string, FieldType]>,
  visit: (
    path: string,
    key: string | null,
    type: FieldType,
    from: number,
    to: number,
    seen: ReadonlySet<string>,
  ) => string | null,
): string | null {
  let i = 0;
  const space = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13;) {
      c = text.charCodeAt(++i);
    }
  };
  /** At a `"`: the string, read as JSON reads it. */
  const string = (): string => {
    const from = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    return JSON.parse(text.slice(from, ++i));
  };
  /** Past any value. */
  const skip = () => {
    const c = text[i];
    if (c === '"') return void string();
    if (c !== "{" && c !== "[") {
      while (i < text.length && !",}] \t\n\r".includes(text[i])) i++;
      return;
    }
    for (let depth = 0;;) {
      const d = text[i];
      if (d === '"') {
        string();
        continue;
      }
      i++;
      if (d === "{" || d === "[") depth++;
      else if ((d === "}" || d === "]") && --depth === 0) return;
    }
  };
  /** A field's value (at its first character): its typed inside walked, then visited. */
  const value = (
    type: FieldType,
    path: string,
    key: string | null,
    seen: ReadonlySet<string>,
  ): string | null => {
    const from = i;
    let found: string | null = null;
    if (type.kind === "struct" && text[i] === "{") found = object(type.fields, path);
    else if (type.kind === "list" && text[i] === "[") found = list(type.of, path);
    else skip();
    return found ?? visit(path, key, type, from, i, seen);
  };
  const list = (of: FieldType, path: string): string | null => {
    i++;
    space();
    if (text[i] === "]") return i++, null;
    for (let k = 0;; k++) {
      space();
      const found = value(of, `${path}[${k}]`, null, NO_KEYS);
      if (found) return found;
      space();
      if (text[i++] === "]") return null;
    }
  };
  const object = (fields: Array<[string, FieldType]>, path: string): string | null => {
    i++;
    space();
    if (text[i] === "}") return i++, null;
    const seen = new Set<string>();
    for (;;) {
      space();
      const key = string();
      space();
      i++; // the colon
      space();
      const field = fields.find(([name]) => name === key);
      if (field === undefined) skip();
      else {
        const found = value(field[1], path === "" ? key : `${path}.${key}`, key, seen);
        if (found) return found;
        seen.add(key);
      }
      space();
      if (text[i++] === "}") return null;
    }
  };
  space();
  return object(fields, "");
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** A whole number DuckDB writes back as it is written: `0`, or up to 18 digits (`-0` is not). */
const PLAIN_INTEGER = /^(0|-?[1-9][0-9]{0,17})$/;

/**
 * Checks every line of a raw file of `topic` (the raw validity rule, then bronze's types) and
 * returns how many go on, the file without the others, and the quarantined ones. Lines end
 * at `\n`, `\r\n` or a lone `\r` (as Spark's JSON reader splits them: no raw record holds
 * a raw line break); empty lines are not records.
 *
 * Lines the byte scanner is sure of (plain ASCII objects whose fields have bronze's types:
 * nearly all) are neither decoded nor parsed; the others go through {@linkcode parseRaw} and
 * {@linkcode typeProblem}, which decide.
 *
 * @example
 * ```ts
 * import { checkLakeFile } from "./quarantine.ts";
 * const file = new TextEncoder().encode('{"order_id":"a"}\n{"order_id":"b","items":{}}\n[1]\n');
 * const check = checkLakeFile("orders", "topics/orders/x.json", file);
 * check.rows; // 1
 * check.quarantined.map((q) => `${q.line}: ${q.reason}`);
 * // ["2: items: expected a list, got an object", "3: NotAnObject: Value is JSON but an array, not an object"]
 * ```
 */
export function checkLakeFile(topic: Topic, file: string, data: Uint8Array): LakeFileCheck {
  const fields = scanFieldsOf(topic);
  const quarantined: QuarantinedRecord[] = [];
  // The kept lines (start and end offsets), for the file without the quarantined ones; lines
  // bronze reads rewritten, by their place in `kept`.
  const kept: number[] = [];
  const rewrites = new Map<number, Uint8Array>();
  let rows = 0;
  let line = 0;
  let rewritten = false;
  // The next `\n` and `\r` at or after `start` (the file's length: none), each searched for
  // again only once passed: a file of one kind of line end is searched once for the other.
  let lf = -1, cr = -1;
  for (let start = 0; start < data.length;) {
    if (lf < start) lf = nextByte(data, 0x0a, start);
    if (cr < start) cr = nextByte(data, 0x0d, start);
    line++;
    const from = start;
    const stop = Math.min(lf, cr);
    const crlf = cr + 1 === lf && lf < data.length;
    start = crlf ? lf + 1 : stop + 1;
    // A lone `\r` ends a line too: the file goes to bronze with `\n` instead.
    if (stop === cr && !crlf && cr < data.length) rewritten = true;
    const bytes = data.subarray(from, stop);
    if (bytes.length <= RAW_DEFAULTS.maxBytes && scanPlainObject(bytes, fields)) {
      rows++;
      kept.push(from, stop);
      continue;
    }
    // A byte-order mark is not part of the record (as the raw rule decodes bytes), and bronze
    // cannot read one: the line goes on without it.
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const exact = exactLine(topic, bytes.subarray(bom));
    if (exact === null) continue;
    const { text, reason, rewrite } = exact;
    if (reason === null) {
      rows++;
      if (rewrite !== undefined) rewrites.set(kept.length, encoder.encode(rewrite));
      kept.push(from + bom, stop);
      if (bom || rewrite !== undefined) rewritten = true;
    } else quarantined.push({ topic, file, line, reason, record: text });
  }
  if (quarantined.length === 0 && !rewritten) return { rows, quarantined };
  const parts: Uint8Array[] = [];
  for (let i = 0; i < kept.length; i += 2) {
    parts.push(rewrites.get(i) ?? data.subarray(kept[i], kept[i + 1]), NEWLINE);
  }
  return { rows, cleaned: concat(parts), quarantined };
}

const NEWLINE = new Uint8Array([0x0a]);

/** Where `byte` next occurs in `data` from `start` on; `data.length` when it does not. */
function nextByte(data: Uint8Array, byte: number, start: number): number {
  const at = data.indexOf(byte, start);
  return at < 0 ? data.length : at;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The lake path of a raw file's quarantined records: `topics/…` becomes `quarantine/…`.
 *
 * @example
 * ```ts
 * import { quarantinePath } from "./quarantine.ts";
 * quarantinePath("topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json");
 * // "quarantine/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json"
 * ```
 */
export function quarantinePath(lakePath: string): string {
  // A gzip raw file's quarantine is plain JSON lines, named without `.gz`.
  return `quarantine/${lakePath.replace(/^topics\//, "").replace(/\.json\.gz$/, ".json")}`;
}

/** Quarantined records as JSON lines (what the cache and the lake hold). */
export function quarantineLines(records: readonly QuarantinedRecord[]): Uint8Array {
  return encoder.encode(records.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

/** The columns of the `quarantine` table (and of each quarantined record). */
const QUARANTINE_COLUMNS =
  "topic VARCHAR, file VARCHAR, line BIGINT, reason VARCHAR, record VARCHAR";

/**
 * (Re)builds the `quarantine` table (topic, file, line, reason, record) from the quarantined
 * records kept in the cache; returns its row count.
 */
export async function loadQuarantine(db: NrtDb, cacheDir: string): Promise<number> {
  const glob = `${cacheDir}/quarantine/**/*.json`;
  const files = Number(await db.value(`SELECT count(*) FROM glob(${sqlString(glob)})`));
  if (files === 0) {
    await db.run(`CREATE OR REPLACE TABLE quarantine (${QUARANTINE_COLUMNS})`);
    return 0;
  }
  const columns = QUARANTINE_COLUMNS.split(", ").map((c) => {
    const [name, type] = c.split(" ");
    return `${sqlString(name)}: ${sqlString(type)}`;
  });
  await db.run(`CREATE OR REPLACE TABLE quarantine AS
    SELECT * FROM read_json(${sqlString(glob)}, format = 'newline_delimited',
      columns = {${columns.join(", ")}}, hive_partitioning = false)
    ORDER BY file, line`);
  return Number(await db.value("SELECT count(*) FROM quarantine"));
}
