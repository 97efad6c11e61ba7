# Databricks notebook source
# MAGIC %md
# MAGIC # Shared setup for the topic notebooks
# MAGIC
# MAGIC Every topic notebook runs this one first with `%run ./_common`. It reads the widgets the
# MAGIC calling notebook declared, configures access to the lake (credentials only from a secret
# MAGIC scope, never a mount with an account key), and defines the pieces each notebook shares:
# MAGIC
# MAGIC - the **bronze** schemas (explicit, as `lib/nrt/TABLES.md` "Bronze" says: strings stay strings,
# MAGIC   the `timestamp` too; `year`, `month`, `day`, `hour` as INTEGER partition columns);
# MAGIC - `read_bronze(topic)`: the connector's JSON lines under `topics/<prefix><topic>/`;
# MAGIC - the two cleanings, **original** (as the original notebooks) and **better** (by `event_id`);
# MAGIC - `write_gold(df, name)`: CSV with a header at `analysis/<name>/` and Parquet at
# MAGIC   `analysis/parquet/<name>/`, mode overwrite; `write_silver(df, topic)`: `curated/<prefix><topic>/`.

# COMMAND ----------

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

LAKE_ROOT = dbutils.widgets.get("lake_root").rstrip("/")
OUTPUT_ROOT = (dbutils.widgets.get("output_root").strip() or LAKE_ROOT).rstrip("/")
TOPIC_PREFIX = dbutils.widgets.get("topic_prefix").strip()
SECRET_SCOPE = dbutils.widgets.get("secret_scope").strip()
STORAGE_AUTH = dbutils.widgets.get("storage_auth").strip()

# Event times are UTC; the lake's hourly folders are UTC too.
spark.conf.set("spark.sql.session.timeZone", "UTC")
print(f"raw lake:    {LAKE_ROOT}/topics/{TOPIC_PREFIX}<topic>/")
print(f"outputs:     {OUTPUT_ROOT}/curated/, {OUTPUT_ROOT}/analysis/")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Access to ADLS Gen2
# MAGIC
# MAGIC `storage_auth` chooses how the cluster reaches an `abfss://` lake:
# MAGIC - `cluster` (default): the cluster or Unity Catalog external location already grants access;
# MAGIC - `service-principal`: OAuth with `sp-client-id`, `sp-client-secret`, `sp-tenant-id` from the
# MAGIC   secret scope;
# MAGIC - `sas`: a SAS token from the secret `storage-sas-token`.
# MAGIC
# MAGIC Nothing is mounted and no key is written in the notebook.

# COMMAND ----------


def configure_storage(root):
    if not root.startswith("abfss://") or STORAGE_AUTH == "cluster":
        return
    host = root.split("@", 1)[1].split("/", 1)[0]
    if STORAGE_AUTH == "service-principal":
        tenant = dbutils.secrets.get(SECRET_SCOPE, "sp-tenant-id")
        spark.conf.set(f"fs.azure.account.auth.type.{host}", "OAuth")
        spark.conf.set(
            f"fs.azure.account.oauth.provider.type.{host}",
            "org.apache.hadoop.fs.azurebfs.oauth2.ClientCredsTokenProvider",
        )
        spark.conf.set(
            f"fs.azure.account.oauth2.client.id.{host}",
            dbutils.secrets.get(SECRET_SCOPE, "sp-client-id"),
        )
        spark.conf.set(
            f"fs.azure.account.oauth2.client.secret.{host}",
            dbutils.secrets.get(SECRET_SCOPE, "sp-client-secret"),
        )
        spark.conf.set(
            f"fs.azure.account.oauth2.client.endpoint.{host}",
            f"https://login.microsoftonline.com/{tenant}/oauth2/token",
        )
    elif STORAGE_AUTH == "sas":
        spark.conf.set(f"fs.azure.account.auth.type.{host}", "SAS")
        spark.conf.set(
            f"fs.azure.sas.token.provider.type.{host}",
            "org.apache.hadoop.fs.azurebfs.sas.FixedSASTokenProvider",
        )
        spark.conf.set(
            f"fs.azure.sas.fixed.token.{host}",
            dbutils.secrets.get(SECRET_SCOPE, "storage-sas-token"),
        )
    else:
        raise ValueError(
            f"Widget storage_auth must be cluster, service-principal or sas, got '{STORAGE_AUTH}'"
        )


for root in sorted({LAKE_ROOT, OUTPUT_ROOT}):
    configure_storage(root)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Bronze: explicit schemas
# MAGIC
# MAGIC One schema per topic, every field of the event contract (`lib/schema/events.ts`) with its
# MAGIC type; extra fields a producer might add are not read. Naming the partition columns in the
# MAGIC schema types them as INTEGER (partition discovery alone would guess, and `hour=09` must not
# MAGIC become a string).

# COMMAND ----------

PARTITIONS = [
    StructField("year", IntegerType()),
    StructField("month", IntegerType()),
    StructField("day", IntegerType()),
    StructField("hour", IntegerType()),
]


def _strings(*names):
    return [StructField(name, StringType()) for name in names]


BRONZE_SCHEMAS = {
    "clickstream": StructType(
        _strings(
            "event_id", "event", "user_id", "timestamp", "page", "referrer", "device",
            "session_id", "product_id", "search_query",
        )
        + PARTITIONS
    ),
    "orders": StructType(
        _strings("event_id", "order_id", "user_id", "timestamp")
        + [
            StructField(
                "items",
                ArrayType(
                    StructType(
                        [
                            StructField("product_id", StringType()),
                            StructField("quantity", LongType()),
                            StructField("price", DoubleType()),
                        ]
                    )
                ),
            ),
            StructField("total_amount", DoubleType()),
        ]
        + _strings("payment_method", "status", "session_id")
        + PARTITIONS
    ),
    "user-profiles": StructType(
        _strings("event_id", "user_id", "timestamp", "action")
        + [StructField("details", StructType(_strings("email", "name", "preferred_category")))]
        + PARTITIONS
    ),
    "delivery-status": StructType(
        _strings(
            "event_id", "order_id", "delivery_person_id", "timestamp", "status",
            "current_location",
        )
        + PARTITIONS
    ),
}

# The fields the original producers emitted (lib/schema/events.ts ORIGINAL_FIELDS).
ORIGINAL_FIELDS = {
    "clickstream": ["event", "user_id", "timestamp", "page", "referrer", "device"],
    "orders": [
        "order_id", "user_id", "timestamp", "items", "total_amount", "payment_method", "status",
    ],
    "user-profiles": ["user_id", "timestamp", "action", "details"],
    "delivery-status": ["order_id", "delivery_person_id", "timestamp", "status", "current_location"],
}

# COMMAND ----------

# MAGIC %md
# MAGIC ## Reading the raw lake
# MAGIC
# MAGIC The connector writes JSON lines under `topics/<topic>/year=…/month=…/day=…/hour=…/`. A line that
# MAGIC is not JSON (a truncated send, a Python dict printed instead of JSON) is dropped
# MAGIC (`DROPMALFORMED`, and single quotes are not JSON).

# COMMAND ----------


def raw_path(topic):
    return f"{LAKE_ROOT}/topics/{TOPIC_PREFIX}{topic}"


def read_bronze(topic):
    return (
        spark.read.schema(BRONZE_SCHEMAS[topic])
        .option("mode", "DROPMALFORMED")
        .option("allowSingleQuotes", "false")
        .json(raw_path(topic))
    )


# COMMAND ----------

# MAGIC %md
# MAGIC ## The two cleanings
# MAGIC
# MAGIC - **original**, as the original notebooks: drop rows with a null in any original field, then
# MAGIC   drop exact duplicate rows (all columns, partition columns included);
# MAGIC - **better**: one row per `event_id` (the earliest by year, month, day, hour, timestamp;
# MAGIC   duplicates are identical anyway; rows without an `event_id` dropped), nulls kept: each
# MAGIC   analysis ignores the rows whose fields it uses are null.

# COMMAND ----------


def null_counts(df):
    return df.select([F.count(F.when(F.col(c).isNull(), 1)).alias(c) for c in df.columns])


def duplicate_groups(df):
    return df.groupBy(df.columns).count().where(F.col("count") > 1)


def clean_original(df, topic):
    return df.dropna(how="any", subset=ORIGINAL_FIELDS[topic]).dropDuplicates()


def clean_better(df):
    # A row without an event_id cannot be de-duplicated: it is dropped.
    first = Window.partitionBy("event_id").orderBy("year", "month", "day", "hour", "timestamp")
    return (
        df.where(F.col("event_id").isNotNull())
        .withColumn("_n", F.row_number().over(first))
        .where(F.col("_n") == 1)
        .drop("_n")
    )


def counts_by(df, column):
    return df.groupBy(column).count().orderBy(F.col("count").desc(), F.col(column))


# COMMAND ----------

# MAGIC %md
# MAGIC ## Writing silver and gold

# COMMAND ----------


def write_gold(df, name):
    """Gold table `name`: CSV with a header at analysis/<name>/, Parquet at analysis/parquet/<name>/."""
    df = df.coalesce(1)
    df.write.mode("overwrite").option("header", True).csv(f"{OUTPUT_ROOT}/analysis/{name}")
    df.write.mode("overwrite").parquet(f"{OUTPUT_ROOT}/analysis/parquet/{name}")
    print(f"wrote analysis/{name}/ and analysis/parquet/{name}/")


def write_silver(df, topic):
    """Silver: the better-cleaned rows as Parquet under curated/<prefix><topic>/, by year/month/day."""
    (
        df.repartition("year", "month", "day")
        .write.mode("overwrite")
        .partitionBy("year", "month", "day")
        .parquet(f"{OUTPUT_ROOT}/curated/{TOPIC_PREFIX}{topic}")
    )
    print(f"wrote curated/{TOPIC_PREFIX}{topic}/")
