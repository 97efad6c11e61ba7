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
# MAGIC - `event_time_ms(col)`: the one event-time rule (`lib/schema/event_time.ts`) in Spark: ISO-8601
# MAGIC   with `Z` or an offset, wall-clock times in the `event_time_zone` widget (`EVENT_TIME_ZONE`),
# MAGIC   epoch ms; anything else is null;
# MAGIC - `read_bronze(topic)`: the connector's JSON lines under `topics/<prefix><topic>/`, with
# MAGIC   `event_time` added;
# MAGIC - the two cleanings, **original** (as the original notebooks, over the original data frame's
# MAGIC   columns) and **better** (one row per event identity: `event_id`, else the row's content);
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


def _widget(name, default):
    try:
        return dbutils.widgets.get(name).strip() or default
    except Exception:  # a notebook that does not declare it
        return default


# The zone of wall-clock timestamps without one (the original producers' `2026-11-26 10:15:30`).
EVENT_TIME_ZONE = _widget("event_time_zone", "UTC")

# Event times are instants shown in UTC; the lake's hourly folders are UTC too. Parquet gets
# them as UTC-adjusted microseconds (not the legacy INT96), as DuckDB writes them.
spark.conf.set("spark.sql.session.timeZone", "UTC")
spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
print(f"raw lake:    {LAKE_ROOT}/topics/{TOPIC_PREFIX}<topic>/")
print(f"outputs:     {OUTPUT_ROOT}/curated/, {OUTPUT_ROOT}/analysis/")
print(f"event times: wall-clock timestamps read in {EVENT_TIME_ZONE}")

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
# MAGIC ## Event time: the one rule, in Spark
# MAGIC
# MAGIC The same rule as `lib/schema/event_time.ts` (and its DuckDB translation in
# MAGIC `lib/nrt/event_time.ts`), step by step, so both engines give the same instant for every
# MAGIC `timestamp`: `YYYY-MM-DD[T ]HH:MM:SS[.f…]` with `Z` or `±HH[:]MM`, or without (a wall-clock time
# MAGIC in `EVENT_TIME_ZONE`: ambiguous → the earlier instant, skipped → moved forward by the gap), or a
# MAGIC whole number of epoch milliseconds; fields in range, years 0001–9999. Anything else: null.
# MAGIC Zone offsets come from Java's time zone data (`from_utc_timestamp`).

# COMMAND ----------

_DATE_TIME = (
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?\z"
)
_NUMBER = r"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\z"
_MIN_MS, _MAX_MS = -62135596800000, 253402300799999
_DAY_MS = 86400000
_ALWAYS_UTC = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu"}
_GROUPS = ["y", "mo", "d", "h", "mi", "s", "f", "z", "sign", "oh", "om"]


def _number(text):
    """Digits (possibly none) as a long: never a failing cast, whatever is evaluated when."""
    return F.concat(F.lit("0"), text).cast("long")


def _div(a, n):
    """Integer division of a non-negative column (floor)."""
    return F.floor(a / n).cast("long")


def _days_from_civil(y, m, d):
    yy = y - F.when(m <= 2, 1).otherwise(0)
    era, yoe = _div(yy, 400), yy % 400
    doy = _div(153 * ((m + 9) % 12) + 2, 5) + d - 1
    return era * 146097 + yoe * 365 + _div(yoe, 4) - _div(yoe, 100) + doy - 719468


def _zone_offset_ms(t):
    """The offset (ms) of EVENT_TIME_ZONE at instant `t` (epoch ms), from Java's zone data."""
    secs = F.floor(t / 1000).cast("long")
    local = F.unix_seconds(F.from_utc_timestamp(F.timestamp_seconds(secs), EVENT_TIME_ZONE))
    return (local - secs) * 1000


def _in_range(ms):
    return F.when((ms >= _MIN_MS) & (ms <= _MAX_MS), ms)


def with_event_time(df, column="timestamp", name="event_time_ms"):
    """`df` with the event time (epoch ms, long, null when none) of its string `column` added as
    `name`: the rule of the cell above, in stages (each value computed once per row)."""
    ts = F.col(column)
    e = lambda c: F.col(f"_et_{c}")  # noqa: E731
    # One pass of the pattern gives every group; only a string it matches is taken apart.
    groups = F.split(F.regexp_replace(ts, _DATE_TIME, "|".join(f"${i}" for i in range(1, 12))), r"\|")
    df = df.withColumn("_et_dt", ts.rlike(_DATE_TIME)).withColumn(
        "_et_x", F.when(ts.rlike(_NUMBER), ts).otherwise(F.lit("0")).cast("double")
    )
    df = df.withColumn("_et_p", F.when(e("dt"), groups).otherwise(F.array([F.lit("")] * 11)))
    df = df.select("*", *[
        (_number(F.rpad(F.substring(e("p")[6], 1, 3), 3, "0")) if g == "f"
         else e("p")[i] if g in ("z", "sign") else _number(e("p")[i])).alias(f"_et_{g}")
        for i, g in enumerate(_GROUPS)
    ])
    y, mo, d = e("y"), e("mo"), e("d")
    days_in_month = (
        F.when(mo == 2, F.when(((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0), 29).otherwise(28))
        .when(mo.isin(4, 6, 9, 11), 30)
        .otherwise(31)
    )
    valid = (
        e("dt") & (y >= 1) & mo.between(1, 12) & (d >= 1) & (d <= days_in_month)
        & (e("h") <= 23) & (e("mi") <= 59) & (e("s") <= 59)
    )
    wall = (
        _days_from_civil(y, mo, d) * _DAY_MS + e("h") * 3600000 + e("mi") * 60000
        + e("s") * 1000 + e("f")
    )
    df = df.withColumn("_et_w", F.when(valid, wall))
    if EVENT_TIME_ZONE in _ALWAYS_UTC:
        df = df.withColumn("_et_local", e("w"))
    else:
        # A wall time as an instant: ambiguous → the earlier instant, skipped → moved by the gap.
        df = df.withColumn("_et_b", _zone_offset_ms(e("w") - _DAY_MS)).withColumn(
            "_et_a", _zone_offset_ms(e("w") + _DAY_MS)
        )
        df = df.withColumn("_et_early", e("w") - e("b")).withColumn("_et_late", e("w") - e("a"))
        df = df.withColumn("_et_ef", _zone_offset_ms(e("early")) == e("b")).withColumn(
            "_et_lf", _zone_offset_ms(e("late")) == e("a")
        )
        df = df.withColumn(
            "_et_local",
            F.when(e("b") == e("a"), e("early"))
            .when(e("ef") & e("lf"), F.least(e("early"), e("late")))
            .when(e("lf"), e("late"))
            .otherwise(e("early")),
        )
    sign = F.when(e("sign") == "+", 1).otherwise(-1)
    with_offset = F.when(
        (e("oh") <= 23) & (e("om") <= 59),
        _in_range(e("w") - sign * (e("oh") * 60 + e("om")) * 60000),
    )
    date_time = F.when(e("z") != "", e("w")).when(e("sign") != "", with_offset).otherwise(
        _in_range(e("local"))
    )
    x = e("x")
    number = F.when(x % 1 == 0, _in_range(x).cast("long"))
    df = df.withColumn(
        name,
        F.when(e("dt"), date_time).when(ts.rlike(_NUMBER), number).cast("long"),
    )
    return df.drop(*[c for c in df.columns if c.startswith("_et_")])


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
    """The bronze rows: the read columns, `event_time` (null when the timestamp has none), the
    partition columns."""
    df = (
        spark.read.schema(BRONZE_SCHEMAS[topic])
        .option("mode", "DROPMALFORMED")
        .option("allowSingleQuotes", "false")
        .json(raw_path(topic))
    )
    read = [c for c in df.columns if c not in ("year", "month", "day", "hour")]
    df = with_event_time(df).withColumn("event_time", F.timestamp_millis("event_time_ms"))
    return df.select(*read, "event_time", "year", "month", "day", "hour")


# COMMAND ----------

# MAGIC %md
# MAGIC ## The two cleanings
# MAGIC
# MAGIC - **original**, as the original notebooks, over the columns their data frame had (the original
# MAGIC   producers' fields and the partition columns, never a column we add): drop rows with a null in
# MAGIC   any, then drop exact duplicate rows;
# MAGIC - **better**: one row per event identity — its `event_id`, or for a record without one (the
# MAGIC   original producers') its content (every read column) — the earliest by year, month, day, hour,
# MAGIC   timestamp (duplicates are identical anyway), nulls kept: each analysis ignores the rows whose
# MAGIC   fields it uses are null.

# COMMAND ----------


def null_counts(df):
    return df.select([F.count(F.when(F.col(c).isNull(), 1)).alias(c) for c in df.columns])


def duplicate_groups(df):
    return df.groupBy(df.columns).count().where(F.col("count") > 1)


def original_frame(df, topic):
    """The columns the original notebooks' data frame had: original fields, then partitions."""
    return df.select(ORIGINAL_FIELDS[topic] + ["year", "month", "day", "hour"])


def clean_original(df, topic):
    return original_frame(df, topic).dropna(how="any").dropDuplicates()


def event_key(topic):
    """The identity of a row: its event_id, else a hash of its content (every read column)."""
    content = [f.name for f in BRONZE_SCHEMAS[topic].fields
               if f.name not in ("event_id", "year", "month", "day", "hour")]
    return F.coalesce(F.col("event_id"), F.concat(F.lit("c:"), F.md5(F.to_json(F.struct(*content)))))


def clean_better(df, topic):
    first = Window.partitionBy("_key").orderBy("year", "month", "day", "hour", "timestamp")
    return (
        df.withColumn("_key", event_key(topic))
        .withColumn("_n", F.row_number().over(first))
        .where(F.col("_n") == 1)
        .drop("_n", "_key")
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
