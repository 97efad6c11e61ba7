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

Deno.test("an idle source stops holding the watermark back until its next event", () => {
  const w = new Watermark(0);
  w.expect(["a", "b", "c"]);
  w.observe(1000, "a");
  w.observe(5000, "b");
  assert.equal(w.value, -Infinity, "c has not delivered yet");
  assert.equal(w.setIdle("c"), true);
  assert.equal(w.value, 1000);
  assert.equal(w.setIdle("a"), true);
  assert.equal(w.value, 5000);
  assert.deepEqual([...w.idle].sort(), ["a", "c"]);
  assert.equal(w.setIdle("a"), false, "already idle");
  assert.equal(w.setIdle("nope"), false, "unknown source");
  // Its next event makes a active again; the watermark does not move back, so that event is late.
  assert.equal(w.isLate(1500), true);
  w.observe(1500, "a");
  assert.deepEqual([...w.idle], ["c"]);
  assert.equal(w.value, 5000);
  w.observe(7000, "b");
  assert.equal(w.value, 5000, "a, active again at 1500, holds it");
  w.observe(6000, "a");
  assert.equal(w.value, 6000);
  // Every source idle: the latest source's time holds (whatever the order they went idle in).
  w.setIdle("a");
  assert.equal(w.value, 7000);
  w.setIdle("b");
  assert.equal(w.value, 7000);
});

Deno.test("a source first seen late moves the watermark once it catches up", () => {
  const w = new Watermark(0);
  w.observe(1000, "a");
  w.observe(10, "c"); // first seen below the watermark: held at 1000
  w.observe(3000, "a");
  assert.equal(w.value, 1000, "c (at 10) is the slowest");
  w.observe(2000, "c");
  assert.equal(w.value, 2000);
  w.observe(5000, "c");
  assert.equal(w.value, 3000);
});
