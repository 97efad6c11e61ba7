# Databricks notebook source
# MAGIC %md
# MAGIC # Orders: bronze → silver → gold
# MAGIC
# MAGIC **Goal**: revenue analytics from the orders topic. The original project had no orders
# MAGIC notebook; this one follows the same pattern with the **better** cleaning (one row per
# MAGIC event identity, nulls kept, each table ignores the rows whose fields it uses are null).
# MAGIC
# MAGIC Contract: `lib/nrt/TABLES.md`. Previous: `clickstream`; next: `user_profiles`.

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
# MAGIC ## Read the raw orders
# MAGIC `items` is an array of `{product_id, quantity, price}`; `total_amount` a DOUBLE.

# COMMAND ----------

orders_raw = read_bronze("orders").cache()
display(orders_raw.limit(5))
print("rows:", orders_raw.count())
display(null_counts(orders_raw))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Better cleaning, silver
# MAGIC One row per event (its `event_id`, or its content when it has none), written to
# MAGIC `curated/orders/`.

# COMMAND ----------

orders = clean_better(orders_raw, "orders").cache()
print("rows after de-duplication:", orders.count())
write_silver(orders, "orders")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Order items
# MAGIC One row per item; `line_total` = round(quantity × price, 2). Orders with null `items` give
# MAGIC nothing.

# COMMAND ----------

order_items = orders.select(
    "order_id", "user_id", "timestamp", "payment_method", "status",
    F.explode("items").alias("item"),
).select(
    "order_id", "user_id", "timestamp", "payment_method", "status",
    F.col("item.product_id").alias("product_id"),
    F.col("item.quantity").alias("quantity"),
    F.col("item.price").alias("price"),
    F.round(F.col("item.quantity") * F.col("item.price"), 2).alias("line_total"),
).cache()
display(order_items.limit(5))
write_gold(order_items, "order_items")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Revenue by day and payment method
# MAGIC Completed orders; `day` is the UTC date of the event time (whatever the timestamp's format).

# COMMAND ----------

completed = orders.where(F.col("status") == "completed")
revenue_by_day = (
    completed.where(
        F.col("event_time").isNotNull()
        & F.col("payment_method").isNotNull()
        & F.col("total_amount").isNotNull()
    )
    .groupBy(F.date_format("event_time", "yyyy-MM-dd").alias("day"), "payment_method")
    .agg(F.count(F.lit(1)).alias("orders"), F.round(F.sum("total_amount"), 2).alias("revenue"))
    .orderBy("day", "payment_method")
)
display(revenue_by_day)
write_gold(revenue_by_day, "orders_revenue_by_day")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Top products
# MAGIC Over completed orders' items: units, revenue, orders; the 20 with the highest revenue.

# COMMAND ----------

top_products = (
    order_items.where((F.col("status") == "completed") & F.col("product_id").isNotNull())
    .groupBy("product_id")
    .agg(
        F.sum("quantity").alias("units"),
        F.round(F.sum("line_total"), 2).alias("revenue"),
        F.countDistinct("order_id").alias("orders"),
    )
    .orderBy(F.col("revenue").desc(), F.col("product_id"))
    .limit(20)
)
display(top_products)
write_gold(top_products, "orders_top_products")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Summary
# MAGIC One row: orders by status, cancel rate, revenue and average order value of completed orders.

# COMMAND ----------

is_completed = F.col("status") == "completed"
summary = (
    orders.where(F.col("status").isNotNull())
    .agg(
        F.count(F.lit(1)).alias("orders"),
        F.count(F.when(is_completed, 1)).alias("completed"),
        F.count(F.when(F.col("status") == "pending", 1)).alias("pending"),
        F.count(F.when(F.col("status") == "canceled", 1)).alias("canceled"),
        F.sum(F.when(is_completed, F.col("total_amount"))).alias("_completed_total"),
    )
    .select(
        "orders", "completed", "pending", "canceled",
        F.when(F.col("orders") > 0, F.col("canceled") / F.col("orders")).alias("cancel_rate"),
        F.round("_completed_total", 2).alias("revenue"),
        F.when(F.col("completed") > 0, F.col("_completed_total") / F.col("completed")).alias("aov"),
    )
)
display(summary)
write_gold(summary, "orders_summary")

# COMMAND ----------

# MAGIC %md
# MAGIC **What you should see**: one summary row whose `completed + pending + canceled` equals
# MAGIC `orders`. Next notebook: `user_profiles`.
