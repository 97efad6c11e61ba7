# Databricks notebook source
# MAGIC %md
# MAGIC # User profiles: bronze → silver → gold
# MAGIC
# MAGIC **Goal**: each user's latest profile, what users do with their profiles, and which preferred
# MAGIC categories bring revenue. No original notebook existed for this topic; the **better**
# MAGIC cleaning applies (one row per event identity, nulls kept).
# MAGIC
# MAGIC Contract: `lib/nrt/TABLES.md`. Previous: `orders`; next: `delivery_status`.

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
# MAGIC ## Read the raw profile events
# MAGIC `details` is a struct of `email`, `name`, `preferred_category`.

# COMMAND ----------

profiles_raw = read_bronze("user-profiles").cache()
display(profiles_raw.limit(5))
print("rows:", profiles_raw.count())
display(null_counts(profiles_raw))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Better cleaning, silver
# MAGIC One row per event (its `event_id`, or its content when it has none), written to
# MAGIC `curated/user-profiles/`.

# COMMAND ----------

profiles = clean_better(profiles_raw, "user-profiles").cache()
write_silver(profiles, "user-profiles")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Latest profile per user
# MAGIC Among rows with an event time and details: the latest event time, ties to the greatest
# MAGIC `event_id`, then (records without one) to the greatest other values, so the choice never
# MAGIC depends on row order.

# COMMAND ----------

latest_first = Window.partitionBy("user_id").orderBy(
    F.col("event_time").desc(), F.col("event_id").desc_nulls_last(),
    F.col("timestamp").desc(), F.col("action").desc_nulls_last(),
    F.col("details.email").desc_nulls_last(), F.col("details.name").desc_nulls_last(),
    F.col("details.preferred_category").desc_nulls_last(),
)
profiles_latest = (
    profiles.where(F.col("event_time").isNotNull() & F.col("details").isNotNull())
    .withColumn("_n", F.row_number().over(latest_first))
    .where(F.col("_n") == 1)
    .select(
        "user_id", "timestamp", "action",
        F.col("details.email").alias("email"),
        F.col("details.name").alias("name"),
        F.col("details.preferred_category").alias("preferred_category"),
    )
    .cache()
)
display(profiles_latest.limit(5))
write_gold(profiles_latest, "profiles_latest")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Profile actions

# COMMAND ----------

action_counts = counts_by(profiles.where(F.col("action").isNotNull()), "action")
display(action_counts)
write_gold(action_counts, "profile_action_counts")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Preferred-category mix
# MAGIC Users per preferred category (latest profile), and their share of all such users.

# COMMAND ----------

with_category = profiles_latest.where(F.col("preferred_category").isNotNull())
all_users = with_category.count()
category_mix = (
    with_category.groupBy("preferred_category")
    .agg(F.count(F.lit(1)).alias("users"))
    .select("preferred_category", "users", (F.col("users") / F.lit(all_users)).alias("share"))
    .orderBy(F.col("users").desc(), "preferred_category")
)
display(category_mix)
write_gold(category_mix, "preferred_category_mix")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Revenue by preferred category
# MAGIC Completed orders joined with each customer's latest profile (with a preferred category).

# COMMAND ----------

completed_orders = clean_better(read_bronze("orders"), "orders").where(
    (F.col("status") == "completed")
    & F.col("user_id").isNotNull()
    & F.col("total_amount").isNotNull()
)
revenue_by_category = (
    completed_orders.join(
        profiles_latest.where(F.col("preferred_category").isNotNull())
        .select("user_id", "preferred_category"),
        "user_id",
    )
    .groupBy("preferred_category")
    .agg(
        F.countDistinct("user_id").alias("customers"),
        F.count(F.lit(1)).alias("orders"),
        F.round(F.sum("total_amount"), 2).alias("revenue"),
    )
    .orderBy(F.col("revenue").desc())
)
display(revenue_by_category)
write_gold(revenue_by_category, "revenue_by_preferred_category")

# COMMAND ----------

# MAGIC %md
# MAGIC **What you should see**: shares that add up to 1. Next notebook: `delivery_status`.
