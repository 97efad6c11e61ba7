// %% [markdown]
// # 06 · User profiles: the latest profile per user, and what each taste is worth
//
// **Goal:** reduce a stream of profile events to one current profile per user, then join it
// with orders to see revenue by preferred category.
//
// You will learn:
// - how a stream of changes becomes a table of current state ("latest row per key" with a
//   window);
// - how a nested struct (`details`) is read with an explicit schema and flattened;
// - a stream-to-table join, and why it is an inner join;
// - each gold table's SQL beside the PySpark of `databricks/user_profiles.py`.
//
// The original project had no user-profiles notebook: the tables are defined in
// `lib/nrt/TABLES.md`.
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
// ## 1. Read the lake: sync, bronze view
// `details` is a struct `{email, name, preferred_category}`.

// %%
const { lake, db, source, reason, writable } = await openLesson(config, "06-user-profiles", {
  lake: LAKE as LakeChoice,
  seed: SEED,
  events: EVENTS,
  start: START,
  topics: ["user-profiles", "orders"],
  writeToCloud: WRITE_TO_CLOUD,
});
console.log(`lake: ${source}: ${reason}`);
table(
  await nrt.queryRows(
    db,
    `SELECT user_id, "timestamp", action, details.email, details.preferred_category
     FROM bronze.user_profiles LIMIT ${SHOW_ROWS}`,
  ),
  `first ${SHOW_ROWS} rows`,
);

// %% [markdown]
// ## 2. Null counts and the two cleanings

// %%
table([await nrt.nullCounts(db, "user-profiles")], "nulls per column");
const comparison = await nrt.compareCleanings(db, "user-profiles");
table([comparison], "original vs better cleaning (rows)");

// %%
await db.run(`CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;
  CREATE OR REPLACE TABLE silver.user_profiles AS
    ${nrt.betterCleaningSql("user-profiles", "bronze.user_profiles")};
  CREATE OR REPLACE TABLE silver.orders AS ${nrt.betterCleaningSql("orders", "bronze.orders")}`);
const gold = nrt.goldTablesOf("user-profiles");
await nrt.buildGold(db, gold);
console.log(
  `silver.user_profiles: ${await db.value("SELECT count(*) FROM silver.user_profiles")} rows`,
);

// %% [markdown]
// ## 3. The gold tables: the SQL `lib/nrt` runs, beside the PySpark of
// `databricks/user_profiles.py`

// %%
await Deno.jupyter.display(await goldBeside(gold.map((g) => g.name)));

// %% [markdown]
// ## 4. Actions: how profiles change
// Every user starts with `profile_creation`; later events update, verify or reset.

// %%
const actions = await nrt.queryArrow(db, "SELECT * FROM gold.profile_action_counts");
barChart(actions, { x: "action", y: "count", title: "Profile events by action" });

// %% [markdown]
// ## 5. The latest profile per user
// Per `user_id`, the row with the latest `timestamp` (ties: the greatest `event_id`), among rows
// that still have a timestamp and details. **What you should see:** exactly one row per user.

// %%
const latestCount = Number(await db.value("SELECT count(*) FROM gold.profiles_latest"));
const users = Number(await db.value("SELECT count(DISTINCT user_id) FROM gold.profiles_latest"));
table(
  await nrt.queryRows(db, `SELECT * FROM gold.profiles_latest LIMIT ${SHOW_ROWS}`),
  "profiles_latest",
);
if (latestCount !== users) throw new Error("more than one latest row for a user");
console.log(`✔ ${latestCount} users, one current profile each`);

// %% [markdown]
// ## 6. The preferred-category mix

// %%
const mix = await nrt.queryArrow(
  db,
  "SELECT preferred_category, users, round(share, 4) AS share FROM gold.preferred_category_mix",
);
await Deno.jupyter.display(table(nrt.arrowRows(mix), "preferred_category_mix"));
barChart(mix, { x: "preferred_category", y: "users", title: "Users by preferred category" });

// %% [markdown]
// ## 7. Revenue by preferred category: completed orders joined with the latest profiles
// An inner join: an order whose user has no profile event in the lake (yet) has no category.
// **What you should see:** customers ≤ users of that category.

// %%
const revenue = await nrt.queryRows(
  db,
  `SELECT r.*, m.users FROM gold.revenue_by_preferred_category r
   JOIN gold.preferred_category_mix m USING (preferred_category)`,
);
await Deno.jupyter.display(table(revenue, "revenue_by_preferred_category"));
if (revenue.some((r) => (r.customers as number) > (r.users as number))) {
  throw new Error("more customers than users");
}
console.log("✔ every category's customers are among its users");

// %%
barChart(revenue, {
  x: "preferred_category",
  y: "revenue",
  title: "Revenue from completed orders by preferred category",
});

// %% [markdown]
// ## 8. Write the gold tables back to the lake

// %%
if (writable) console.log((await nrt.writeAnalysis(db, lake, gold.map((g) => g.name))).join("\n"));
else console.log("not written: the lake is a cloud account (set WRITE_TO_CLOUD = true)");

// %% [markdown]
// ## Try it
// Write a query for the number of users whose **latest** profile prefers `electronics` (over
// `gold.profiles_latest`), and compare with the mix of section 6.

// %%
const ELECTRONICS_SQL = ""; // your query, e.g. "SELECT count(*) FROM gold.profiles_latest …"

// %%
const electronics = nrt.arrowRows(mix).find((r) => r.preferred_category === "electronics");
console.log(checkAnswer(
  ELECTRONICS_SQL && await db.value(ELECTRONICS_SQL),
  electronics?.users ?? 0,
  { task: "count the users who prefer electronics", hint: "WHERE preferred_category = …" },
));

// %%
db.close();
await lake.close();

// %% [markdown]
// **Next:** [07 · Delivery status](07-delivery-status.ipynb): where parcels go, US returns and
// delivery times.
