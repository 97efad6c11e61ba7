/**
 * Type drift: whether a record's fields have the types bronze reads them as (`BRONZE_COLUMNS`),
 * judged as Spark's JSON reader judges them (the Databricks notebooks drop what it refuses), and
 * the line bronze is to read for a record it takes.
 *
 * - **Drift** ({@linkcode typeProblem}): a string where a number belongs (`"12.50"`, but for the
 *   special numbers Spark reads, `"NaN"`, `"-Infinity"`…), an object where a list belongs, `2.0`
 *   or `1e2` where a whole number belongs (a LONG takes JSON integers within 64 bits). Nulls and
 *   missing fields are no drift, nor unknown extra fields, nor any value where text belongs.
 * - **The line bronze reads** ({@linkcode asWritten}, {@linkcode lastValues}): Spark reads a
 *   number, `true`, a list or an object in a text field as its JSON text, as written, and the
 *   last value of a field named twice; DuckDB renders such values its own way (`1.5` for `1.50`)
 *   and refuses an object naming a column twice, so the line is written for it accordingly.
 *
 * `lib/nrt/quarantine.ts` applies this to every line of a raw file the byte scanner is not sure of.
 *
 * @module
 */
import type { Topic } from "../schema/events.ts";
import { BRONZE_COLUMNS } from "./bronze.ts";

/** A type bronze reads a field as, parsed from its DuckDB spelling. */
export type FieldType =
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

/** A topic's fields as bronze reads them, with their types. */
export function schemaOf(topic: Topic): Array<[string, FieldType]> {
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
 * import { lastValues } from "./drift.ts";
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
 * import { typeProblem } from "./drift.ts";
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

/**
 * The first field bronze reads (at the top or inside a typed object, such as an order's items)
 * whose key appears twice in one object of valid JSON `text`, as a path; or null. DuckDB refuses
 * a file holding one; `JSON.parse`, Spark (given a schema) and real time keep the last value, so
 * the sync gives bronze the record as they read it. Keys are compared as JSON reads them
 * (`"event\u005fid"` is `event_id`); keys bronze does not read may repeat.
 *
 * @example
 * ```ts
 * import { repeatedKey } from "./drift.ts";
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
 * import { asWritten } from "./drift.ts";
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
