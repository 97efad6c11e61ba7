import assert from "node:assert/strict";
import { formatTable, table } from "../../lib/viz/mod.ts";

Deno.test("formatTable aligns text left and numbers right", () => {
  const text = formatTable([{ topic: "orders", n: 5 }, { topic: "clickstream", n: 120 }]);
  assert.equal(text, "topic          n\n───────────  ───\norders         5\nclickstream  120");
});

Deno.test("a table shows as HTML in Jupyter, escaped, and as text elsewhere", () => {
  const view = table([{ name: "<b>x</b>", share: 0.25 }], "Caption");
  const bundle = (view[Symbol.for("Jupyter.display")] as () => Record<string, string>)();
  assert.match(bundle["text/html"], /<caption[^>]*>Caption<\/caption>/);
  assert.ok(bundle["text/html"].includes("&lt;b&gt;x&lt;/b&gt;"));
  assert.match(bundle["text/plain"], /^Caption\nname\s+share/);
  assert.equal(String(view).split("\n")[2], "<b>x</b>  0.2500");
});
