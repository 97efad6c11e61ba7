/**
 * `deno task parity` end to end: a seeded lake with the default faults (and records naming a
 * field twice, files with `\r` and `\r\n` line ends, records nested 1,000 and 1,001 levels
 * deep), through lib/nrt (DuckDB) and the databricks/ notebooks (local PySpark), gives
 * the same rows in every table.
 */
import assert from "node:assert/strict";
import { formatDiff } from "../../lib/nrt/parity.ts";
import { runParity, seedLake, SIDES } from "../../lib/parity/mod.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test({
  name: "DuckDB and the Databricks notebooks agree on every gold and silver table",
  // DuckDB's native handles and Spark's child process outlive the test's bookkeeping.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTempDir(async (dir) => {
      // Seed 3 with 4000 records holds a returned delivery in the USA (returns_usa not empty).
      await seedLake(`${dir}/lake`, { seed: 3, events: 4000, faults: "default" });
      // Records from another producer naming a field twice in one object: DuckDB refuses them
      // as they are, Spark (given a schema) keeps the last value; NRT must read them as Spark.
      const folder = `${dir}/lake/topics/orders/year=2026/month=11/day=26/hour=10`;
      await Deno.mkdir(folder, { recursive: true });
      const order = (id: string, extra: string) =>
        `{"event_id":"${id}","order_id":"order_${id}","user_id":"user_1",` +
        `"timestamp":"2026-11-26T10:30:00.000Z",${extra}"total_amount":7.5,` +
        `"payment_method":"paypal","status":"completed"}`;
      await Deno.writeTextFile(
        `${folder}/orders+9+0000000000.json`,
        [
          order("first", '"event_id":"dup-top","status":"canceled",'),
          order(
            "dup-item",
            '"items":[{"product_id":"prod_1","quantity":1,"quantity":4,"price":1.5}],',
          ),
        ].join("\n") + "\n",
      );
      // Another writer's file with old-Mac line ends (a lone `\r`), and one with `\r\n`: Spark's
      // reader ends a line at each, so NRT must too (it once read the first as one bad line).
      await Deno.writeTextFile(
        `${folder}/orders+9+0000000002.json`,
        [order("cr-1", ""), order("cr-2", '"items":[],'), order("cr-3", "")].join("\r") + "\r",
      );
      await Deno.writeTextFile(
        `${folder}/orders+9+0000000005.json`,
        [order("crlf-1", ""), order("crlf-2", "")].join("\r\n") + "\r\n",
      );
      // Records nested 1,000 levels deep (Spark's JSON reader takes them) and 1,001 (it
      // refuses them: NRT quarantines them, by the raw rule's `TooDeep`; it kept them before).
      const deep = (levels: number) =>
        `"extra":${"[".repeat(levels - 1)}${"]".repeat(levels - 1)},`;
      await Deno.writeTextFile(
        `${folder}/orders+9+0000000007.json`,
        [order("deep-1000", deep(1000)), order("deep-1001", deep(1001))].join("\n") + "\n",
      );
      const result = await runParity({ lakeRoot: `${dir}/lake`, outDir: `${dir}/out` });
      const problems = result.tables
        .filter((t) => !t.comparison || t.comparison.mismatches > 0)
        .map((t) =>
          t.comparison
            ? `${t.name}: ${t.comparison.mismatches} mismatches\n${formatDiff(t.comparison, SIDES)}`
            : `${t.name}: missing in ${t.missing}`
        );
      assert.deepEqual(problems, []);
      const gold = result.tables.filter((t) => t.layer === "gold");
      assert.ok(gold.length >= 25, `only ${gold.length} gold tables compared`);
      // Every gold table holds rows, so agreement means something.
      const empty = gold.filter((t) => t.comparison!.leftRows === 0).map((t) => t.name);
      assert.deepEqual(empty, []);
      assert.equal(result.tables.filter((t) => t.layer === "silver").length, 4);
    }),
});
