import assert from "node:assert/strict";
import { fnv1a32, fnv1a32Hex } from "../lib/hash.ts";
import { lakeSlug } from "../lib/nrt/mod.ts";

Deno.test("fnv1a32 matches the published FNV-1a test vectors", () => {
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(fnv1a32("foobar"), 0xbf9cf968);
  assert.equal(fnv1a32Hex("a"), "e40c292c");
});

Deno.test("the names built on fnv1a32 keep their values (they outlive a process)", () => {
  // Recorded before the hash moved to lib/hash.ts: a change would orphan the NRT work folders.
  assert.equal(lakeSlug("file:///tmp/x"), "file-25ea74c0");
  assert.equal(lakeSlug("azurite://é/ü"), "azurite-a72f50af");
});
