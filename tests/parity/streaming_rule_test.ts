/**
 * The streaming notebook's record check (`raw_event` in `databricks/streaming.py`, run by Python
 * itself, the virtualenv's) against the real-time rule (`decodeLine`): over generated values
 * (objects of any keys and values, event-like ones with the key field and event_id of every type,
 * mangled bytes, byte-order marks, line breaks, arrays, text after the object), both take the
 * same records, and the text the notebook keeps parses to the record real time reads. The event
 * time is left out here: Spark's side of it has its own parity test (`event_time_test.ts`).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Buffer } from "node:buffer";
import { decodeEvent, decodeLine } from "../../lib/realtime/decode.ts";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { rawRecord } from "../../lib/schema/raw.ts";
import { ensureVenv } from "../../lib/stack/mod.ts";
import { withTempDir } from "../_helpers.ts";
import { applyEdits, byteEdit } from "../schema/_mangle.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const KEY = { clickstream: "user_id", "delivery-status": "order_id" } as const;
type StreamTopic = keyof typeof KEY;

/** The notebook's `raw_event` applied to each value: its text, or null when it leaves it out. */
async function notebookRule(
  values: { topic: StreamTopic; bytes: Uint8Array }[],
): Promise<(string | null)[]> {
  const venv = await ensureVenv();
  return await withTempDir(async (dir) => {
    const input = `${dir}/values.txt`;
    await Deno.writeTextFile(
      input,
      values.map((v) => `${KEY[v.topic]} ${Buffer.from(v.bytes).toString("base64")}\n`).join(""),
    );
    // The notebook's imports, constants and functions, without its Spark cells.
    const script = `
import ast, base64, json, sys
tree = ast.parse(open(sys.argv[1]).read())
keep = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in ("raw_event", "_no_constant", "_lone_surrogate", "_nesting_over")
        or isinstance(n, ast.Assign) and any(getattr(t, "id", "") in ("RAW_MAX_BYTES", "MAX_NESTING") for t in n.targets)
        or isinstance(n, ast.Import) and n.names[0].name in ("json", "sys")]
assert len(keep) == 8, [getattr(n, "name", n) for n in keep]
exec(compile(ast.Module(body=keep, type_ignores=[]), "streaming.py", "exec"))
for line in open(sys.argv[2]):
    key, b64 = line.rstrip("\\n").split(" ")
    print(json.dumps(raw_event(bytearray(base64.b64decode(b64)), key)))
`;
    const out = await new Deno.Command(`${venv}/bin/python`, {
      args: ["-c", script, `${PROJECT_ROOT}/databricks/streaming.py`, input],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  });
}

/** Strings, and every other JSON type, for the fields the rule reads. */
const anyField = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom("", "x", "user_1", null, 7, 0, true, [], {}, ["a"], { id: "a" }),
);
/** A field the rule reads: mostly a good string, else of any type. */
const keyField = (good: string) =>
  fc.oneof({ arbitrary: fc.constant(good), weight: 5 }, { arbitrary: anyField, weight: 1 });
/** Event-like objects: the key fields and event_id present or not, of any type. */
const events = fc.record({
  event_id: keyField("ev-1"),
  user_id: keyField("user_1"),
  order_id: keyField("order_1"),
  timestamp: fc.constantFrom("2026-11-26T10:15:30Z", "2026-11-26 10:15:30", 1795688130123, "x"),
  event: anyField,
  status: anyField,
  extra: fc.jsonValue({ maxDepth: 3 }),
}, { requiredKeys: ["user_id", "order_id"] });
const objects = fc.dictionary(fc.string({ unit: "binary" }), fc.jsonValue(), { maxKeys: 6 });

type Form =
  | "plain"
  | "bom"
  | "lf"
  | "crlf"
  | "spaces"
  | "pretty"
  | "array"
  | "more"
  | "two"
  | "nan";

/** A value as a producer might send it: wrapped, marked, spread, mangled, or as it is. */
const values = fc.tuple(
  fc.oneof(events, events, objects, fc.jsonValue()),
  fc.constantFrom(
    ..."plain plain plain bom lf crlf spaces pretty array more two nan".split(" "),
  ) as fc.Arbitrary<Form>,
  fc.array(byteEdit, { maxLength: 2 }),
  fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
).map(([value, form, edits, mangle]) => {
  const text = JSON.stringify(value) ?? "null";
  const shaped = {
    plain: text,
    bom: "\uFEFF" + text,
    lf: text + "\n",
    crlf: "\r\n" + text + "\r\n",
    spaces: " \t" + text + " ",
    pretty: JSON.stringify(value, null, 1) ?? "null",
    array: `[${text}]`,
    more: text + " x",
    two: text + text,
    nan: text.replace(/\d+(\.\d+)?/, "NaN"),
  }[form];
  return applyEdits(shaped, mangle ? edits : []);
});

Deno.test("streaming.py takes the records real time takes, by Python's strict parser", async () => {
  const generated = fc.sample(values, { seed: 20261129, numRuns: 6000 });
  const edge = [
    "", // no value
    '{"user_id": "u", "order_id": "o", "n": ' + "1".repeat(5000) + "}", // past Python's digits
    '{"user_id": "u", "order_id": "o", "d": ' + "[".repeat(50) + "]".repeat(50) + "}",
    '{"user_id": "u", "user_id": 7, "order_id": "o"}', // the last value counts
    '{"user_id": 7, "user_id": "u", "order_id": "o"}',
    '{"user\\u005fid": "u", "order_id": "o"}', // an escaped key
    '{"user_id": "u", "order_id": "o", "event_id": null}', // no id: identified by content
    '{"user_id": "\\ud800", "order_id": "o"}', // a lone surrogate, escaped: neither takes it
    '{"user_id": "\\ud83d\\ude00", "order_id": "o"}', // a pair: both do
    '{"user_id": "u", "order_id": "o", "k": {"\\udc00": ["\\\\ud800"]}}', // a lone low one in a key
    '{"user_id": "u", "order_id": "o", "x": Infinity}',
    '{"user_id": "u", "order_id": "o", "x": 1e400}',
    // Nested 1,000 levels deep (taken; Python's default recursion limit alone refused it), 1,001
    // and far deeper (neither takes them: Spark's JSON reader refuses past 1,000); brackets in
    // strings, escaped quotes and backslashes before them, are no nesting.
    `{"user_id": "u", "order_id": "o", "d": ${"[".repeat(999)}${"]".repeat(999)}}`,
    `{"user_id": "u", "order_id": "o", "d": ${"[".repeat(1000)}${"]".repeat(1000)}}`,
    `{"user_id": "u", "order_id": "o", "d": ${'{"a":'.repeat(999)}1${"}".repeat(999)}}`,
    `{"user_id": "u", "order_id": "o", "d": ${'{"a":'.repeat(1000)}1${"}".repeat(1000)}}`,
    `{"user_id": "u", "order_id": "o", "d": ${"[".repeat(20000)}${"]".repeat(20000)}}`,
    String.raw`{"user_id": "u", "order_id": "o", "s": "\\\"` + "[".repeat(3000) +
    String.raw`\\", "d": [[1]]}`,
  ].map(enc);
  const cases = [...generated, ...edge].flatMap((bytes) =>
    (["clickstream", "delivery-status"] as const).map((topic) => ({ topic, bytes }))
  );
  const verdicts = await notebookRule(cases);
  assert.equal(verdicts.length, cases.length);
  let taken = 0;
  cases.forEach(({ topic, bytes }, i) => {
    // Real time's verdict with the event time out of the question (any time, a valid one).
    const raw = rawRecord(bytes);
    const decoded = typeof raw === "string"
      ? decodeLine(topic, bytes)
      : decodeEvent(topic, { ...raw, timestamp: "2026-11-26T10:00:00Z" });
    const shown = JSON.stringify(new TextDecoder().decode(bytes));
    const why = decoded.ok ? "" : decoded.reason;
    assert.equal(verdicts[i] !== null, decoded.ok, `${topic} ${shown} (${why})`);
    if (verdicts[i] !== null) {
      taken++;
      // What Spark parses is the record real time reads (a byte-order mark and spaces left out).
      assert.deepEqual(JSON.parse(verdicts[i]!), raw, shown);
    }
  });
  // The generator reaches both sides of the rule, often.
  assert.ok(taken > cases.length / 10 && taken < cases.length * 0.9, `${taken} of ${cases.length}`);
});
