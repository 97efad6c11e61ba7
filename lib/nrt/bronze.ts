/**
 * Bronze: views over the local cache of the raw lake, one per topic, with an explicit schema
 * (the event contract of `lib/schema/events.ts`; unknown extra fields are not read), the record's
 * `event_time` (TIMESTAMPTZ: its `timestamp` read by the one event-time rule, `event_time.ts`;
 * NULL when it has none, and the row is kept) and typed hive partition columns
 * `year, month, day, hour` (INTEGER; DuckDB would read `hour=09` as text otherwise).
 *
 * Records of both formats land in the same columns: the original producers' records simply have
 * NULL `event_id` (and `session_id`, `product_id`, `search_query`).
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import { DEFAULT_EVENT_TIME_ZONE } from "../schema/event_time.ts";
import { type NrtDb, sqlString } from "./db.ts";
import { installEventTime } from "./event_time.ts";

/** Column name → DuckDB type, in contract order. */
export type Columns = ReadonlyArray<readonly [name: string, type: string]>;

/** The bronze columns per topic (before the partition columns). */
export const BRONZE_COLUMNS: { readonly [T in Topic]: Columns } = {
  "clickstream": [
    ["event_id", "VARCHAR"],
    ["event", "VARCHAR"],
    ["user_id", "VARCHAR"],
    ["timestamp", "VARCHAR"],
    ["page", "VARCHAR"],
    ["referrer", "VARCHAR"],
    ["device", "VARCHAR"],
    ["session_id", "VARCHAR"],
    ["product_id", "VARCHAR"],
    ["search_query", "VARCHAR"],
  ],
  "orders": [
    ["event_id", "VARCHAR"],
    ["order_id", "VARCHAR"],
    ["user_id", "VARCHAR"],
    ["timestamp", "VARCHAR"],
    ["items", "STRUCT(product_id VARCHAR, quantity BIGINT, price DOUBLE)[]"],
    ["total_amount", "DOUBLE"],
    ["payment_method", "VARCHAR"],
    ["status", "VARCHAR"],
    ["session_id", "VARCHAR"],
  ],
  "user-profiles": [
    ["event_id", "VARCHAR"],
    ["user_id", "VARCHAR"],
    ["timestamp", "VARCHAR"],
    ["action", "VARCHAR"],
    ["details", "STRUCT(email VARCHAR, name VARCHAR, preferred_category VARCHAR)"],
  ],
  "delivery-status": [
    ["event_id", "VARCHAR"],
    ["order_id", "VARCHAR"],
    ["delivery_person_id", "VARCHAR"],
    ["timestamp", "VARCHAR"],
    ["status", "VARCHAR"],
    ["current_location", "VARCHAR"],
  ],
};

/** The hive partition columns, in order. */
export const PARTITION_COLUMNS = ["year", "month", "day", "hour"] as const;

/** Columns bronze derives from the record (after the read ones, before the partitions). */
export const DERIVED_COLUMNS: Columns = [["event_time", "TIMESTAMPTZ"]];

/**
 * The SQL name of a topic's tables (`user-profiles` → `user_profiles`).
 *
 * @example
 * ```ts
 * import { tableName } from "./bronze.ts";
 * tableName("delivery-status"); // "delivery_status"
 * ```
 */
export function tableName(topic: Topic): string {
  return topic.replaceAll("-", "_");
}

/** Every bronze column name of a topic: read, derived (`event_time`), then partition columns. */
export function bronzeColumnNames(topic: Topic): string[] {
  return [
    ...BRONZE_COLUMNS[topic].map(([name]) => name),
    ...DERIVED_COLUMNS.map(([name]) => name),
    ...PARTITION_COLUMNS,
  ];
}

/**
 * The SELECT reading raw JSON-lines files (a glob or a list of paths) of one topic with the
 * bronze schema. Needs the event-time macros (`installEventTime`).
 */
export function bronzeSelect(topic: Topic, files: string | readonly string[]): string {
  const source = typeof files === "string"
    ? sqlString(files)
    : `[${files.map(sqlString).join(", ")}]`;
  const columns = BRONZE_COLUMNS[topic].map(([n, t]) => `${sqlString(n)}: ${sqlString(t)}`);
  const names = [
    ...BRONZE_COLUMNS[topic].map(([n]) => `"${n}"`),
    `event_time("timestamp") AS event_time`,
    ...PARTITION_COLUMNS.map((n) => `"${n}"`),
  ].join(", ");
  return `SELECT ${names} FROM read_json(${source}, format = 'newline_delimited', ` +
    `columns = {${columns.join(", ")}}, hive_partitioning = true, ` +
    `hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER, 'hour': INTEGER}, ` +
    `hive_types_autocast = false)`;
}

/** A SELECT of no rows with the bronze schema (for a topic without files yet). */
export function emptyBronzeSelect(topic: Topic): string {
  const columns = [
    ...BRONZE_COLUMNS[topic],
    ...DERIVED_COLUMNS,
    ...PARTITION_COLUMNS.map((p) => [p, "INTEGER"] as const),
  ];
  return `SELECT ${columns.map(([n, t]) => `NULL::${t} AS "${n}"`).join(", ")} WHERE false`;
}

/** The glob of a topic's files in the cache. */
export function cacheGlob(cacheDir: string, topic: Topic): string {
  return `${cacheDir}/topics/${topic}/year=*/month=*/day=*/hour=*/*.json`;
}

/**
 * Creates (or replaces) the `bronze` schema's views over the cache: `bronze.clickstream`,
 * `bronze.orders`, `bronze.user_profiles`, `bronze.delivery_status`; installs the event-time
 * macros for `zone` (`EVENT_TIME_ZONE`) that their `event_time` column reads.
 */
export async function createBronzeViews(
  db: NrtDb,
  cacheDir: string,
  zone: string = DEFAULT_EVENT_TIME_ZONE,
): Promise<void> {
  await installEventTime(db, zone);
  await db.run("CREATE SCHEMA IF NOT EXISTS bronze");
  for (const topic of TOPICS) {
    const glob = cacheGlob(cacheDir, topic);
    const hasFiles = Number(await db.value(`SELECT count(*) FROM glob(${sqlString(glob)})`)) > 0;
    const select = hasFiles ? bronzeSelect(topic, glob) : emptyBronzeSelect(topic);
    await db.run(`CREATE OR REPLACE VIEW bronze.${tableName(topic)} AS ${select}`);
  }
}
