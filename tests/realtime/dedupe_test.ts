import assert from "node:assert/strict";
import { Deduper } from "../../lib/realtime/mod.ts";

Deno.test("de-duplication forgets ids once the watermark passes their bucket", () => {
  const d = new Deduper({ bucket: 60_000 });
  assert.equal(d.firstSeen("a", 10_000), true);
  assert.equal(d.firstSeen("b", 70_000), true);
  assert.equal(d.firstSeen("a", 10_000), false);
  d.forgetBefore(59_999);
  assert.equal(d.size, 2);
  d.forgetBefore(60_000);
  assert.equal(d.size, 1);
  assert.equal(d.firstSeen("b", 70_000), false);
});
