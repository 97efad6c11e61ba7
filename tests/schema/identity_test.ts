import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalJson, contentKey, eventIdentity } from "../../lib/schema/identity.ts";

/** JSON values as JSON.parse gives them. */
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)));

/** The same value with every object's keys in another order. */
function shuffled(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, random));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffled(v, random)]));
}

Deno.test("canonical JSON sorts keys at every depth and parses back to the same value", () => {
  assert.equal(
    canonicalJson({ user_id: "user_1", event: "click", details: { name: "B", email: "a" } }),
    '{"details":{"email":"a","name":"B"},"event":"click","user_id":"user_1"}',
  );
  assert.equal(canonicalJson([1, "é", null, { "\u0000": true }]), '[1,"é",null,{"\\u0000":true}]');
  fc.assert(
    fc.property(json, fc.integer(), (value, seed) => {
      let s = seed;
      const random = () => ((s = Math.imul(s ^ (s >>> 15), 2246822519) + 1) >>> 0) / 2 ** 32;
      const text = canonicalJson(value);
      assert.deepEqual(JSON.parse(text), value);
      assert.equal(canonicalJson(shuffled(value, random)), text);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("the content key ignores key order and spacing, and tells different content apart", () => {
  const python = '{"event": "click", "user_id": "user_7", "timestamp": "2026-11-26 10:15:30"}';
  const compact = '{"timestamp":"2026-11-26 10:15:30","user_id":"user_7","event":"click"}';
  assert.equal(contentKey(JSON.parse(python)), contentKey(JSON.parse(compact)));
  assert.match(contentKey(JSON.parse(python)), /^c:[0-9a-f]{16}$/);
  const other = '{"event": "click", "user_id": "user_7", "timestamp": "2026-11-26 10:15:31"}';
  assert.notEqual(contentKey(JSON.parse(python)), contentKey(JSON.parse(other)));
  // No collision among many distinct records.
  const keys = new Set<string>();
  for (let i = 0; i < 200_000; i++) {
    keys.add(contentKey({ event: "click", user_id: `user_${i % 1000}`, n: i }));
  }
  assert.equal(keys.size, 200_000);
});

Deno.test("content keys are stable: the values earlier versions wrote (leading zeros kept)", () => {
  assert.equal(contentKey({}), "c:67a2a8ee00000000");
  const order = {
    order_id: "order_1",
    timestamp: "2026-11-20 01:00:05",
    total_amount: 454.4,
    items: [{ product_id: "prod_187", quantity: 3, price: 23.85 }],
  };
  assert.equal(contentKey(order), "c:b3ea641095f4a2a8");
  assert.equal(contentKey([null, true, "x", -0, 1e21]), "c:8d1a5562e4aadc6f");
});

Deno.test("identity: event_id where present, else the content key; a bad event_id is none", () => {
  assert.equal(eventIdentity({ event_id: "e-1", user_id: "u" }), "e-1");
  const v0 = { user_id: "user_1", timestamp: "2026-11-26 10:15:30" };
  assert.equal(eventIdentity(v0), contentKey(v0));
  assert.equal(eventIdentity({ ...v0, event_id: null }), contentKey({ ...v0, event_id: null }));
  for (const bad of [42, "", {}, [], true]) assert.equal(eventIdentity({ event_id: bad }), null);
});

Deno.test("property: two values share a content key exactly when their canonical JSON is equal", () => {
  const tricky = fc.string({ unit: "binary" });
  const leaf = fc.oneof(tricky, fc.double(), fc.boolean(), fc.constant(null), fc.integer());
  const value = fc.oneof(json, fc.dictionary(tricky, leaf), fc.array(leaf));
  fc.assert(
    fc.property(value, value, fc.integer(), (a, b, seed) => {
      let s = seed;
      const random = () => ((s = Math.imul(s ^ (s >>> 15), 2246822519) + 1) >>> 0) / 2 ** 32;
      assert.equal(contentKey(shuffled(a, random)), contentKey(a));
      assert.equal(contentKey(a) === contentKey(b), canonicalJson(a) === canonicalJson(b));
    }),
    { numRuns: 3000 },
  );
  // Kinds and nesting stay apart.
  const distinct = [
    "1",
    1,
    [1],
    { "1": 1 },
    [[1]],
    [],
    {},
    null,
    "null",
    true,
    "true",
    [null],
    [
      [],
    ],
    { a: [] },
    { a: {} },
    { a: null },
    {},
  ];
  assert.equal(new Set(distinct.map(contentKey)).size, new Set(distinct.map(canonicalJson)).size);
});
