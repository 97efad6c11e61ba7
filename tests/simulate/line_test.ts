import assert from "node:assert/strict";
import { Line, Piece } from "../../lib/simulate/_line.ts";
import { isoTime, Random } from "../../lib/simulate/mod.ts";

Deno.test("a line formats UUIDs as the generator does, from the same four draws", () => {
  const a = new Random(99), b = new Random(99);
  const line = new Line();
  for (let i = 0; i < 1000; i++) {
    line.begin(line.bytes, 0);
    line.uuid(b.uint32(), b.uint32(), b.uint32(), b.uint32());
    assert.equal(line.text(), a.uuid());
  }
});

Deno.test("a line formats timestamps and integers as isoTime and String do", () => {
  const line = new Line();
  const random = new Random(5);
  let t = Date.parse("2026-11-26T23:59:58.000Z");
  for (let i = 0; i < 2000; i++) {
    t += random.int(i % 2 ? 9 : 5000);
    line.begin(line.bytes, 0);
    line.timestamp(t);
    assert.equal(line.text(), '","timestamp":"' + isoTime(t));
    const n = random.int(10 ** (i % 12));
    line.begin(line.bytes, 0);
    line.int(n);
    assert.equal(line.text(), String(n));
  }
});

Deno.test("a line holds pieces of any length, non-ASCII text included", () => {
  const line = new Line(new Uint8Array(64 + 4096));
  line.begin(line.bytes, 64);
  const parts = ["", "a", "ab", "abc", "abcd", '"São Paulo, Brazil"', "Bogotá", "x".repeat(101)];
  for (const part of parts) line.put(new Piece(part));
  line.ascii("!");
  assert.equal(line.text(), parts.join("") + "!");
});
