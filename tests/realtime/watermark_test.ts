import assert from "node:assert/strict";
import { Watermark } from "../../lib/realtime/mod.ts";

Deno.test("the watermark is the max event time minus the allowed lateness and never moves back", () => {
  const w = new Watermark(60_000);
  assert.equal(w.value, -Infinity);
  assert.equal(w.isLate(0), false);
  w.observe(600_000);
  w.observe(300_000);
  assert.equal(w.value, 540_000);
  assert.equal(w.isLate(540_000), false);
  assert.equal(w.isLate(539_999), true);
});

Deno.test("with several sources the watermark follows the slowest one", () => {
  const w = new Watermark(0);
  w.expect(["a", "b"]);
  w.observe(1000, "a");
  assert.equal(w.value, -Infinity, "b has not delivered yet");
  w.observe(400, "b");
  assert.equal(w.value, 400);
  w.observe(2000, "b");
  assert.equal(w.value, 1000);
  assert.equal(w.maxEventTime, 2000);
  // A source first seen now does not move the watermark back.
  w.observe(10, "c");
  assert.equal(w.value, 1000);
});
