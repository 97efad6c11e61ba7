/** lib/nrt/parity.ts: the order-insensitive table comparison behind `deno task parity`. */
import assert from "node:assert/strict";
import {
  compareTables,
  formatDiff,
  type ParityTable,
  summarize,
  valuesEqual,
} from "../../lib/nrt/parity.ts";

const table = (rows: Record<string, unknown>[]): ParityTable => ({
  columns: Object.keys(rows[0] ?? {}),
  rows,
});

const base = [
  { country: "USA", deliveries: 8, p50_hours: 6.509115138888889 },
  { country: "Germany", deliveries: 3, p50_hours: 5.569297222222223 },
  { country: "Canada", deliveries: 2, p50_hours: 11.808320972222223 },
];

Deno.test("parity finds equal tables equal whatever their row order", () => {
  const c = compareTables(table(base), table([...base].reverse()));
  assert.equal(c.mismatches, 0);
  assert.deepEqual(c.diffs, []);
  assert.equal(c.leftRows, 3);
  assert.equal(c.rightRows, 3);
});

Deno.test("parity treats bigint and number alike and floats within 1e-9 as equal", () => {
  const right = base.map((r) => ({
    ...r,
    deliveries: BigInt(r.deliveries),
    p50_hours: r.p50_hours + 1e-12,
  }));
  assert.equal(compareTables(table(base), table(right)).mismatches, 0);
  assert.ok(valuesEqual(1e12, 1e12 + 1e-4)); // relative
  assert.ok(valuesEqual(NaN, NaN));
});

Deno.test("parity catches a changed value and names the column", () => {
  const right = base.map((r) => r.country === "Germany" ? { ...r, deliveries: 4 } : r);
  const c = compareTables(table(base), table(right));
  assert.equal(c.mismatches, 1);
  assert.equal(c.diffs[0].kind, "changed");
  assert.deepEqual(c.diffs[0].kind === "changed" && c.diffs[0].columns, ["deliveries"]);
  assert.match(formatDiff(c, { left: "duckdb", right: "spark" }), /deliveries: duckdb 3, spark 4/);
});

Deno.test("parity catches a missing row and an extra one", () => {
  const missing = compareTables(table(base), table(base.slice(1)));
  assert.equal(missing.mismatches, 1);
  assert.deepEqual(missing.diffs, [{ kind: "only-left", row: base[0] }]);
  const extra = compareTables(table(base.slice(1)), table(base));
  assert.deepEqual(extra.diffs, [{ kind: "only-right", row: base[0] }]);
  assert.match(formatDiff(extra, { left: "duckdb", right: "spark" }), /\+ only in spark/);
});

Deno.test("parity catches a float off by 1e-6", () => {
  const right = base.map((r, i) => i === 2 ? { ...r, p50_hours: r.p50_hours + 1e-6 } : r);
  const c = compareTables(table(base), table(right));
  assert.equal(c.mismatches, 1);
  assert.deepEqual(c.diffs[0].kind === "changed" && c.diffs[0].columns, ["p50_hours"]);
});

Deno.test("parity counts duplicates: a multiset, not a set", () => {
  const c = compareTables(table([base[0], base[0]]), table([base[0]]));
  assert.equal(c.mismatches, 1);
});

Deno.test("parity compares nested lists and structs, numbers inside within tolerance", () => {
  const left = [{ id: "o1", items: [{ product_id: "p1", quantity: 2, price: 10.1 }] }];
  const near = [{ id: "o1", items: [{ product_id: "p1", quantity: 2n, price: 10.1 + 1e-13 }] }];
  const off = [{ id: "o1", items: [{ product_id: "p2", quantity: 2, price: 10.1 }] }];
  assert.equal(compareTables(table(left), table(near)).mismatches, 0);
  assert.equal(compareTables(table(left), table(off)).mismatches, 1);
});

Deno.test("parity counts a column missing on one side and tells strings from numbers", () => {
  const right = base.map(({ p50_hours: _, ...rest }) => rest);
  const c = compareTables(table(base), table(right));
  assert.deepEqual(c.columns.onlyLeft, ["p50_hours"]);
  assert.equal(c.mismatches, 1);
  assert.equal(valuesEqual("3", 3), false);
  assert.equal(valuesEqual(null, 0), false);
});

Deno.test("parity summary gives rows per side and mismatches per table", () => {
  const rows = summarize([
    { name: "a", comparison: compareTables(table(base), table(base.slice(1))) },
    { name: "b", comparison: null, missing: "spark" },
  ], { left: "duckdb", right: "spark" });
  assert.deepEqual(rows, [
    { table: "a", "rows duckdb": 3, "rows spark": 2, mismatches: 1 },
    { table: "b", "rows duckdb": "?", "rows spark": "-", mismatches: 1 },
  ]);
});

Deno.test("parity reports a column type difference without counting it", () => {
  const left = {
    ...table(base),
    types: { country: "VARCHAR", deliveries: "DOUBLE", p50_hours: "DOUBLE" },
  };
  const right = {
    ...table(base),
    types: { country: "VARCHAR", deliveries: "BIGINT", p50_hours: "DOUBLE" },
  };
  const c = compareTables(left, right);
  assert.equal(c.mismatches, 0);
  assert.deepEqual(c.columns.typeDiffers, [{
    column: "deliveries",
    left: "DOUBLE",
    right: "BIGINT",
  }]);
  assert.match(
    formatDiff(c, { left: "duckdb", right: "spark" }),
    /type of deliveries: duckdb DOUBLE, spark BIGINT/,
  );
});
