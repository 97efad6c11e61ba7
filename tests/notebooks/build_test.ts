/** The notebooks' sources, the percent format, output normalising, and the lesson helpers. */
import assert from "node:assert/strict";
import {
  cellsOf,
  checkAnswer,
  databricksCells,
  firstDifference,
  goldBeside,
  lessons,
  normaliseCell,
  parsePercent,
  pysparkCellsFor,
  staleness,
  toIpynb,
} from "../../lib/notebooks/mod.ts";
import { GOLD_TABLES } from "../../lib/nrt/mod.ts";

Deno.test("every committed notebook has the cells of its percent-format source", async () => {
  const all = await lessons();
  assert.deepEqual(all.map((l) => l.name.slice(0, 2)), [
    "00",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
  ]);
  for (const { src, ipynb } of all) {
    const committed = await Deno.readTextFile(ipynb);
    assert.deepEqual(
      cellsOf(committed),
      parsePercent(await Deno.readTextFile(src)),
      `${ipynb} is stale: run deno task notebooks`,
    );
  }
});

Deno.test("every committed lesson carries outputs, and charts as SVG images too", async () => {
  for (const { name, ipynb } of await lessons()) {
    const nb = JSON.parse(await Deno.readTextFile(ipynb));
    const outputs = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []);
    assert.ok(outputs.length >= 5, `${name} has outputs`);
    const text = JSON.stringify(nb);
    assert.ok(!/"output_type":"error"/.test(text), `${name} has no error output`);
    // No machine path or clock in what a reader sees.
    assert.ok(!text.includes(Deno.cwd()), `${name} shows no machine path`);
    assert.ok(!/"execution":\{/.test(text), `${name} carries no cell timings`);
    const datas = outputs.map((o: { data?: Record<string, string[]> }) => o.data ?? {});
    const charts = datas.filter((d: Record<string, string[]>) =>
      /^<(svg|figure)/.test((d["text/html"] ?? []).join(""))
    );
    const htmlSvg = charts.length;
    const svg = charts.filter((d: Record<string, string[]>) => d["image/svg+xml"]).length;
    assert.equal(svg, htmlSvg, `${name}: each chart has an image/svg+xml`);
  }
});

Deno.test("percent format splits markdown and code cells, with tags", () => {
  const cells = parsePercent(
    '// %% [markdown]\n// # T\n// text\n\n// %%\nconst a = 1;\n// %% tags=["volatile"]\nb();\n',
  );
  assert.deepEqual(cells, [
    { cell_type: "markdown", source: "# T\ntext" },
    { cell_type: "code", source: "const a = 1;" },
    { cell_type: "code", source: "b();", tags: ["volatile"] },
  ]);
  assert.deepEqual(cellsOf(toIpynb(cells)), cells);
  assert.throws(() => parsePercent("// %% tags=[1]\nx\n"), /tags must be a JSON array/);
});

Deno.test("normalising masks addresses, lake URLs, spacing and removed prefixes only", () => {
  const out = (text: string) => [{ output_type: "stream", name: "stdout", text: [text] }];
  const a = normaliseCell(out("kafka  127.0.0.1:9092   yes\nlake azurite://127.0.0.1:10000/x\n"));
  const b = normaliseCell(out("kafka 127.0.0.1:12092 yes\nlake azurite://127.0.0.1:13000/lessons"));
  assert.deepEqual(a, b);
  const p = normaliseCell(out("topic\n────────\nt-1.lesson01.orders 192"), [], {
    remove: ["t-1."],
  });
  assert.deepEqual(p, normaliseCell(out("topic\n─────\nlesson01.orders 192")));
  // A changed value is a difference…
  const c = normaliseCell(out("✔ 805 orders"));
  const d = normaliseCell(out("✔ 806 orders"));
  assert.match(firstDifference([c], [d])!, /code cell 1, output 1: .*805.*806/);
  // …except in a volatile cell, where only the kinds of outputs count.
  assert.deepEqual(
    normaliseCell(out("12 ms"), ["volatile"]),
    normaliseCell(out("40 ms"), ["volatile"]),
  );
  assert.equal(firstDifference([c], [c, []]), null);
  assert.match(firstDifference([c], [[]])!, /\(no output\)/);
});

Deno.test("staleness names a changed source before comparing outputs", () => {
  const cells = parsePercent("// %%\nconsole.log(1);\n");
  const run = (text: string) =>
    toIpynb(cells, [{
      execution_count: 1,
      outputs: [{ output_type: "stream", name: "stdout", text: [text] }],
    }]);
  assert.equal(staleness(run("1\n"), run("1\n")), null);
  assert.match(staleness(run("1\n"), run("2\n"))!, /code cell 1/);
  assert.equal(staleness(null, run("1\n")), "not committed yet");
  assert.equal(staleness(toIpynb(parsePercent("// %%\nx\n")), run("1\n")), "its source changed");
});

Deno.test("every gold table's PySpark is found in its Databricks notebook", async () => {
  for (const t of GOLD_TABLES) {
    const view = await goldBeside([t.name]);
    assert.match(view.sql, new RegExp(`gold\\.${t.name}\\b`));
    assert.match(view.pyspark, new RegExp(`write_gold\\(\\w+, f?"[^"]*"\\)`), t.name);
  }
  await assert.rejects(() => goldBeside(["no_such_table"]), /No gold table named no_such_table/);
});

Deno.test("the PySpark of a table comes with the cell that assigns its frame", () => {
  const cells = databricksCells(
    "# Databricks notebook source\na = 1\n\n# COMMAND ----------\n\n# MAGIC %md\n# MAGIC x\n\n" +
      "# COMMAND ----------\n\ntablets = df.where(x)\n\n# COMMAND ----------\n\n" +
      'write_gold(tablets, "device_tablet")\n\n# COMMAND ----------\n\n' +
      'for d in ["a"]:\n    write_gold(c, f"by_{d}")\n',
  );
  assert.equal(cells.length, 4);
  assert.deepEqual(pysparkCellsFor(cells, "device_tablet"), [
    "tablets = df.where(x)",
    'write_gold(tablets, "device_tablet")',
  ]);
  assert.equal(pysparkCellsFor(cells, "by_page").length, 1);
  assert.deepEqual(pysparkCellsFor(cells, "missing"), []);
});

Deno.test("a Try it check says untouched, right or wrong, and never throws", () => {
  const opts = { task: "count", hint: "WHERE x" };
  assert.match(checkAnswer(undefined, 3, opts), /^✎ Try it: count/);
  assert.match(checkAnswer("", 3, opts), /^✎/);
  assert.equal(checkAnswer(3n, 3, opts), "✔ right: 3");
  assert.equal(checkAnswer(2.996, 3, { ...opts, tolerance: 0.01 }), "✔ right: 2.996");
  assert.equal(checkAnswer("orders", "orders", opts), '✔ right: "orders"');
  assert.equal(checkAnswer(4, 3, opts), "✘ 4 is not it; hint: WHERE x");
});
