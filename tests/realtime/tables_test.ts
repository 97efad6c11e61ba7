/** The real-time CLI's tables: what a window shows when it has no order to average. */
import assert from "node:assert/strict";
import { createAggregator } from "../../lib/realtime/mod.ts";
import { windowRows } from "../../lib/realtime/tables.ts";
import { click, order } from "./_events.ts";

Deno.test("a window's average order value is – without an order counted in revenue, not 0", () => {
  const agg = createAggregator();
  agg.add("clickstream", click("2026-11-26T10:00:05.000Z"));
  agg.add("orders", order("2026-11-26T10:01:05.000Z", { total_amount: 20 }));
  agg.add("orders", order("2026-11-26T10:01:35.000Z", { total_amount: 30 }));
  agg.add("orders", order("2026-11-26T10:02:05.000Z", { status: "canceled" }));
  const rows = windowRows(agg.snapshot());
  assert.deepEqual(rows.map((r) => [r.window, r.orders, r.revenue, r.aov]), [
    ["2026-11-26 10:00", 0, 0, "–"], // clicks only
    ["2026-11-26 10:01", 2, 50, 25],
    ["2026-11-26 10:02", 0, 0, "–"], // a canceled order: no revenue, no average
  ]);
});
