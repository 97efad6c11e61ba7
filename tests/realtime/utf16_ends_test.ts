/**
 * The replay hands a batch of values to the aggregator's thread as one text when every value is
 * UTF-8 on its own (`utf16Ends`, `lib/realtime/replay.ts`): each value's slice of the text is
 * what decoding its bytes alone gives, and a batch where some value is not (a character split
 * across two values, bytes that are no UTF-8) or starts with a byte-order mark (which decoding
 * alone drops) is refused, its ends left as they were.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { utf16Ends } from "../../lib/realtime/replay.ts";

const loose = new TextDecoder();
const strict = new TextDecoder("utf-8", { fatal: true });
const enc = new TextEncoder();

/** Values: text (ASCII, accents, CJK, emoji) or raw bytes (valid or not). */
const value = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => enc.encode(s)),
  fc.string({ unit: fc.constantFrom("a", "é", "€", "😀", "{", '"'), maxLength: 8 }).map((s) =>
    enc.encode(s)
  ),
  fc.uint8Array({ maxLength: 6 }),
  fc.constantFrom(
    new Uint8Array([0xc3]), // a character's start alone
    new Uint8Array([0xa9]), // its continuation alone
    new Uint8Array([0xf0, 0x9f]),
    new Uint8Array([0x98, 0x80]),
    new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), // a byte-order mark, then {}
  ),
);

function batchOf(values: Uint8Array[]): { bytes: Uint8Array; ends: Int32Array } {
  const bytes = new Uint8Array(values.reduce((n, v) => n + v.length, 0));
  const ends = new Int32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    bytes.set(v, at);
    at += v.length;
    ends[i] = at;
  });
  return { bytes, ends };
}

Deno.test("utf16Ends: each value's slice of the text is its own decoding, or the batch is refused", () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 12 }), (values) => {
      const { bytes, ends } = batchOf(values);
      const byteEnds = ends.slice();
      const text = loose.decode(bytes);
      // The replay asks only when the whole decodes without a replacement character.
      if (text.includes("\uFFFD")) return;
      const valid = values.every((v) => {
        try {
          strict.decode(v);
          return true;
        } catch {
          return false;
        }
      });
      const bom = values.some((v) => v[0] === 0xef && v[1] === 0xbb && v[2] === 0xbf);
      const taken = utf16Ends(bytes, ends, text);
      assert.equal(taken, valid && !bom, "taken exactly when every value is UTF-8 on its own");
      if (!taken) {
        assert.deepEqual(ends, byteEnds, "ends left as they were");
        return;
      }
      let from = 0;
      values.forEach((v, i) => {
        assert.equal(text.substring(from, ends[i]), strict.decode(v));
        from = ends[i];
      });
    }),
    { seed: 20261129, numRuns: 2000 },
  );
});

Deno.test("utf16Ends: a character split across two values is refused", () => {
  const { bytes, ends } = batchOf([
    enc.encode('{"a":"S'),
    new Uint8Array([0xc3]),
    new Uint8Array([0xa3, 0x6f]),
  ]);
  const text = loose.decode(bytes);
  assert.ok(!text.includes("\uFFFD"), "the whole decodes: São");
  assert.equal(utf16Ends(bytes, ends, text), false);
  assert.deepEqual([...ends], [7, 8, 10]);
});
