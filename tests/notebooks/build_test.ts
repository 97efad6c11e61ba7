import assert from "node:assert/strict";
import { notebookSources, parsePercent, toIpynb } from "../../scripts/notebooks/build.ts";

Deno.test("every committed notebook matches its percent-format source", async () => {
  const sources = await notebookSources();
  assert.ok(sources.length >= 1);
  for (const { src, ipynb } of sources) {
    const built = toIpynb(parsePercent(await Deno.readTextFile(src)));
    assert.equal(
      await Deno.readTextFile(ipynb),
      built,
      `${ipynb} is stale: run deno task notebooks`,
    );
  }
});

Deno.test("percent format splits markdown and code cells", () => {
  const cells = parsePercent("// %% [markdown]\n// # T\n// text\n\n// %%\nconst a = 1;\n");
  assert.deepEqual(cells, [
    { cell_type: "markdown", source: "# T\ntext" },
    { cell_type: "code", source: "const a = 1;" },
  ]);
});
