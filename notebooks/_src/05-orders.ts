// %% [markdown]
// # 05 · Orders in the lake: revenue, top products, the order summary
//
// **Goal:** turn the raw orders into the revenue tables a shop looks at every morning.
//
// You will learn:
// - the same bronze → silver → gold walk as lesson 04, for a topic the original project never
//   analysed (it had no orders notebook): its tables are defined in `lib/nrt/TABLES.md`;
// - how to flatten the nested `items` array into one row per item (`unnest` in DuckDB,
//   `explode` in Spark);
// - why revenue counts completed orders only, and how the summary's numbers relate;
// - each gold table's SQL beside the PySpark of `databricks/orders.py`.
//
// **Needs:** nothing running. `LAKE` chooses the lake as in lesson 04 (`"auto"`: the pipeline's
// lake when it holds orders, else a lake seeded locally from `SEED`/`EVENTS`/`START`).

// %%
// Parameters
const LAKE = "auto"; // "auto" | "seeded" | "configured"
const SEED = 42; // the seeded lake's simulation (editing these selects a seeded lake)
const EVENTS = 20_000;
const START = new Date("2026-11-26T00:00:00Z");
const SHOW_ROWS = 5;
const WRITE_TO_CLOUD = false; // write analysis/ into a cloud lake (abfss://) only if true

// %%
import { loadConfig } from "../lib/config/mod.ts";
import { checkAnswer, goldBeside, type LakeChoice, openLesson } from "../lib/notebooks/mod.ts";
import * as nrt from "../lib/nrt/mod.ts";
import { barChart, table } from "../lib/viz/mod.ts";

const config = loadConfig();
/** A number with two decimals, or "–" when there is none (no completed order yet). */
const money = (n: unknown) => (typeof n === "number" ? n.toFixed(2) : "–");

// %% [markdown]
// ## 1. Read the lake: sync the raw files, bronze view with the explicit schema
// `items` is an array of structs `{product_id, quantity BIGINT, price DOUBLE}`; `total_amount`
// is DOUBLE.

// %%
const { lake, db, source, reason, writable, sync } = await openLesson(config, "05-orders", {
  lake: LAKE as LakeChoice,
  seed: SEED,
  events: EVENTS,
  start: START,
  topics: ["orders"],
  writeToCloud: WRITE_TO_CLOUD,
});
console.log(`lake: ${source}: ${reason}; ${sync.synced.length} files pulled`);
const bronzeCount = Number(await db.value("SELECT count(*) FROM bronze.orders"));
console.log(`bronze.orders: ${bronzeCount} rows`);
table(
  await nrt.queryRows(
    db,
    `SELECT order_id, user_id, "timestamp", len(items) AS items, total_amount, payment_method,
       status FROM bronze.orders LIMIT ${SHOW_ROWS}`,
  ),
  `first ${SHOW_ROWS} orders`,
);

// %% [markdown]
// ## 2. Null counts, then the two cleanings
// The original way would drop every order with a null anywhere; the better way keeps one row
// per event identity (the `event_id`, or the content of a record without one) and lets each
// table skip only the nulls it cannot use. The null counts are over the original data frame's
// columns, the ones the original way looks at.

// %%
table([await nrt.nullCounts(db, "orders")], "nulls per column");
const comparison = await nrt.compareCleanings(db, "orders");
table([comparison], "original vs better cleaning (rows)");

// %%
await db.run(`CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;
  CREATE OR REPLACE TABLE silver.orders AS ${nrt.betterCleaningSql("orders", "bronze.orders")}`);
const silverCount = Number(await db.value("SELECT count(*) FROM silver.orders"));
if (silverCount !== comparison.better) {
  throw new Error("silver.orders should hold the better-cleaned rows");
}
console.log(
  `✔ silver.orders: ${silverCount} orders (${comparison.duplicateEvents} duplicate sends removed)`,
);

// %% [markdown]
// ## 3. The gold tables: the SQL `lib/nrt` runs, beside the PySpark of `databricks/orders.py`

// %%
const gold = nrt.goldTablesOf("orders");
await Deno.jupyter.display(await goldBeside(gold.map((g) => g.name)));

// %% [markdown]
// ## 4. One row per item: `order_items`
// `line_total = round(quantity × price, 2)`; an order's lines add up to its `total_amount`.

// %%
await nrt.buildGold(db, gold);
table(await nrt.queryRows(db, `SELECT * FROM gold.order_items LIMIT ${SHOW_ROWS}`), "order_items");
const mismatched = Number(
  await db.value(`SELECT count(*) FROM (SELECT o.order_id
    FROM silver.orders o JOIN gold.order_items i USING (order_id)
    GROUP BY o.order_id, o.total_amount HAVING abs(sum(i.line_total) - o.total_amount) > 0.005)`),
);
if (mismatched) throw new Error(`${mismatched} orders do not add up`);
console.log("✔ every order's lines add up to its total_amount");

// %% [markdown]
// ## 5. Revenue per day and payment method (completed orders only)
// A pending order may still fail and a canceled one never pays: revenue counts `completed`
// only.

// %%
const byDay = await nrt.queryArrow(db, "SELECT * FROM gold.orders_revenue_by_day");
const byDayChart = await nrt.queryArrow(
  db,
  "SELECT substr(day, 6) AS day, payment_method, revenue FROM gold.orders_revenue_by_day",
);
barChart(byDayChart, {
  x: "day",
  y: "revenue",
  fill: "payment_method",
  sort: false,
  title: "Revenue per day by payment method",
});

// %% [markdown]
// ## 6. The top products by revenue

// %%
const top = await nrt.queryArrow(db, "SELECT * FROM gold.orders_top_products LIMIT 10");
await Deno.jupyter.display(table(nrt.arrowRows(top), "top 10 products"));
barChart(top, { x: "product_id", y: "revenue", title: "Top 10 products by revenue" });

// %% [markdown]
// ## 7. The summary: orders, statuses, cancel rate, revenue, average order value
// **What you should see:** `completed + pending + canceled = orders`, and revenue equals the sum
// of the per-day revenue above plus the completed orders whose payment method got lost (to the
// cent).

// %%
const [summary] = await nrt.queryRows(db, "SELECT * FROM gold.orders_summary");
table([summary], "orders_summary");

// %%
const dayRows = nrt.arrowRows(byDay);
const dayTotal = dayRows.reduce((s, r) => s + (r.revenue as number), 0);
const noMethod = Number(
  await db.value(`SELECT coalesce(sum(total_amount), 0) FROM silver.orders
    WHERE status = 'completed' AND payment_method IS NULL`),
);
const s = summary as Record<string, number>;
if (s.completed + s.pending + s.canceled !== s.orders) throw new Error("statuses do not add up");
if (Math.abs(dayTotal + noMethod - (s.revenue ?? 0)) > 0.01 * (dayRows.length + 1)) {
  throw new Error("revenue does not add up");
}
console.log(`✔ ${s.orders} orders, revenue ${money(s.revenue)}, AOV ${money(s.aov)}`);

// %% [markdown]
// ## 8. Write the gold tables back to the lake: `analysis/<name>/data.csv` and Parquet

// %%
if (writable) console.log((await nrt.writeAnalysis(db, lake, gold.map((g) => g.name))).join("\n"));
else console.log("not written: the lake is a cloud account (set WRITE_TO_CLOUD = true)");

// %% [markdown]
// ## Try it
// Write a query for the revenue of the **completed orders paid with paypal** (over
// `silver.orders`, rounded to the cent), and compare with the chart of section 5.

// %%
const PAYPAL_SQL = ""; // your query, e.g. "SELECT round(sum(total_amount), 2) FROM silver.orders …"

// %%
const paypal = dayRows.filter((r) => r.payment_method === "paypal")
  .reduce((sum, r) => sum + (r.revenue as number), 0);
console.log(checkAnswer(PAYPAL_SQL && await db.value(PAYPAL_SQL), paypal, {
  task: "the revenue of completed paypal orders",
  hint: "WHERE status = 'completed' AND payment_method = 'paypal'",
  tolerance: 0.01 * (dayRows.length + 1),
}));

// %%
db.close();
await lake.close();

// %% [markdown]
// **Next:** [06 · User profiles](06-user-profiles.ipynb): the latest profile per user, and
// revenue by taste.
