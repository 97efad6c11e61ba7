// %% [markdown]
// # 07 · Delivery status: locations, US returns, delivery times
//
// **Goal:** follow the original Databricks delivery notebook step by step (split the location,
// drop what is incomplete, keep the US returns), then measure delivery times the better way.
//
// You will learn:
// - the original cleaning again, and a second `dropna` after splitting `current_location` into
//   city and country (and which rows it silently loses);
// - how the original notebook's filter, counts and CSV look in DuckDB, each gold table's SQL
//   beside the PySpark of `databricks/delivery_status.py`;
// - how to pair events of one order (picked up → delivered) and take exact percentiles.
//
// **Needs:** nothing running. `LAKE` chooses the lake as in lesson 04.

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

// %% [markdown]
// ## 1. Real time first (in Databricks: counts by status on the live stream)
// Lesson 02 shows the live counts (`lib/realtime`). Here we start from what the sink stored.
//
// ## 2. Read the lake: sync, bronze view, rows and total count

// %%
const { lake, db, source, reason, writable } = await openLesson(config, "07-delivery-status", {
  lake: LAKE as LakeChoice,
  seed: SEED,
  events: EVENTS,
  start: START,
  topics: ["delivery-status"],
  writeToCloud: WRITE_TO_CLOUD,
});
const bronzeCount = Number(await db.value("SELECT count(*) FROM bronze.delivery_status"));
console.log(`lake: ${source}: ${reason}\nbronze.delivery_status: ${bronzeCount} rows`);
table(
  await nrt.queryRows(
    db,
    `SELECT ${
      nrt.originalColumns("delivery-status").map(nrt.sqlName).join(", ")
    } FROM bronze.delivery_status LIMIT ${SHOW_ROWS}`,
  ),
  `first ${SHOW_ROWS} rows`,
);

// %% [markdown]
// ## 3. Null counts; drop nulls; duplicate check; drop duplicates (the original cleaning)
// All four steps look only at the original data frame's columns (`nrt.originalColumns`: the
// original producers' fields and `year, month, day, hour`), as the original notebook did.

// %%
table([await nrt.nullCounts(db, "delivery-status")], "nulls per column");
const dupes = await nrt.duplicateGroups(db, "delivery-status", { limit: SHOW_ROWS });
table(
  dupes.map(({ order_id, status, timestamp, count }) => ({ order_id, status, timestamp, count })),
  "duplicate groups",
);
await db.run(`CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;
  CREATE OR REPLACE TABLE silver.delivery_status_original AS
    ${nrt.originalCleaningSql("delivery-status", "bronze.delivery_status")}`);
const originalCount = Number(
  await db.value("SELECT count(*) FROM silver.delivery_status_original"),
);
console.log(`after dropna + dropDuplicates: ${originalCount} rows`);

// %% [markdown]
// ## 4. Split `current_location` on ", " into city and country
// A location written without a country ("Lyon") gives a null country.

// %%
const split = await nrt.queryRows(
  db,
  `SELECT current_location, ${nrt.CITY_SQL} AS city, ${nrt.COUNTRY_SQL} AS country,
     count(*) AS rows
   FROM silver.delivery_status_original GROUP BY ALL
   ORDER BY country NULLS FIRST, rows DESC, current_location LIMIT ${SHOW_ROWS}`,
);
table(split, "split (rows without a country first)");

// %% [markdown]
// ## 5–6. Null counts again; drop rows with a null; drop `current_location`; reorder the columns
// **What you should see:** the rows without a country are gone: the original notebook loses
// those deliveries without a word. Columns: `delivery_person_id, order_id, status, city,
// country, …`. The SQL of this step:

// %%
console.log(nrt.deliverySplitSql("silver.delivery_status_original"));

// %%
await db.run(`CREATE OR REPLACE VIEW silver.delivery_status_split AS
  ${nrt.deliverySplitSql("silver.delivery_status_original")}`);
const splitCount = Number(await db.value("SELECT count(*) FROM silver.delivery_status_split"));
const noCountry = Number(
  await db.value(
    `SELECT count(*) FROM silver.delivery_status_original WHERE ${nrt.COUNTRY_SQL} IS NULL`,
  ),
);
console.log(`${originalCount} → ${splitCount} rows (${noCountry} without a country dropped)`);
const columns = (await nrt.queryRows<{ column_name: string }>(
  db,
  "DESCRIBE silver.delivery_status_split",
)).map((c) => c.column_name);
if (
  columns.join() !== nrt.DELIVERY_SPLIT_COLUMNS.join() || originalCount - splitCount !== noCountry
) throw new Error("split step differs from the original notebook");
console.log(`✔ columns: ${columns.join(", ")}`);

// %% [markdown]
// ## 7. Filter status = returned and country = USA; 8. counts by status, country, year, month,
// day
// The SQL `lib/nrt` runs for these gold tables, beside the PySpark of
// `databricks/delivery_status.py`:

// %%
const original = nrt.goldTablesOf("delivery-status").filter((g) => g.cleaning === "original");
await Deno.jupyter.display(await goldBeside(original.map((g) => g.name)));

// %%
await nrt.buildGold(db, original);
const returns = Number(await db.value("SELECT count(*) FROM gold.returns_usa"));
console.log(`returns_usa: ${returns} rows`);
const byStatus = await nrt.queryArrow(db, "SELECT * FROM gold.delivery_by_status");
barChart(byStatus, { x: "status", y: "count", title: "Delivery events by status" });

// %%
const byCountry = await nrt.queryArrow(db, "SELECT * FROM gold.delivery_by_country LIMIT 15");
barChart(byCountry, { x: "country", y: "count", title: "Delivery events by country (top 15)" });

// %%
const counts = [];
for (const dim of ["year", "month", "day"]) {
  for (const row of await nrt.queryRows(db, `SELECT * FROM gold.delivery_by_${dim}`)) {
    counts.push({ dimension: dim, value: row[dim], count: row.count });
  }
}
table(counts, "counts by year, month, day");

// %% [markdown]
// **What you should see:** the US returns match the `returned` rows whose country is USA.

// %%
const usaReturned = Number(
  await db.value(`SELECT count(*) FROM silver.delivery_status_split
    WHERE status = 'returned' AND country = 'USA'`),
);
if (usaReturned !== returns) throw new Error("returns_usa is off");
console.log(`✔ ${returns} US returns`);

// %% [markdown]
// ## 9. Write the US returns as CSV with a header to `analysis/returns_usa/`

// %%
if (writable) {
  console.log((await nrt.writeAnalysis(db, lake, ["returns_usa"])).join("\n"));
  const csv = new TextDecoder().decode(await lake.get("analysis/returns_usa/data.csv"));
  const lines = csv.trim().split("\n");
  console.log(`header: ${lines[0]}; ${lines.length - 1} rows`);
} else console.log("not written: the lake is a cloud account (set WRITE_TO_CLOUD = true)");

// %% [markdown]
// ## 10. The better practice: delivery times per country
// Better-cleaned rows (one per event identity: the `event_id`, or the content of a record
// without one; nulls kept); per order the earliest `picked_up` and the earliest `delivered`;
// hours between them; exact percentiles (`quantile_cont`, Spark `percentile`). The pairs per order are kept in `gold_state`, so an incremental pass only
// pairs the orders with new rows.

// %%
const better = nrt.goldTablesOf("delivery-status").filter((g) => g.cleaning === "better");
await Deno.jupyter.display(await goldBeside(better.map((g) => g.name)));

// %%
await db.run(`CREATE OR REPLACE TABLE silver.delivery_status AS
  ${nrt.betterCleaningSql("delivery-status", "bronze.delivery_status")}`);
await nrt.buildGold(db, better);
const times = await nrt.queryArrow(
  db,
  `SELECT country, deliveries, round(p50_hours, 1) AS p50_hours, round(p90_hours, 1) AS p90_hours,
     round(mean_hours, 1) AS mean_hours FROM gold.delivery_time_by_country LIMIT 10`,
);
await Deno.jupyter.display(
  table(nrt.arrowRows(times), "delivery_time_by_country (top 10 by deliveries)"),
);
barChart(times, { x: "country", y: "p50_hours", title: "Median hours from pick-up to delivery" });

// %% [markdown]
// **What you should see:** for every country p50 ≤ p90, and all times positive.

// %%
const bad = nrt.arrowRows(times).filter((r) =>
  !((r.p50_hours as number) <= (r.p90_hours as number) && (r.p50_hours as number) > 0)
);
if (bad.length) throw new Error(`odd delivery times: ${JSON.stringify(bad)}`);
console.log("✔ delivery times look sane");
if (writable) {
  await nrt.writeAnalysis(db, lake, nrt.goldTablesOf("delivery-status").map((g) => g.name));
}

// %% [markdown]
// ## Try it
// Write a query that counts the **failed** delivery events among the split rows
// (`silver.delivery_status_split`), and compare with the status chart of section 7.

// %%
const FAILED_SQL = ""; // your query, e.g. "SELECT count(*) FROM silver.delivery_status_split …"

// %%
const failed = nrt.arrowRows(byStatus).find((r) => r.status === "failed");
console.log(checkAnswer(FAILED_SQL && await db.value(FAILED_SQL), failed?.count ?? 0, {
  task: "count the failed deliveries",
  hint: "WHERE status = 'failed'",
}));

// %%
db.close();
await lake.close();

// %% [markdown]
// **Next:** the same tables in PySpark: `databricks/` and the parity check (`deno task parity`).
// Back to the start: [00 · Setup](00-setup.ipynb).
