# Databricks notebook source
# MAGIC %md
# MAGIC # Delivery status: bronze → silver → gold
# MAGIC
# MAGIC **Goal**: the original delivery notebook's steps, in its order (clean, split the location into
# MAGIC city and country, returns in the USA, counts), then delivery times per country from the
# MAGIC **better** cleaning. The real-time counts by status of step 1 live in `streaming.py`.
# MAGIC
# MAGIC Contract: `lib/nrt/TABLES.md`. Previous: `user_profiles`; next: `streaming`.

# COMMAND ----------

# MAGIC %md
# MAGIC ## Parameters

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
# MAGIC ## 2. Read the raw delivery events
# MAGIC Five rows, then the total.

# COMMAND ----------

deliveries = read_bronze("delivery-status").cache()
display(deliveries.limit(5))
print("rows:", deliveries.count())

# COMMAND ----------

# MAGIC %md
# MAGIC ## 3. Null counts, drop nulls, duplicate check, drop duplicates

# COMMAND ----------

# The original data frame's columns: the producers' five fields and the partition columns.
original = original_frame(deliveries, "delivery-status")
display(null_counts(original))
display(duplicate_groups(original))
clean = clean_original(deliveries, "delivery-status")

# COMMAND ----------

# MAGIC %md
# MAGIC ## 4. Split the location
# MAGIC `current_location` is "City, Country": `city` is the first part, `country` the second (null
# MAGIC when there is none).

# COMMAND ----------


def split_location(df):
    parts = F.split(F.col("current_location"), ", ")
    return df.withColumn("city", F.get(parts, 0)).withColumn("country", F.get(parts, 1))


located = split_location(clean)

# COMMAND ----------

# MAGIC %md
# MAGIC ## 5. Null counts again; drop nulls; drop `current_location`
# MAGIC Locations without a country disappear here.

# COMMAND ----------

display(null_counts(located))
located = located.dropna(how="any").drop("current_location")

# COMMAND ----------

# MAGIC %md
# MAGIC ## 6. Reorder the columns
# MAGIC Who, which order, what, where first; then the rest in their existing order.

# COMMAND ----------

FIRST = ["delivery_person_id", "order_id", "status", "city", "country"]
located = located.select(FIRST + [c for c in located.columns if c not in FIRST]).cache()
display(located.limit(5))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 7. Returns in the USA

# COMMAND ----------

returns_usa = located.where((F.col("status") == "returned") & (F.col("country") == "USA"))
display(returns_usa.limit(5))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 8. Counts by status, country, year, month, day
# MAGIC Over all split rows (not only returns), each ordered by `count` descending.

# COMMAND ----------

for dim in ["status", "country", "year", "month", "day"]:
    counts = counts_by(located, dim)
    display(counts)
    write_gold(counts, f"delivery_by_{dim}")

# COMMAND ----------

# MAGIC %md
# MAGIC ## 9. Write the returns
# MAGIC CSV with a header, mode overwrite, to `analysis/returns_usa/` (and Parquet beside it).

# COMMAND ----------

write_gold(returns_usa, "returns_usa")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Silver: the better-cleaned delivery events
# MAGIC One row per event (its `event_id`, or its content when it has none), nulls kept, written to
# MAGIC `curated/delivery-status/`.

# COMMAND ----------

better = clean_better(deliveries, "delivery-status").cache()
write_silver(better, "delivery-status")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Delivery time per country
# MAGIC Rows with a null order, status, event time or country are left out. Per order: the earliest
# MAGIC `picked_up` and the earliest `delivered` (orders having both, delivered strictly after picked
# MAGIC up), the country of that delivered row; hours between them. Per country: count, exact median
# MAGIC and 90th percentile, mean.

# COMMAND ----------

usable = ["order_id", "status", "event_time", "country"]
events = split_location(better).dropna(how="any", subset=usable)
millis = F.unix_millis("event_time")
picked = (
    events.where(F.col("status") == "picked_up")
    .groupBy("order_id")
    .agg(F.min(millis).alias("picked_ms"))
)
first_delivered = Window.partitionBy("order_id").orderBy(millis, F.col("country"))
delivered = (
    events.where(F.col("status") == "delivered")
    .withColumn("_n", F.row_number().over(first_delivered))
    .where(F.col("_n") == 1)
    .select("order_id", "country", millis.alias("delivered_ms"))
)
hours = (
    picked.join(delivered, "order_id")
    .where(F.col("delivered_ms") > F.col("picked_ms"))
    .select("country", ((F.col("delivered_ms") - F.col("picked_ms")) / 3_600_000).alias("hours"))
)
delivery_time = (
    hours.groupBy("country")
    .agg(
        F.count(F.lit(1)).alias("deliveries"),
        F.percentile("hours", 0.5).alias("p50_hours"),
        F.percentile("hours", 0.9).alias("p90_hours"),
        F.avg("hours").alias("mean_hours"),
    )
    .orderBy(F.col("deliveries").desc(), "country")
)
display(delivery_time)
write_gold(delivery_time, "delivery_time_by_country")

# COMMAND ----------

# MAGIC %md
# MAGIC **What you should see**: `returns_usa` holds only returned deliveries in US cities; delivery
# MAGIC times of a few hours to a few days. Next notebook: `streaming`.
