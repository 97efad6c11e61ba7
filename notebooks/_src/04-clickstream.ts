// %% [markdown]
// # 04 · Clickstream in the lake: bronze → silver → gold with DuckDB
//
// **Goal:** analyse the clickstream the sink wrote to the lake, step by step as the original
// Databricks notebook did it, and then the way it should be done.
//
// You will learn:
// - how the raw lake (`topics/clickstream/year=…/hour=…/*.json`) is synced incrementally into a
//   local cache and read by DuckDB with an explicit schema and typed partition columns (bronze);
// - the original notebook's cleaning (null counts, `dropna`, duplicate check, `dropDuplicates`),
//   its tablet filter and counts, and the CSV it writes to `analysis/device_tablet/`;
// - why de-duplicating by event identity (the `event_id`, or the content of a record without
//   one) and keeping optional nulls is the better practice, and what it changes;
// - each gold table's SQL beside the PySpark of `databricks/clickstream.py` that mirrors it;
// - how query results reach charts as Arrow tables (DuckDB → Parquet → Arrow), the fast path.
//
// **Needs:** nothing running. `LAKE` chooses what to read: `"auto"` reads the pipeline's lake
// (`LAKE_URL`) when it holds clickstream files (after `./dev demo`, or produce + sink) and a lake
// seeded locally from `SEED`/`EVENTS`/`START` otherwise; `"seeded"` and `"configured"` force one.
// Table names and columns: `lib/nrt/TABLES.md`.

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
import {
  checkAnswer,
  goldBeside,
  type LakeChoice,
  lessonLake,
  lessonWorkDir,
} from "../lib/notebooks/mod.ts";
import * as nrt from "../lib/nrt/mod.ts";
import { barChart, lineChart, table } from "../lib/viz/mod.ts";

const config = loadConfig();

// %% [markdown]
// ## 1. Real time first (in Databricks: Structured Streaming on the topic)
// The original notebook starts by reading the Kafka topic live, parsing each value with a schema
// of six string fields. Lesson 02 does that here (`lib/realtime`); this lesson reads what the
// sink stored. Those six fields are the *original fields*; with the partition columns
// `year, month, day, hour` they are the original data frame's columns, the only ones the original
// cleaning looks at (`nrt.originalColumns`). The others (`event_id`, `session_id`, …) are ours.

// %%
table(
  nrt.BRONZE_COLUMNS.clickstream.map(([column, type]) => ({
    column,
    type,
    original: nrt.originalColumns("clickstream").includes(column) ? "yes" : "added",
  })),
  "clickstream columns",
);

// %% [markdown]
// ## 2. Read the lake (in Databricks: mount the container, `spark.read.json("topics/")`)
// DuckDB cannot read Azure here, so new raw files are pulled into a local cache first (a
// checkpoint remembers path, size and time: a second sync pulls nothing). Then a bronze view
// reads the cache with an explicit schema; `year, month, day, hour` come from the folder names,
// typed INTEGER. The lesson's cache and database live in a work folder of its own, emptied first.

// %%
const { lake, source, reason, writable } = await lessonLake(config, {
  lake: LAKE as LakeChoice,
  seed: SEED,
  events: EVENTS,
  start: START,
  topics: ["clickstream", "orders"],
  writeToCloud: WRITE_TO_CLOUD,
});
const workDir = await lessonWorkDir(config, "04-clickstream");
const cacheDir = `${workDir}/cache`;
const sync = await nrt.syncLake(lake, { cacheDir, topicPrefix: config.kafka.topicPrefix });
const again = await nrt.syncLake(lake, { cacheDir, topicPrefix: config.kafka.topicPrefix });
const db = await nrt.NrtDb.open({ workDir });
await nrt.createBronzeViews(db, cacheDir);
console.log(`lake: ${source}: ${reason}`);
table([
  { sync: "first", pulled: sync.synced.length, unchanged: sync.unchanged },
  { sync: "second", pulled: again.synced.length, unchanged: again.unchanged },
], "sync (a second sync pulls nothing)");

// %%
const bronzeRows = await nrt.queryRows(
  db,
  `SELECT event, user_id, "timestamp", page, referrer, device, year, month, day, hour
   FROM bronze.clickstream LIMIT ${SHOW_ROWS}`,
);
const bronzeCount = Number(await db.value("SELECT count(*) FROM bronze.clickstream"));
console.log(`bronze.clickstream: ${bronzeCount} rows`);
table(bronzeRows, `first ${SHOW_ROWS} rows`);

// %% [markdown]
// **What you should see:** a few rows, and `hour` as a number (without `hive_types` DuckDB would
// read `hour=09` as the text `"09"`).

// %%
const partitionTypes = await nrt.queryRows<{ column_name: string; column_type: string }>(
  db,
  `SELECT column_name, column_type FROM (DESCRIBE bronze.clickstream)
   WHERE column_name IN ('year', 'month', 'day', 'hour')`,
);
if (partitionTypes.some((c) => c.column_type !== "INTEGER")) {
  throw new Error("partition columns must be INTEGER");
}
if (again.synced.length !== 0) throw new Error("a second sync should pull nothing");
console.log("✔ bronze has typed partition columns; the second sync pulled nothing");

// %% [markdown]
// ## 3. Null counts (one row, one column per column of the original data frame)
// Before dropping anything, count what is missing in the columns the original notebook had. A
// null there is a lost field: the original cleaning drops the whole row for it.

// %%
const nulls = await nrt.nullCounts(db, "clickstream");
table([nulls], "nulls per column");

// %% [markdown]
// ## 4. Drop rows with a null (the original `dropna()`, on the original fields)

// %%
const notNull = nrt.originalNotNull("clickstream");
const afterNulls = Number(
  await db.value(`SELECT count(*) FROM bronze.clickstream WHERE ${notNull}`),
);
console.log(
  `${bronzeCount} → ${afterNulls} rows (${bronzeCount - afterNulls} with a null original field ` +
    "dropped)",
);

// %% [markdown]
// ## 5. Duplicate check: groups of identical rows seen more than once
// A producer retry sends the same record twice: identical in every column of the original data
// frame, so the original check finds it.

// %%
const dupes = await nrt.duplicateGroups(db, "clickstream", { limit: SHOW_ROWS });
table(
  dupes.map(({ event, user_id, timestamp, device, count }) => ({
    event,
    user_id,
    timestamp,
    device,
    count,
  })),
  "duplicate groups",
);

// %% [markdown]
// ## 6. Drop exact duplicates (the original `dropDuplicates()`): silver, the original way

// %%
await db.run(`CREATE SCHEMA IF NOT EXISTS silver;
  CREATE OR REPLACE TABLE silver.clickstream_original AS
    ${nrt.originalCleaningSql("clickstream", "bronze.clickstream")}`);
const originalCount = Number(await db.value("SELECT count(*) FROM silver.clickstream_original"));
console.log(`silver.clickstream_original: ${originalCount} rows`);

// %% [markdown]
// **What you should see:** no row with a null original field and no two identical rows are
// left; each step dropped what it found (a lake written without faults loses nothing).

// %%
const left = await nrt.queryRows<{ nulls: number; distinct_rows: number }>(
  db,
  `SELECT count(*) FILTER (WHERE NOT (${notNull})) AS nulls,
     (SELECT count(*) FROM (SELECT DISTINCT * FROM silver.clickstream_original)) AS distinct_rows
   FROM silver.clickstream_original`,
);
if (Number(left[0].nulls) !== 0 || Number(left[0].distinct_rows) !== originalCount) {
  throw new Error("silver.clickstream_original still has nulls or identical rows");
}
if (!(originalCount <= afterNulls && afterNulls <= bronzeCount)) {
  throw new Error("a cleaning step added rows");
}
console.log(
  `✔ nulls and duplicates dropped: ${bronzeCount - afterNulls} rows with a null, ` +
    `${afterNulls - originalCount} duplicates`,
);

// %% [markdown]
// ## 7. Filter device = tablet

// %%
const tabletCount = Number(
  await db.value("SELECT count(*) FROM silver.clickstream_original WHERE device = 'tablet'"),
);
const share = originalCount ? (100 * tabletCount / originalCount).toFixed(1) : "0";
console.log(`tablet rows: ${tabletCount} (${share}% of the cleaned rows)`);

// %% [markdown]
// ## 8. Counts by device, event, page, referrer, year, month, day
// Each is a gold table (`clickstream_by_<dim>`: columns `<dim>, count`, most frequent first),
// and so is `device_tablet`. Here is the SQL `lib/nrt` runs for them, beside the PySpark of
// `databricks/clickstream.py`, both read from their sources.

// %%
const originalGold = nrt.goldTablesOf("clickstream").filter((g) => g.cleaning === "original");
await Deno.jupyter.display(await goldBeside(originalGold.map((g) => g.name)));

// %% [markdown]
// Query results come back as Arrow tables (DuckDB → Parquet → Arrow) and go straight to Plot.

// %%
await nrt.buildGold(db, originalGold);
const byDevice = await nrt.queryArrow(db, "SELECT * FROM gold.clickstream_by_device");
barChart(byDevice, {
  x: "device",
  y: "count",
  title: "Clickstream events by device (original cleaning)",
});

// %%
const byEvent = await nrt.queryArrow(db, "SELECT * FROM gold.clickstream_by_event");
barChart(byEvent, { x: "event", y: "count", title: "Clickstream events by type" });

// %%
const counts = [];
for (const dim of ["page", "referrer", "year", "month", "day"]) {
  for (const row of await nrt.queryRows(db, `SELECT * FROM gold.clickstream_by_${dim}`)) {
    counts.push({ dimension: dim, value: row[dim], count: row.count });
  }
}
table(counts, "counts by page, referrer, year, month, day");

// %% [markdown]
// **What you should see:** every count table adds up to the cleaned row count.

// %%
const deviceRows = nrt.arrowRows(byDevice);
const deviceTotal = deviceRows.reduce((sum, r) => sum + (r.count as number), 0);
if (deviceTotal !== originalCount) {
  throw new Error(`device counts add up to ${deviceTotal}, not ${originalCount}`);
}
const tablets = deviceRows.find((r) => r.device === "tablet")?.count ?? 0;
console.log(`✔ device counts add up to ${deviceTotal}; tablet: ${tablets}`);

// %% [markdown]
// ## 9. Write the tablet rows as CSV with a header to `analysis/device_tablet/`
// As the original notebook (mode overwrite); we also write Parquet to
// `analysis/parquet/device_tablet/`.

// %%
if (writable) {
  const written = await nrt.writeAnalysis(db, lake, ["device_tablet"]);
  const csv = new TextDecoder().decode(await lake.get("analysis/device_tablet/data.csv"));
  const csvLines = csv.trim().split("\n");
  console.log(written.join("\n"));
  console.log(`CSV: header + ${csvLines.length - 1} rows; header: ${csvLines[0]}`);
} else console.log("not written: the lake is a cloud account (set WRITE_TO_CLOUD = true)");

// %% [markdown]
// ## 10. The better practice: de-duplicate by event identity, keep optional nulls
// Dropping every row with a null throws away real events (a click whose referrer got lost is
// still a click), and "identical rows" misses a retry that differs in one field. One row per
// event identity — its `event_id`, or for a record without one (the original producers') a hash
// of its content, silver's `event_key` — keeps every real event once; each analysis then
// ignores nulls only in the fields it uses.

// %%
const comparison = await nrt.compareCleanings(db, "clickstream");
table([comparison], "original vs better cleaning (rows)");
await db.run(`CREATE OR REPLACE TABLE silver.clickstream AS
    ${nrt.betterCleaningSql("clickstream", "bronze.clickstream")};
  CREATE OR REPLACE TABLE silver.orders AS ${nrt.betterCleaningSql("orders", "bronze.orders")}`);

// %% [markdown]
// **What you should see:** `better` keeps at least as many rows as `original`: the difference
// is the rows with a lost field, which the original cleaning drops entirely.

// %%
if (comparison.difference < 0) throw new Error("the better cleaning should keep more rows");
console.log(`✔ the better cleaning keeps ${comparison.difference} more events`);

// %% [markdown]
// ## 11. Gold on the better-cleaned rows: hourly traffic and the funnel
// `clickstream_hourly_traffic`: events, distinct users and sessions per hour.
// `clickstream_funnel`: sessions reaching each step; the last step is sessions that placed an
// order. The funnel keeps one row of flags per session (`gold_state`), so that an incremental
// pass only updates the sessions with new rows.

// %%
const betterGold = nrt.goldTablesOf("clickstream").filter((g) => g.cleaning === "better");
await Deno.jupyter.display(await goldBeside(betterGold.map((g) => g.name)));

// %%
await nrt.buildGold(db, betterGold);
const hourly = await nrt.queryArrow(
  db,
  `SELECT make_timestamp(year, month, day, hour, 0, 0) AS hour, events, sessions
   FROM gold.clickstream_hourly_traffic ORDER BY 1`,
);
lineChart(hourly, { x: "hour", y: "events", title: "Clickstream events per hour" });

// %%
const funnel = await nrt.queryArrow(
  db,
  `SELECT step_order, step, sessions, round(rate, 3) AS rate
   FROM gold.clickstream_funnel ORDER BY step_order`,
);
await Deno.jupyter.display(table(nrt.arrowRows(funnel), "funnel"));
barChart(funnel, { x: "step", y: "sessions", sort: false, title: "Sessions reaching each step" });

// %% [markdown]
// **What you should see:** the funnel narrows from product pages to carts to checkouts; nearly
// every checkout session has an order (a few more orders than checkouts means a checkout record
// was lost on the way: a malformed line the sink set aside).

// %%
const steps = nrt.arrowRows(funnel);
const [, product, cart, checkout] = steps.map((s) => s.sessions as number);
if (!(checkout <= cart && cart <= product)) throw new Error("the funnel should narrow");
console.log(`✔ ${steps[0].sessions} sessions viewed a page, ${steps[4].sessions} ordered`);

// %% [markdown]
// ## 12. The fast path, measured on the tablet rows
// Arrow through Parquet against one JS object per row (the gap grows with the rows: ≈5× at 1M,
// see the benchmark in the README).

// %% tags=["volatile"]
// (Volatile: a measured duration.)
let t = performance.now();
const arrow = await nrt.queryArrow(db, "SELECT * FROM gold.device_tablet");
const arrowMs = performance.now() - t;
t = performance.now();
const rows = await nrt.queryRows(db, "SELECT * FROM gold.device_tablet");
const rowsMs = performance.now() - t;
table([
  { path: "DuckDB → Parquet → Arrow", rows: arrow.numRows, ms: Math.round(arrowMs) },
  { path: "DuckDB → JS rows", rows: rows.length, ms: Math.round(rowsMs) },
], "fast path");

// %% [markdown]
// ## Try it
// Write a query that counts the **mobile** events among the original-cleaned rows
// (`silver.clickstream_original`), and compare with the bar chart of section 8.

// %%
const MOBILE_SQL = ""; // your query, e.g. "SELECT count(*) FROM silver.clickstream_original …"

// %%
console.log(checkAnswer(
  MOBILE_SQL && await db.value(MOBILE_SQL),
  deviceRows.find((r) => r.device === "mobile")?.count ?? 0,
  { task: "count the mobile events", hint: "… WHERE device = 'mobile'" },
));

// %%
db.close();
await lake.close();

// %% [markdown]
// **Next:** [05 · Orders](05-orders.ipynb): revenue, top products and the order summary.
