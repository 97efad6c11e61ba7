/**
 * Bronze: views over the local cache of the raw lake, one per topic, with an explicit schema
 * (the event contract of `lib/schema/events.ts`; unknown extra fields are not read) and typed
 * hive partition columns `year, month, day, hour` (INTEGER; DuckDB would read `hour=09` as text
 * otherwise).
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import { type NrtDb, sqlString } from "./db.ts";

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

/** Every bronze column name of a topic, partition columns last. */
export function bronzeColumnNames(topic: Topic): string[] {
  return [...BRONZE_COLUMNS[topic].map(([name]) => name), ...PARTITION_COLUMNS];
}

/**
 * The SELECT reading raw JSON-lines files (a glob or a list of paths) of one topic with the
 * bronze schema.
 */
export function bronzeSelect(topic: Topic, files: string | readonly string[]): string {
  const source = typeof files === "string"
    ? sqlString(files)
    : `[${files.map(sqlString).join(", ")}]`;
  const columns = BRONZE_COLUMNS[topic].map(([n, t]) => `${sqlString(n)}: ${sqlString(t)}`);
  const names = bronzeColumnNames(topic).map((n) => `"${n}"`).join(", ");
  return `SELECT ${names} FROM read_json(${source}, format = 'newline_delimited', ` +
    `columns = {${columns.join(", ")}}, hive_partitioning = true, ` +
    `hive_types = {'year': INTEGER, 'month': INTEGER, 'day': INTEGER, 'hour': INTEGER}, ` +
    `hive_types_autocast = false)`;
}

/** A SELECT of no rows with the bronze schema (for a topic without files yet). */
export function emptyBronzeSelect(topic: Topic): string {
  const columns = [
    ...BRONZE_COLUMNS[topic],
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
 * `bronze.orders`, `bronze.user_profiles`, `bronze.delivery_status`.
 */
export async function createBronzeViews(db: NrtDb, cacheDir: string): Promise<void> {
  await db.run("CREATE SCHEMA IF NOT EXISTS bronze");
  for (const topic of TOPICS) {
    const glob = cacheGlob(cacheDir, topic);
    const hasFiles = Number(await db.value(`SELECT count(*) FROM glob(${sqlString(glob)})`)) > 0;
    const select = hasFiles ? bronzeSelect(topic, glob) : emptyBronzeSelect(topic);
    await db.run(`CREATE OR REPLACE VIEW bronze.${tableName(topic)} AS ${select}`);
  }
}
