/**
 * Property tests (fast-check, fixed seed) for the one validity rule of a raw record: every
 * JSON object on one line is valid and reads back as itself, everything else is rejected with
 * the right class, and the byte scanner of the hot paths never disagrees with the exact rule.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkRecord } from "../../lib/sink/dlq.ts";
import { recordTime } from "../../lib/lake/layout.ts";
import { lakeLine, parseRaw, type RawCheck, rawRecord, rejectRaw } from "../../lib/schema/raw.ts";
import { scanPlainObject } from "../../lib/schema/_json_scan.ts";
import { applyEdits, byteEdit } from "./_mangle.ts";

const RUNS = { seed: 20261126, numRuns: 2000 };
const enc = (s: string) => new TextEncoder().encode(s);

/** JSON objects with any keys and values, ASCII or not. */
const objects = fc.dictionary(fc.string({ unit: "binary" }), fc.jsonValue(), { maxKeys: 8 });
/** Mostly event-like objects: a timestamp field among others. */
const events = fc.record({
  event_id: fc.uuid(),
  timestamp: fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(null, "2026-11-26 10:15:30", "yesterday", 1795688130123),
  ),
  total_amount: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()),
  items: fc.array(fc.record({ product_id: fc.string(), quantity: fc.integer() })),
}, { requiredKeys: ["timestamp"] });

Deno.test("every JSON object on one line is a valid raw record and reads back as itself", () => {
  fc.assert(
    fc.property(fc.oneof(objects, events), (value) => {
      const text = JSON.stringify(value);
      const check = parseRaw(enc(text));
      assert.ok(check.ok, text);
      assert.deepEqual(check.record, JSON.parse(text));
      assert.equal(rejectRaw(enc(text)), null);
      assert.ok(parseRaw(text).ok, "text and bytes agree");
    }),
    RUNS,
  );
});

Deno.test("JSON that is not an object is rejected as NotAnObject", () => {
  const notObjects = fc.jsonValue().filter((v) =>
    v === null || typeof v !== "object" || Array.isArray(v)
  );
  fc.assert(
    fc.property(notObjects, (value) => {
      const check = parseRaw(enc(JSON.stringify(value)));
      assert.ok(!check.ok);
      assert.equal(check.rejection.errorClass, "NotAnObject");
    }),
    RUNS,
  );
});

Deno.test("an object spread over lines, over the size limit or with a bad byte is rejected", () => {
  const nonEmpty = objects.filter((o) => Object.keys(o).length > 0);
  fc.assert(
    fc.property(nonEmpty, fc.integer({ min: 2, max: 4000 }), (value, maxBytes) => {
      const pretty = parseRaw(enc(JSON.stringify(value, null, 2)));
      assert.ok(!pretty.ok && pretty.rejection.errorClass === "MultilineJson");
      const bytes = enc(JSON.stringify(value));
      const sized = parseRaw(bytes, { maxBytes });
      assert.equal(sized.ok, bytes.length <= maxBytes);
      if (!sized.ok) assert.equal(sized.rejection.errorClass, "TooLarge");
      const text = JSON.stringify(value);
      const broken = new Uint8Array([...enc(text.slice(0, 1)), 0xff, ...enc(text.slice(1))]);
      const utf8 = parseRaw(broken);
      assert.ok(!utf8.ok && utf8.rejection.errorClass === "InvalidUtf8");
    }),
    RUNS,
  );
});

/** A JSON text (mostly an event-like object) with a few bytes changed. */
const mangled = fc.tuple(
  fc.oneof(events, objects, fc.jsonValue()),
  fc.array(byteEdit, { maxLength: 3 }),
).map(([value, edits]) => applyEdits(JSON.stringify(value), edits));

Deno.test("the byte scanner never accepts what the exact rule rejects, and the sink's check agrees", () => {
  fc.assert(
    fc.property(mangled, fc.integer({ min: 0, max: 2 ** 42 }), (bytes, fallback) => {
      const exact = parseRaw(bytes);
      if (scanPlainObject(bytes)) assert.ok(exact.ok, new TextDecoder().decode(bytes));
      assert.deepEqual(rejectRaw(bytes), exact.ok ? null : exact.rejection);
      const slow = exact.ok
        ? { ok: true, time: recordTime(exact.record, fallback) }
        : { ok: false, rejection: exact.rejection };
      assert.deepEqual(checkRecord(bytes, fallback), slow);
    }),
    { ...RUNS, numRuns: 20_000 },
  );
});

Deno.test("the byte scanner is sure of plain ASCII objects (the sink's hot path)", () => {
  // Escaped top-level keys (one might spell "timestamp") are left to the exact rule on purpose.
  const key = fc.string().filter((k) => !/["\\]/.test(k) && k !== "timestamp");
  const ascii = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 })
    .map((o) => JSON.stringify(o))
    .filter((t) => /^[\x20-\x7e]*$/.test(t));
  fc.assert(fc.property(ascii, (text) => assert.ok(scanPlainObject(enc(text)), text)), RUNS);
});

/** The rule as its module doc states it, step by step, with the words of each rejection. */
function statedRule(value: Uint8Array | string, maxBytes: number): RawCheck {
  const no = (errorClass: string, message: string) => ({
    ok: false,
    rejection: { errorClass, message },
  });
  if (value.length === 0) return no("EmptyValue", "Record has no value") as RawCheck;
  const size = typeof value === "string" ? enc(value).byteLength : value.byteLength;
  if (size > maxBytes) {
    return no("TooLarge", `Value is ${size} bytes, over the limit of ${maxBytes}`) as RawCheck;
  }
  let text = value as string;
  if (typeof value !== "string") {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(value);
    } catch {
      return no("InvalidUtf8", "Value is not valid UTF-8") as RawCheck;
    }
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return no(
      "InvalidJson",
      `Value is not valid JSON: ${(e as Error).message.split("\n")[0]}`,
    ) as RawCheck;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    const kind = json === null ? "null" : Array.isArray(json) ? "an array" : `a ${typeof json}`;
    return no("NotAnObject", `Value is JSON but ${kind}, not an object`) as RawCheck;
  }
  // One line: line breaks may stand only in the whitespace around the object.
  if (/[\n\r]/.test(text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, ""))) {
    return no(
      "MultilineJson",
      "Value is JSON spread over several lines; a JSON-lines file needs one",
    ) as RawCheck;
  }
  // Unicode text: no half of a surrogate pair alone, in the text or escaped (`\ud800`).
  const lone = firstLoneHalf(text);
  if (lone !== "") {
    return no(
      "LoneSurrogate",
      `Value's JSON holds a lone UTF-16 surrogate (${lone}), which is not Unicode text`,
    ) as RawCheck;
  }
  // At most 1,000 levels of objects and arrays, the object itself the first.
  if (depthOf(json) > 1000) {
    return no("TooDeep", "Value's JSON is nested more than 1000 levels deep") as RawCheck;
  }
  return { ok: true, record: json };
}

/** How deep a parsed JSON value nests objects and arrays (a scalar: 0), by recursion. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  return 1 + Math.max(0, ...Object.values(value as object).map(depthOf));
}

/** The first lone surrogate of JSON text, as written (`\ud800`), else "": by regular expressions. */
function firstLoneHalf(text: string): string {
  for (const c of text) {
    if (/^[\ud800-\udfff]$/.test(c)) return `\\u${c.charCodeAt(0).toString(16)}`;
  }
  const escapes = [...text.matchAll(/\\(?:u([0-9a-fA-F]{4})|[^u])/g)];
  const half = (m: RegExpExecArray | undefined, from: number, to: number) =>
    m?.[1] !== undefined && parseInt(m[1], 16) >= from && parseInt(m[1], 16) <= to;
  for (let k = 0; k < escapes.length; k++) {
    if (half(escapes[k], 0xdc00, 0xdfff)) return escapes[k][0];
    if (half(escapes[k], 0xd800, 0xdbff)) {
      const next = escapes[k + 1];
      if (next?.index !== escapes[k].index + 6 || !half(next, 0xdc00, 0xdfff)) {
        return escapes[k][0];
      }
      k++;
    }
  }
  return "";
}

Deno.test("a lone surrogate, escaped or in the text, is no raw record; a pair is", () => {
  const line = (name: string) => `{"order_id":"o-1","user_id":"${name}"}`;
  for (
    const name of [
      "\\ud800",
      "a\\udbffb",
      "\\udc00",
      "\\ude00\\ud83d",
      "\\ud83d\\ud83d\\ude00",
      "\\ud83d\\n",
    ]
  ) {
    for (const value of [line(name), enc(line(name))]) {
      const check = parseRaw(value);
      assert.ok(!check.ok && check.rejection.errorClass === "LoneSurrogate", name);
      assert.equal(rawRecord(value), "LoneSurrogate");
    }
    assert.equal(scanPlainObject(enc(line(name))), false, name);
  }
  const lone = parseRaw(enc(line("x\\udbffy")));
  assert.equal(
    lone.ok ? "" : lone.rejection.message,
    "Value's JSON holds a lone UTF-16 surrogate (\\udbff), which is not Unicode text",
  );
  // In a key, in a nested value: the same.
  assert.equal(rawRecord('{"a":{"k\\ud800":1}}'), "LoneSurrogate");
  assert.equal(rawRecord('{"a":[1,"\\udfff"]}'), "LoneSurrogate");
  // A JavaScript string can hold a lone half itself (decoded UTF-8 never does).
  assert.equal(rawRecord(`{"a":"\ud800"}`), "LoneSurrogate");
  // A pair, escaped or not, an escaped backslash before "ud800", other escapes: valid.
  for (
    const name of ["\\ud83d\\ude00", "\\uD83D\\uDE00", "😀", "\\\\ud800", '\\u00e3\\n\\t\\"', "x"]
  ) {
    const check = parseRaw(enc(line(name)));
    assert.ok(check.ok, name);
  }
});

Deno.test("parseRaw and rawRecord follow the stated rule on mangled bytes and text, words too", () => {
  fc.assert(
    fc.property(mangled, fc.constantFrom(1_048_576, 40), (bytes, maxBytes) => {
      const text = new TextDecoder().decode(bytes);
      for (const value of [bytes, text, "\uFEFF" + text, text + "\n", "\r\n" + text + " \r\n"]) {
        const expected = statedRule(value, maxBytes);
        assert.deepEqual(parseRaw(value, { maxBytes }), expected);
        const verdict = rawRecord(value, { maxBytes });
        if (expected.ok) assert.deepEqual(verdict, expected.record);
        else assert.equal(verdict, expected.rejection.errorClass);
      }
    }),
    { ...RUNS, numRuns: 10_000 },
  );
});

Deno.test("a producer's line break or byte-order mark around the object: valid, the lake line is the object alone", () => {
  const around = fc.array(fc.constantFrom(" ", "\t", "\n", "\r", "\r\n"), { maxLength: 3 })
    .map((parts) => parts.join(""));
  const BOM = [0xef, 0xbb, 0xbf];
  fc.assert(
    fc.property(
      fc.oneof(objects, events),
      around,
      around,
      fc.boolean(),
      (value, before, after, bom) => {
        const json = JSON.stringify(value);
        const text = before + json + after;
        const bytes = bom ? new Uint8Array([...BOM, ...enc(text)]) : enc(text);
        const check = parseRaw(bytes);
        assert.ok(check.ok, JSON.stringify(text));
        assert.deepEqual(check.record, JSON.parse(json));
        assert.equal(rejectRaw(bytes), null);
        const line = lakeLine(bytes);
        const decoded = new TextDecoder("utf-8", { ignoreBOM: true }).decode(line);
        // What the audit compares: the value decoded (its mark dropped), then its line.
        assert.equal(decoded, lakeLine(new TextDecoder().decode(bytes)), "bytes and text agree");
        assert.ok(!/[\r\n\uFEFF]/.test(decoded), "one line, no mark");
        assert.deepEqual(JSON.parse(decoded), JSON.parse(json));
        // As it came, byte for byte (but the mark), unless a line break stood around it.
        if (!/[\r\n]/.test(before + after)) assert.deepEqual(line, enc(text));
        else assert.equal(decoded, json);
      },
    ),
    RUNS,
  );
  // Inside the object a line break still makes it multiline, whatever surrounds it.
  const inside = parseRaw(enc('{"a":\n1}\n'));
  assert.ok(!inside.ok && inside.rejection.errorClass === "MultilineJson");
});

Deno.test("up to 1,000 levels of nesting is a raw record, deeper is TooDeep; brackets in strings do not count", () => {
  /** An object `levels` deep, objects and arrays by `shape`, with `fill` innermost. */
  const nested = (levels: number, shape: boolean[], fill: string) => {
    let text = fill;
    for (let i = levels - 1; i >= 1; i--) {
      text = shape[i % shape.length] ? `{"k":${text},"n":1}` : `[0,${text}]`;
    }
    return `{"event_id":"e","a":${text}}`;
  };
  const fill = fc.constantFrom(
    "1",
    '"x"',
    '"[[[{{{"',
    String.raw`"\\"`,
    String.raw`"\\\"[["`,
    "null",
    "[]",
    "{}",
  );
  fc.assert(
    fc.property(
      fc.constantFrom(2, 64, 65, 998, 999, 1000, 1001, 1002, 1500),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
      fill,
      (levels, shape, inner) => {
        const text = nested(levels, shape, inner);
        const expected = statedRule(text, 1_048_576);
        for (const value of [text, enc(text)]) {
          assert.deepEqual(parseRaw(value), expected);
          const verdict = rawRecord(value);
          assert.equal(
            typeof verdict === "string" ? verdict : "ok",
            expected.ok ? "ok" : "TooDeep",
          );
        }
        assert.deepEqual(rejectRaw(enc(text)), expected.ok ? null : expected.rejection);
        assert.equal(checkRecord(enc(text), 0).ok, expected.ok);
        // `fill` nests once more when it is a list or an object.
        const depth = levels + (inner === "[]" || inner === "{}" ? 1 : 0);
        assert.equal(expected.ok, depth <= 1000, `${depth} levels`);
      },
    ),
    { ...RUNS, numRuns: 300 },
  );
  // A long string of brackets is text, not nesting.
  assert.ok(parseRaw(`{"a":"${"[".repeat(5000)}"}`).ok);
});
