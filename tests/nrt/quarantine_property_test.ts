/**
 * Property test (fast-check, fixed seed) for the sync's line check: the byte scanner's fast path
 * (`checkLakeFile`) gives, on every line, the verdict of the exact rule alone (`parseRaw`, then
 * `typeProblem`), and the file bronze reads holds exactly the lines that rule keeps. The lines
 * mix every bronze field with values of the right type, the wrong type and the edges (numbers
 * with exponents, too large, `2.0`, nested nulls, escaped and repeated keys, non-ASCII, a
 * byte-order mark, `\r`, bad bytes, blank lines), ended by `\n`, `\r\n` or a lone `\r`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { BRONZE_COLUMNS } from "../../lib/nrt/bronze.ts";
import { checkLakeFile } from "../../lib/nrt/quarantine.ts";
import { asWritten, lastValues, repeatedKey, typeProblem } from "../../lib/nrt/drift.ts";
import { NrtDb } from "../../lib/nrt/db.ts";
import { bronzeSelect } from "../../lib/nrt/bronze.ts";
import { installEventTime } from "../../lib/nrt/event_time.ts";
import { parseRaw } from "../../lib/schema/raw.ts";
import { type Topic, TOPICS } from "../../lib/schema/events.ts";

const RUNS = { seed: 20261128, numRuns: 1000 };
const enc = new TextEncoder();
const loose = new TextDecoder("utf-8", { ignoreBOM: true });

/** JSON texts of values, of every kind bronze's fields can meet. */
const VALUES = [
  '"text"',
  '"é"',
  '"a\\"b"',
  '"12.50"',
  "12",
  "-0",
  "2.0",
  "1.5",
  "1e3",
  "-2.5E-3",
  "1e400",
  "123456789012345",
  "1234567890123456789",
  "9".repeat(320),
  "null",
  "true",
  "false",
  "{}",
  "[]",
  "[null]",
  '[{"product_id":"p1","quantity":2,"price":9.99}]',
  '[{"product_id":"p1","quantity":2.5,"price":9.99}]',
  '[{"product_id":"p1","quantity":"2","price":9.99}]',
  '[{"quantity":1,"quantity":"x"}]',
  '[{"product_id":null,"quantity":null,"price":null}, null]',
  '{"email":"a@b.c","name":"Ann","preferred_category":"books"}',
  '{"email":5}',
  '{"email":"a","extra":[1,{"x":true}]}',
  '{"na\\u006de":7}',
  '{"quantity":1}',
];

/** Values at the edges of each bronze type: most fit it, some do not (by the exact rule). */
const TEXT = ['"text"', '"a\\"b"', '"12.50"', "null", '"é"', "7"];
const NUMBER = [
  "12",
  "-0",
  "2.0",
  "1.5",
  "null",
  "1e3",
  "-2.5E-3",
  "1e400",
  "9".repeat(320),
  '"3"',
  '"NaN"',
  '"+INF"',
  '"-Infinity"',
  '"inf"',
  '"INF"',
];
const INTEGER = [
  "12",
  "-0",
  "0",
  "123456789012345",
  "null",
  "2.0",
  "1e3",
  "2.5",
  "12345678901234567",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "-9223372036854775809",
];

function typedArb(type: string): fc.Arbitrary<string> {
  const struct = /^STRUCT\((.*)\)$/.exec(type.replace(/\[\]$/, ""));
  if (type.endsWith("[]")) {
    return fc.oneof(
      {
        weight: 8,
        arbitrary: fc.array(fc.oneof(typedArb(type.slice(0, -2)), fc.constant("null")), {
          maxLength: 3,
        }).map((a) => `[${a.join(",")}]`),
      },
      { weight: 1, arbitrary: fc.constantFrom("null", "{}", '"x"') },
    );
  }
  if (struct) {
    const fields = struct[1].split(", ").map((f) => f.split(" ") as [string, string]);
    const pairs = fc.tuple(
      ...fields.map(([name, t]) => fc.option(typedArb(t).map((v) => `"${name}":${v}`))),
    )
      .map((kv) => kv.filter((x) => x !== null));
    return fc.oneof(
      { weight: 8, arbitrary: pairs.map((kv) => `{${kv.join(",")}}`) },
      { weight: 1, arbitrary: fc.constantFrom("null", "[]", "5") },
    );
  }
  const pool = type === "DOUBLE" ? NUMBER : type === "BIGINT" ? INTEGER : TEXT;
  // The first five values fit the type in plain ASCII (the scanner's): drawn more often.
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool.slice(0, 5)) }, {
    weight: 1,
    arbitrary: fc.constantFrom(...pool),
  });
}

/**
 * One record of `topic` as JSON text: each bronze field present or not, with a value at the edge
 * of its type; sometimes also an extra key, a repeated key, an escaped key or any JSON value.
 */
function objectArb(topic: Topic): fc.Arbitrary<string> {
  const columns = BRONZE_COLUMNS[topic];
  const fields = fc.tuple(
    ...columns.map(([name, type]) =>
      fc.option(typedArb(name === "timestamp" ? "ANY" : type).map((v) => `"${name}":${v}`), {
        freq: 4,
      })
    ),
  ).map((kv) => kv.filter((x) => x !== null) as string[]);
  const names = columns.map(([name]) => name);
  const extra = fc.oneof(
    fc.constantFrom(...VALUES).map((v) => `"extra":${v}`),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom(...VALUES)).map(([n, v]) => `"${n}":${v}`),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom(...VALUES)).map(([n, v]) =>
      `"${n.slice(0, -1)}\\u00${n.charCodeAt(n.length - 1).toString(16)}":${v}`
    ),
    fc.jsonValue({ maxDepth: 2 }).map((v) => `"é":${JSON.stringify(v)}`),
  );
  return fc.tuple(fields, fc.array(extra, { maxLength: 2 }), fc.nat()).map(([kv, more, at]) => {
    const all = [...kv];
    for (const m of more) all.splice(at % (all.length + 1), 0, m);
    return `{${all.join(",")}}`;
  });
}

/** One line of a raw file of `topic`: mostly a record, sometimes mangled. */
function lineArb(topic: Topic): fc.Arbitrary<Uint8Array> {
  const object = objectArb(topic);
  return fc.oneof(
    { weight: 12, arbitrary: object.map((text) => enc.encode(text)) },
    {
      weight: 3,
      arbitrary: fc.tuple(
        object,
        fc.constantFrom("bom", "cr", "space", "cut", "array", "blank", "badbyte"),
      ).map(([text, how]) => {
        if (how === "badbyte") {
          const bytes = enc.encode(text);
          return Uint8Array.from([...bytes.subarray(0, 1), 0xff, ...bytes.subarray(1)]);
        }
        const mangled = how === "bom"
          ? `\uFEFF${text}`
          : how === "cr"
          ? `${text}\r`
          : how === "space"
          ? ` ${text}\t`
          : how === "cut"
          ? text.slice(0, Math.max(1, text.length - 2))
          : how === "array"
          ? `[${text}]`
          : "  ";
        return enc.encode(mangled);
      }),
    },
  );
}

/** The line ends a file may use (Spark's reader ends a line at each). */
const LINE_ENDS = [[0x0a], [0x0d, 0x0a], [0x0d]];

/** Splits a file at `\n`, `\r\n` and a lone `\r`, as Spark's JSON reader does. */
function splitLines(data: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0x0a && data[i] !== 0x0d) continue;
    lines.push(data.subarray(from, i));
    if (data[i] === 0x0d && data[i + 1] === 0x0a) i++;
    from = i + 1;
  }
  if (from < data.length) lines.push(data.subarray(from));
  return lines;
}

/** The exact rule alone, line by line: what the sync must keep and quarantine. */
function reference(topic: Topic, data: Uint8Array) {
  const kept: string[] = [];
  const quarantined: Array<{ line: number; reason: string }> = [];
  splitLines(data).forEach((raw, i) => {
    let bytes = raw;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    const text = loose.decode(bytes);
    if (text.trim() === "") return;
    const check = parseRaw(bytes);
    const reason = check.ok
      ? typeProblem(topic, check.record, text)
      : `${check.rejection.errorClass}: ${check.rejection.message}`;
    // A field bronze reads named twice: the record as JSON.parse reads it (the last value).
    if (reason === null) {
      // Text fields holding other values as their JSON text; each key once, its last value.
      const written = asWritten(topic, text);
      kept.push(repeatedKey(topic, written) === null ? written : lastValues(written));
    } else quarantined.push({ line: i + 1, reason });
  });
  return { kept, quarantined };
}

/** The lines as one file, each ended by `ends[i]` (an index into {@linkcode LINE_ENDS}). */
function join(lines: Uint8Array[], trailingNewline: boolean, ends: number[] = []): Uint8Array {
  const parts = lines.flatMap((l, i) =>
    i < lines.length - 1 || trailingNewline ? [l, LINE_ENDS[ends[i] ?? 0]] : [l]
  );
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

Deno.test("the sync's fast line check agrees with the exact rule on every line, and bronze gets the lines it keeps", () => {
  for (const topic of TOPICS) {
    fc.assert(
      fc.property(
        fc.array(lineArb(topic), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        // Mostly `\n`; sometimes a file's lines end in `\r\n` or a lone `\r` (old Macs).
        fc.array(fc.constantFrom(0, 0, 0, 0, 1, 2), { minLength: 12, maxLength: 12 }),
        (lines, trailingNewline, ends) => {
          const data = join(lines, trailingNewline, ends);
          const check = checkLakeFile(topic, "topics/x.json", data);
          const want = reference(topic, data);
          assert.deepEqual(
            check.quarantined.map((q) => ({ line: q.line, reason: q.reason })),
            want.quarantined,
          );
          assert.equal(check.rows, want.kept.length);
          const bronze = splitLines(check.cleaned ?? data).map((l) => loose.decode(l))
            .filter((l) => l.trim() !== "");
          assert.deepEqual(bronze, want.kept);
        },
      ),
      RUNS,
    );
  }
});

Deno.test("DuckDB reads every line the check keeps, repeated and escaped keys included", async () => {
  // (DuckDB refuses an object naming a column twice: the sync writes such a record once.)
  const dir = await Deno.makeTempDir({ prefix: "ecom-quarantine-" });
  const db = await NrtDb.open({ path: ":memory:", workDir: dir });
  await installEventTime(db, "UTC");
  const folder = `${dir}/year=2026/month=11/day=26/hour=10`;
  await Deno.mkdir(folder, { recursive: true });
  try {
    let kept = 0, rewritten = 0;
    for (const topic of TOPICS) {
      const files = fc.sample(fc.array(lineArb(topic), { minLength: 1, maxLength: 12 }), {
        seed: RUNS.seed,
        numRuns: 150,
      });
      for (const [i, lines] of files.entries()) {
        // Every third file's lines end in `\r\n`, every third in a lone `\r`.
        const data = join(lines, true, lines.map(() => i % 3));
        const check = checkLakeFile(topic, "topics/x.json", data);
        kept += check.rows;
        rewritten += lines.filter((l) => {
          const text = loose.decode(l).replace(/^\uFEFF/, "");
          return parseRaw(text).ok && typeProblem(topic, JSON.parse(text), text) === null &&
            repeatedKey(topic, text) !== null;
        }).length;
        const path = `${folder}/${topic}-${i}.json`;
        await Deno.writeFile(path, check.cleaned ?? data);
        // One file at a time: an error names its line.
        // Every column read (a count alone would let DuckDB skip them).
        const rows = await db.rows(bronzeSelect(topic, path));
        assert.equal(rows.length, check.rows, path);
      }
    }
    assert.ok(kept > 1000 && rewritten > 20, `${kept} kept, ${rewritten} with a repeated key`);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
