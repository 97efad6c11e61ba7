# Databricks notebook source
# MAGIC %md
# MAGIC # Real-time: Structured Streaming from Kafka
# MAGIC
# MAGIC **Goal**: the original notebooks' step 1, done properly: read the topics straight from Kafka
# MAGIC (Confluent Cloud, SASL credentials from a secret scope), parse the JSON values with an explicit
# MAGIC schema, and keep running counts:
# MAGIC
# MAGIC - clickstream events per 1-minute tumbling window of **event time**, by event type;
# MAGIC - delivery events by status (the original delivery notebook's real-time display).
# MAGIC
# MAGIC Each count table is written whole after every micro-batch (`foreachBatch`, mode overwrite) to
# MAGIC `analysis/streaming_clickstream_counts/` and `analysis/streaming_delivery_status_counts/`
# MAGIC (CSV with a header, Parquet under `analysis/parquet/`). With `trigger` = `available-now` the
# MAGIC notebook reads what the topics hold, writes the counts and stops; `continuous` keeps going.
# MAGIC
# MAGIC Previous: `delivery_status`.

# COMMAND ----------

# MAGIC %md
# MAGIC ## Parameters
# MAGIC `kafka_security` is `SASL_SSL` for Confluent Cloud (API key and secret from the secret scope as
# MAGIC `kafka-api-key`, `kafka-api-secret`) or `PLAINTEXT` for a local broker.

# COMMAND ----------

dbutils.widgets.text("lake_root", "abfss://lake@mystorageaccount.dfs.core.windows.net", "Lake root")
dbutils.widgets.text("output_root", "", "Output root (empty: lake root)")
dbutils.widgets.text("kafka_bootstrap_servers", "pkc-xxxxx.westeurope.azure.confluent.cloud:9092", "Kafka servers")
dbutils.widgets.text("topics", "clickstream,delivery-status", "Topics")
dbutils.widgets.text("topic_prefix", "", "Topic prefix")
dbutils.widgets.dropdown("kafka_security", "SASL_SSL", ["SASL_SSL", "PLAINTEXT"], "Kafka security")
dbutils.widgets.dropdown("starting_offsets", "latest", ["latest", "earliest"], "Starting offsets")
dbutils.widgets.dropdown("trigger", "available-now", ["available-now", "continuous"], "Trigger")
dbutils.widgets.dropdown("live_display", "false", ["false", "true"], "Live display")
dbutils.widgets.text("secret_scope", "ecom-stream", "Secret scope")
dbutils.widgets.text("event_time_zone", "UTC", "Event time zone (EVENT_TIME_ZONE)")
dbutils.widgets.dropdown("storage_auth", "cluster", ["cluster", "service-principal", "sas"], "Storage auth")

# COMMAND ----------

# MAGIC %run ./_common

# COMMAND ----------

# MAGIC %md
# MAGIC ## Kafka options
# MAGIC Databricks shades the Kafka client (`kafkashaded.` in the JAAS login module); the open-source
# MAGIC Spark Kafka source does not. The secrets never appear in the output.

# COMMAND ----------

import os

BOOTSTRAP = dbutils.widgets.get("kafka_bootstrap_servers").strip()
TOPICS = [t.strip() for t in dbutils.widgets.get("topics").split(",") if t.strip()]
SECURITY = dbutils.widgets.get("kafka_security")
STARTING = dbutils.widgets.get("starting_offsets")
AVAILABLE_NOW = dbutils.widgets.get("trigger") == "available-now"
CHECKPOINTS = f"{OUTPUT_ROOT}/_checkpoints/streaming"

# Committed records only, as real time and the sink read them (Spark's default also reads the
# records of transactions other producers aborted).
kafka_options = {
    "kafka.bootstrap.servers": BOOTSTRAP,
    "startingOffsets": STARTING,
    "kafka.isolation.level": "read_committed",
}
if SECURITY == "SASL_SSL":
    shaded = "kafkashaded." if "DATABRICKS_RUNTIME_VERSION" in os.environ else ""
    key = dbutils.secrets.get(SECRET_SCOPE, "kafka-api-key")
    secret = dbutils.secrets.get(SECRET_SCOPE, "kafka-api-secret")
    kafka_options.update(
        {
            "kafka.security.protocol": "SASL_SSL",
            "kafka.sasl.mechanism": "PLAIN",
            "kafka.sasl.jaas.config": f'{shaded}org.apache.kafka.common.security.plain.PlainLoginModule required username="{key}" password="{secret}";',
        }
    )
print("Kafka:", BOOTSTRAP, SECURITY, "topics:", [TOPIC_PREFIX + t for t in TOPICS])

# COMMAND ----------

# MAGIC %md
# MAGIC ## Read a topic as a stream
# MAGIC A record counts by the real-time rule (`lib/realtime/decode.ts`), checked on Kafka's bytes by
# MAGIC `raw_event` below: its value is UTF-8, at most 1 MiB, one JSON object on one line (a byte-order
# MAGIC mark and line breaks around the object are left out; a Python dict printed instead of JSON, a
# MAGIC truncated send, an array, an object followed by more text, or half a surrogate pair escaped
# MAGIC alone, `"\ud800"`, which no UTF-8 text holds, are not), with the topic's key
# MAGIC field a non-empty string and an `event_id`, where present, one too. Spark's own JSON reader is
# MAGIC more lenient on each of these (it takes `{...} x`, reads a number as the string `"7"`, and
# MAGIC replaces bad bytes), so the check is Python's strict parser, which agrees with JavaScript's.
# MAGIC The text it keeps is parsed with the bronze schema (without the lake's partition columns);
# MAGIC records without an event time are left out too. Each record gets its `event_time` by the one
# MAGIC rule and its identity, `event_key`: the `event_id`, or for the original producers' records
# MAGIC (which have none) a hash of the content.

# COMMAND ----------


import json
import sys

KEY_FIELDS = {"clickstream": "user_id", "orders": "order_id", "user-profiles": "user_id",
              "delivery-status": "order_id"}
RAW_MAX_BYTES = 1_048_576  # Kafka's default message size (lib/schema/raw.ts)
MAX_NESTING = 1000  # Spark's JSON reader (Jackson's default) refuses deeper lines (raw.ts)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python takes them, JSON does not


def _lone_surrogate(text):
    """Whether valid JSON text escapes half a surrogate pair alone ("\\ud800"): no UTF-8 text."""
    i = text.find("\\")
    while i != -1:
        if text[i + 1] != "u":
            i = text.find("\\", i + 2)
            continue
        code = int(text[i + 2:i + 6], 16)
        if code < 0xD800 or code > 0xDFFF:
            i = text.find("\\", i + 6)
            continue
        low = int(text[i + 8:i + 12], 16) if text[i + 6:i + 8] == "\\u" else -1
        if code >= 0xDC00 or not 0xDC00 <= low <= 0xDFFF:
            return True
        i = text.find("\\", i + 12)
    return False


def _nesting_over(text, limit):
    """Whether valid JSON text nests objects and arrays more than `limit` levels deep."""
    if len(text) < 2 * (limit + 1):  # each level opens and closes
        return False
    depth, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':  # a string: skip to its closing quote (a backslash escapes one character)
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "[{":
            depth += 1
            if depth > limit:
                return True
        elif c in "]}":
            depth -= 1
        i += 1
    return False


def raw_event(value, key_field):
    """The value's JSON text when the real-time rule takes the record, else None."""
    if value is None or len(value) == 0 or len(value) > RAW_MAX_BYTES:
        return None
    try:
        text = bytes(value).decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        if len(text) >= 2 * MAX_NESTING and sys.getrecursionlimit() < 3 * MAX_NESTING:
            sys.setrecursionlimit(3 * MAX_NESTING)  # Python's parser recurses once per level
        # Integers as floats, as JavaScript reads them (Python refuses over 4,300 digits).
        event = json.loads(text, parse_constant=_no_constant, parse_int=float)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested past any limit
        return None
    body = text.strip(" \t\r\n")
    if not isinstance(event, dict) or "\n" in body or "\r" in body or _lone_surrogate(body):
        return None
    if _nesting_over(body, MAX_NESTING):
        return None
    key, event_id = event.get(key_field), event.get("event_id")
    if not isinstance(key, str) or key == "":
        return None
    if event_id is not None and (not isinstance(event_id, str) or event_id == ""):
        return None
    return body


def read_topic(topic):
    lake_only = {"year", "month", "day", "hour"}
    fields = [f for f in BRONZE_SCHEMAS[topic].fields if f.name not in lake_only]
    schema = StructType(fields + [StructField("_corrupt_record", StringType())])
    json_options = {"allowSingleQuotes": "false", "columnNameOfCorruptRecord": "_corrupt_record"}
    key_field = KEY_FIELDS[topic]
    checked = F.udf(lambda value: raw_event(value, key_field), StringType())
    parsed = (
        spark.readStream.format("kafka")
        .options(**kafka_options)
        .option("subscribe", TOPIC_PREFIX + topic)
        .load()
        .select(checked("value").alias("json"))
        .where(F.col("json").isNotNull())
        .select(F.from_json("json", schema, json_options).alias("e"))
        .where(F.col("e._corrupt_record").isNull())
        .select([F.col(f"e.{f.name}").alias(f.name) for f in fields])
    )
    return (
        with_event_time(parsed)
        .where(F.col("event_time_ms").isNotNull())
        .withColumn("event_time", F.timestamp_millis("event_time_ms"))
        .withColumn("event_key", event_key(topic))
    )


# COMMAND ----------

# MAGIC %md
# MAGIC ## Clickstream events per minute of event time, by event type
# MAGIC The stream carries duplicates (a producer retry sends a record twice): they are dropped by
# MAGIC their identity (`event_key`) first.

# COMMAND ----------


def write_counts(name, order):
    def write(batch, batch_id):
        # Complete mode hands over the whole table each time: replace what was there.
        write_gold(batch.orderBy(*order), name)

    return write


def run(query_name, counts, order):
    writer = (
        counts.writeStream.outputMode("complete")
        .queryName(query_name)
        .option("checkpointLocation", f"{CHECKPOINTS}/{query_name}")
        .foreachBatch(write_counts(query_name, order))
    )
    if AVAILABLE_NOW:
        writer = writer.trigger(availableNow=True)
    else:
        writer = writer.trigger(processingTime="30 seconds")
    return writer.start()


queries = []
if "clickstream" in TOPICS:
    clicks = read_topic("clickstream").dropDuplicates(["event_key"])
    click_counts = (
        clicks.where(F.col("event").isNotNull())
        .groupBy(F.window("event_time", "1 minute").alias("w"), "event")
        .count()
        .select(
            F.date_format("w.start", "yyyy-MM-dd'T'HH:mm:ss'Z'").alias("window_start"),
            F.date_format("w.end", "yyyy-MM-dd'T'HH:mm:ss'Z'").alias("window_end"),
            "event",
            "count",
        )
    )
    queries.append(run("streaming_clickstream_counts", click_counts, ["window_start", "event"]))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Delivery events by status
# MAGIC As the original delivery notebook displayed them: counts by status, highest first.

# COMMAND ----------

if "delivery-status" in TOPICS:
    status_counts = (
        read_topic("delivery-status")
        .dropDuplicates(["event_key"])
        .where(F.col("status").isNotNull())
        .groupBy("status")
        .count()
    )
    by_count = [F.col("count").desc(), F.col("status")]
    queries.append(run("streaming_delivery_status_counts", status_counts, by_count))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Watch it (Databricks)
# MAGIC With `live_display` = `true`, `display()` of a streaming DataFrame draws live-updating tables and
# MAGIC charts on Databricks. It keeps running until you cancel it: leave it off in jobs.

# COMMAND ----------

if dbutils.widgets.get("live_display") == "true" and "clickstream" in TOPICS:
    display(click_counts.orderBy(F.col("window_start").desc()))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Wait for the queries
# MAGIC With `available-now` each query processes what the topics hold, writes its counts and stops.

# COMMAND ----------

if AVAILABLE_NOW:
    for query in queries:
        query.awaitTermination()
        print(f"{query.name}: done")
    for query in queries:
        try:
            display(spark.read.parquet(f"{OUTPUT_ROOT}/analysis/parquet/{query.name}"))
        except Exception:  # no micro-batch ran: the topic held nothing new
            print(f"{query.name}: nothing written (no records)")

# COMMAND ----------

# MAGIC %md
# MAGIC **What you should see**: one row per (minute, event type) with its count; the counts by status
# MAGIC add up to the delivery events read. Back to: `clickstream`.
