# Databricks notebook source
# MAGIC %md
# MAGIC # Test helper: Spark's event-time rule over given inputs
# MAGIC Reads `inputs` (a JSON file: a list of strings), computes `with_event_time` of
# MAGIC `databricks/_common.py` for each in every zone of `zones` (comma-separated), and writes the
# MAGIC results to `results` (a JSON file: zone → a list of numbers or nulls). ANSI mode stays on,
# MAGIC as on Spark 4.

# COMMAND ----------

dbutils.widgets.text("lake_root", "file:///tmp", "Lake root")
dbutils.widgets.text("output_root", "", "Output root")
dbutils.widgets.text("topic_prefix", "", "Topic prefix")
dbutils.widgets.text("secret_scope", "ecom-stream", "Secret scope")
dbutils.widgets.dropdown("storage_auth", "cluster", ["cluster", "service-principal", "sas"], "Storage auth")
dbutils.widgets.text("event_time_zone", "UTC", "Event time zone")
dbutils.widgets.text("zones", "UTC", "Zones")
dbutils.widgets.text("inputs", "", "Inputs (JSON file)")
dbutils.widgets.text("results", "", "Results (JSON file)")

# COMMAND ----------

# MAGIC %run ../../databricks/_common

# COMMAND ----------

import json

with open(dbutils.widgets.get("inputs"), encoding="utf-8") as f:
    values = json.load(f)
df = spark.createDataFrame([(i, v) for i, v in enumerate(values)], "i long, ts string").cache()
results = {}
for zone in dbutils.widgets.get("zones").split(","):
    # The rule reads the zone from EVENT_TIME_ZONE when the expression is built.
    EVENT_TIME_ZONE = zone
    out = with_event_time(df, "ts", "ms").orderBy("i").collect()
    results[zone] = [r.ms for r in out]
    print(f"{len(out)} inputs in {zone}")
with open(dbutils.widgets.get("results"), "w", encoding="utf-8") as f:
    json.dump(results, f)
