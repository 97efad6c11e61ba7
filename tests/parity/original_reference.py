"""The original project's two Databricks notebooks, step by step, as plain PySpark: the reference
that `device_tablet` and `returns_usa` must equal row for row, whoever computes them.

Written straight from ../shared/ORIGINAL.md ("Databricks notebook: clickstream" and
"... delivery-status"), independent of `databricks/` and `lib/nrt`: no shared code, no shared
schema. It reads the lake the way the original did (JSON with schema inference, partition
discovery adding year, month, day, hour) and keeps the columns the original data frame had: the
original producers' fields and the partition columns (our records carry more fields; the original
notebooks never saw them, and `dropna()` / `dropDuplicates()` must not consider them). Then it runs
the notebooks' steps in their order and writes what they wrote: CSV with a header, mode overwrite,
to `analysis/device_tablet/` and `analysis/returns_usa/` (plus Parquet beside them, for comparing).

Spark 4 runs in ANSI mode, where the original's `split(...).getItem(1)` raises on a location
without a comma; the reference runs with `spark.sql.ansi.enabled=false`, as the Databricks runtime
the original ran on did.

Usage: python original_reference.py --lake DIR --out DIR [--lake DIR --out DIR …]
"""

import argparse
import os

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# The fields the original producers emitted (ORIGINAL.md "Producers").
CLICKSTREAM_FIELDS = ["event", "user_id", "timestamp", "page", "referrer", "device"]
DELIVERY_FIELDS = ["order_id", "delivery_person_id", "timestamp", "status", "current_location"]
PARTITIONS = ["year", "month", "day", "hour"]


def read_topic(spark, lake, topic, fields):
    """Step 2: read topics/<topic>/ as JSON (the mount), keep the original data frame's columns."""
    df = spark.read.json(f"file://{os.path.abspath(lake)}/topics/{topic}")
    for name in fields:  # a field no record had: the original frame would lack it; here null
        if name not in df.columns:
            df = df.withColumn(name, F.lit(None).cast("string"))
    return df.select(fields + PARTITIONS)


def write(df, out, name):
    """Step 9: CSV with a header, mode overwrite (and Parquet beside it, for the comparison)."""
    df.write.mode("overwrite").option("header", True).csv(f"file://{out}/analysis/{name}")
    df.write.mode("overwrite").parquet(f"file://{out}/analysis/parquet/{name}")


def clickstream(spark, lake, out):
    df = read_topic(spark, lake, "clickstream", CLICKSTREAM_FIELDS)
    df.show(5)
    print("clickstream rows:", df.count())
    # 3. Null counts: one row, one column per column.
    df.select([F.count(F.when(F.col(c).isNull(), c)).alias(c) for c in df.columns]).show()
    # 4. Drop rows with any null.
    df = df.dropna()
    # 5. Duplicate check: group by all columns, keep groups seen more than once.
    df.groupBy(df.columns).count().filter(F.col("count") > 1).show(5)
    # 6. Drop exact duplicates.
    df = df.dropDuplicates()
    # 7. Tablet rows.
    tablet = df.filter(F.col("device") == "tablet")
    # 8. Counts by device, event, page, referrer, year, month, day.
    for dim in ["device", "event", "page", "referrer", "year", "month", "day"]:
        df.groupBy(dim).count().orderBy(F.col("count").desc()).show(5)
    # 9. Write the tablet rows.
    write(tablet, out, "device_tablet")
    return tablet.count()


def delivery_status(spark, lake, out):
    df = read_topic(spark, lake, "delivery-status", DELIVERY_FIELDS)
    df.show(5)
    print("delivery rows:", df.count())
    # 3. Null counts; drop rows with any null; duplicate check; drop exact duplicates.
    df.select([F.count(F.when(F.col(c).isNull(), c)).alias(c) for c in df.columns]).show()
    df = df.dropna()
    df.groupBy(df.columns).count().filter(F.col("count") > 1).show(5)
    df = df.dropDuplicates()
    # 4. Split current_location on ", " into city (first part) and country (second part).
    parts = F.split(F.col("current_location"), ", ")
    df = df.withColumn("city", parts.getItem(0)).withColumn("country", parts.getItem(1))
    # 5. Null counts again; drop rows with any null; drop current_location.
    df.select([F.count(F.when(F.col(c).isNull(), c)).alias(c) for c in df.columns]).show()
    df = df.dropna().drop("current_location")
    # 6. Reorder: delivery_person_id, order_id, status, city, country, then the rest in order.
    first = ["delivery_person_id", "order_id", "status", "city", "country"]
    df = df.select(first + [c for c in df.columns if c not in first])
    # 7. Returns in the USA.
    returns = df.filter((F.col("status") == "returned") & (F.col("country") == "USA"))
    # 8. Counts by status, country, year, month, day.
    for dim in ["status", "country", "year", "month", "day"]:
        df.groupBy(dim).count().orderBy(F.col("count").desc()).show(5)
    # 9. Write the returns.
    write(returns, out, "returns_usa")
    return returns.count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lake", action="append", required=True, help="raw lake folder (topics/)")
    parser.add_argument("--out", action="append", required=True, help="output folder (analysis/)")
    args = parser.parse_args()
    if len(args.lake) != len(args.out):
        parser.error("give one --out per --lake")
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("original-notebooks-reference")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for lake, out in zip(args.lake, args.out):
            tablets = clickstream(spark, lake, os.path.abspath(out))
            returns = delivery_status(spark, lake, os.path.abspath(out))
            print(f"reference {lake}: device_tablet {tablets} rows, returns_usa {returns} rows")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
