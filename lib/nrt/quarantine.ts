/**
 * Quarantine: the lines of a raw lake file that cannot go to bronze, set aside one by one while
 * the rest of the file goes on.
 *
 * A line is quarantined when it fails the raw validity rule (`lib/schema/raw.ts`: a lake written
 * by another writer, or a file cut short) or when a field has another type than bronze reads it
 * as, as Spark's JSON reader judges it (`./drift.ts`: a string where a number belongs, an object
 * where a list belongs). Such *type drift* would abort DuckDB's read of the whole file (and of
 * every pass after it); quarantined alone, it costs one record. A record it takes goes to bronze
 * as Spark reads it (text fields holding other values as their JSON text, a field named twice
 * once).
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
import {
  asWritten,
  type FieldType,
  lastValues,
  repeatedKey,
  schemaOf,
  typeProblem,
} from "./drift.ts";
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
