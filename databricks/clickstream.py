# Databricks notebook source
# MAGIC %md
# MAGIC # Clickstream: bronze → silver → gold
# MAGIC
# MAGIC **Goal**: read the clickstream the sink connector wrote to ADLS Gen2, clean it the way the
# MAGIC original notebook did, and write the same analysis tables as `lib/nrt` (DuckDB) writes, so that
# MAGIC `deno task parity` can compare them. The steps follow the original notebook in order; the
# MAGIC real-time read of step 1 lives in `streaming.py`.
# MAGIC
# MAGIC Contract: `lib/nrt/TABLES.md`. Next: `orders`.

# COMMAND ----------

# MAGIC %md
# MAGIC ## Parameters
# MAGIC `lake_root` is where the connector writes (`topics/` under it); `output_root` (empty: the same)
# MAGIC receives `curated/` and `analysis/`. Credentials come only from the secret scope.

# COMMAND ----------

dbutils.widgets.text("lake_root", "abfss://lake@mystorageaccount.dfs.core.windows.net", "Lake root")
dbutils.widgets.text("output_root", "", "Output root (empty: lake root)")
dbutils.widgets.text("topic_prefix", "", "Topic prefix")
dbutils.widgets.text("secret_scope", "ecom-stream", "Secret scope")
dbutils.widgets.text("event_time_zone", "UTC", "Event time zone (EVENT_TIME_ZONE)")
dbutils.widgets.dropdown("storage_auth", "cluster", ["cluster", "service-principal", "sas"], "Storage auth")

# COMMAND ----------

# MAGIC %run ./_common

# COMMAND ----------

# MAGIC %md
# MAGIC ## 2. Read the raw clickstream
# MAGIC JSON lines with the explicit bronze schema; the hourly folders become `year`, `month`, `day`,
# MAGIC `hour`. Five rows, then the total.

# COMMAND ----------

clickstream = read_bronze("clickstream").cache()
display(clickstream.limit(5))
print("rows:", clickstream.count())

# COMMAND ----------

# MAGIC %md
# MAGIC ## 3. Null counts
# MAGIC One row, one column per column: how many nulls each holds.

# COMMAND ----------

display(null_counts(clickstream))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 4–6. Original cleaning
# MAGIC Over the columns the original data frame had (the original producers' six fields and the
# MAGIC partition columns, none we add): drop rows with a null, show the groups of identical rows,
# MAGIC drop exact duplicates.

# COMMAND ----------

display(duplicate_groups(original_frame(clickstream, "clickstream")))
clean = clean_original(clickstream, "clickstream").cache()
print("rows after the original cleaning:", clean.count())

# COMMAND ----------

# MAGIC %md
# MAGIC ## 7. Tablet traffic
# MAGIC The original notebook kept the tablet rows; they become `device_tablet`.

# COMMAND ----------

device_tablet = clean.where(F.col("device") == "tablet")
display(device_tablet.limit(5))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 8. Counts by device, event, page, referrer, year, month, day
# MAGIC Each ordered by `count` descending, over the original-cleaned rows.

# COMMAND ----------

for dim in ["device", "event", "page", "referrer", "year", "month", "day"]:
    counts = counts_by(clean, dim)
    display(counts)
    write_gold(counts, f"clickstream_by_{dim}")

# COMMAND ----------

# MAGIC %md
# MAGIC ## 9. Write the tablet rows
# MAGIC CSV with a header, mode overwrite, to `analysis/device_tablet/` (and Parquet beside it).

# COMMAND ----------

write_gold(device_tablet, "device_tablet")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Silver: the better-cleaned clickstream
# MAGIC One row per event (its `event_id`, or its content when it has none), nulls kept, written to
# MAGIC `curated/clickstream/`.

# COMMAND ----------

better = clean_better(clickstream, "clickstream").cache()
write_silver(better, "clickstream")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Hourly traffic
# MAGIC Events, distinct users and distinct sessions per hour (nulls not counted as a user or session;
# MAGIC `sessions` is null, "not available for this data", in an hour without any `session_id`, as the
# MAGIC original producers' records have none).

# COMMAND ----------

hourly = (
    better.groupBy("year", "month", "day", "hour")
    .agg(
        F.count(F.lit(1)).alias("events"),
        F.countDistinct("user_id").alias("users"),
        F.when(F.count("session_id") > 0, F.countDistinct("session_id")).alias("sessions"),
    )
    .orderBy("year", "month", "day", "hour")
)
display(hourly)
write_gold(hourly, "clickstream_hourly_traffic")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Funnel
# MAGIC Distinct sessions reaching each step: a page view, a product page, an add to cart, a checkout,
# MAGIC and an order (the session appears in the better-cleaned orders). `rate` is relative to step 1.
# MAGIC Without any `session_id` (the original producers' clickstream) the funnel is not available for
# MAGIC this data: no rows rather than zeros.

# COMMAND ----------

order_sessions = (
    clean_better(read_bronze("orders"), "orders")
    .where(F.col("session_id").isNotNull())
    .select("session_id")
    .distinct()
)
sessions = better.where(F.col("session_id").isNotNull())
steps = [
    (1, "page_view", sessions.where(F.col("event") == "page_view")),
    (2, "product_page", sessions.where(F.col("page") == "product_page")),
    (3, "add_to_cart", sessions.where(F.col("event") == "add_to_cart")),
    (4, "checkout", sessions.where(F.col("event") == "checkout")),
    (5, "order", sessions.join(order_sessions, "session_id", "left_semi")),
]
counted = None
for order, step, rows in steps:
    one = rows.agg(F.countDistinct("session_id").alias("sessions")).select(
        F.lit(order).alias("step_order"), F.lit(step).alias("step"), "sessions"
    )
    counted = one if counted is None else counted.unionByName(one)
first_step = counted.where(F.col("step_order") == 1).select(F.col("sessions").alias("_first"))
if sessions.limit(1).count() == 0:
    print("funnel: not available for this data (no session_id in the clickstream)")
    counted = counted.limit(0)
funnel = (
    counted.crossJoin(first_step)
    .select(
        "step_order",
        "step",
        "sessions",
        # NULL rather than a division by zero when no session viewed a page.
        F.when(F.col("_first") > 0, F.col("sessions") / F.col("_first")).alias("rate"),
    )
    .orderBy("step_order")
)
display(funnel)
write_gold(funnel, "clickstream_funnel")

# COMMAND ----------

# MAGIC %md
# MAGIC **What you should see**: the funnel narrows at every step; `rate` of step 1 is 1.0.
# MAGIC Next notebook: `orders`.
