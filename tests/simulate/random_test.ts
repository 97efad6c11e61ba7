import assert from "node:assert/strict";
import { cumulative, isoTime, Random } from "../../lib/simulate/mod.ts";

Deno.test("the generator repeats its sequence for a seed and differs across seeds and streams", () => {
  const draw = (r: Random) => Array.from({ length: 8 }, () => r.uint32());
  assert.deepEqual(draw(new Random(42)), draw(new Random(42)));
  assert.notDeepEqual(draw(new Random(42)), draw(new Random(43)));
  assert.notDeepEqual(draw(new Random(42, 0)), draw(new Random(42, 1)));
  assert.notDeepEqual(draw(new Random(2 ** 40)), draw(new Random(0)));
});

Deno.test("uuids are lower-case version 4 and unique", () => {
  const random = new Random(1);
  const ids = new Set<string>();
  for (let i = 0; i < 10000; i++) {
    const id = random.uuid();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 10000);
});

Deno.test("floats stay in [0, 1) and weighted draws never pick a zero weight", () => {
  const random = new Random(2);
  const cdf = cumulative([1, 0, 2, 0]);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 30000; i++) {
    const f = random.float();
    assert.ok(f >= 0 && f < 1);
    counts[random.weighted(cdf)]++;
  }
  assert.equal(counts[1] + counts[3], 0);
  assert.ok(Math.abs(counts[2] / 30000 - 2 / 3) < 0.02);
});

Deno.test("isoTime formats like toISOString", () => {
  const random = new Random(3);
  for (let i = 0; i < 5000; i++) {
    const t = Math.floor(random.float() * 4e12);
    assert.equal(isoTime(t), new Date(t).toISOString());
  }
});
