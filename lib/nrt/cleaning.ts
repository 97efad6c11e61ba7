/**
 * The two cleanings of `TABLES.md`, side by side:
 *
 * - **original** (as the original Databricks notebooks): over the columns the original data frame
 *   had — the original producers' fields (`ORIGINAL_FIELDS`) and the partition columns, never a
 *   column we add — drop rows with a null in any of them, then drop exact duplicate rows;
 * - **better**: keep one row per event identity (`eventKeySql`: the `event_id`, or for a record
 *   without one, the original producers', a hash of its content; the smallest
 *   `(year, month, day, hour, timestamp)` is kept), keep nulls in optional fields; each analysis
 *   then ignores the rows whose fields it uses are null.
 *
 * Plus the notebook steps around them: null counts per column and the duplicate check.
 *
 * @module
 */
import { KEY_FIELD, ORIGINAL_FIELDS, type Topic } from "../schema/events.ts";
import { BRONZE_COLUMNS, bronzeColumnNames, PARTITION_COLUMNS, tableName } from "./bronze.ts";
import { type NrtDb, sqlName } from "./db.ts";

/**
 * The columns of the original notebooks' data frame: the original producers' fields, then the
 * partition columns Spark's discovery adds.
 *
 * @example
 * ```ts
 * import { originalColumns } from "./cleaning.ts";
 * originalColumns("delivery-status").join(", ");
 * // "order_id, delivery_person_id, timestamp, status, current_location, year, month, day, hour"
 * ```
 */
export function originalColumns(topic: Topic): string[] {
  return [...ORIGINAL_FIELDS[topic], ...PARTITION_COLUMNS];
}

/** The condition "no column of the original data frame is null" of a topic. */
export function originalNotNull(topic: Topic): string {
  return originalColumns(topic).map((f) => `${sqlName(f)} IS NOT NULL`).join(" AND ");
}

/**
 * The identity of a row (SQL): its `event_id`, else `c:` and the MD5 of its content (every read
 * column but `event_id`, as JSON): the rule of `lib/schema/identity.ts` over the columns bronze
 * reads.
 *
 * @example
 * ```ts
 * import { eventKeySql } from "./cleaning.ts";
 * eventKeySql("orders").startsWith("coalesce(event_id, 'c:' || md5("); // true
 * ```
 */
export function eventKeySql(topic: Topic): string {
  const content = BRONZE_COLUMNS[topic].map(([name]) => name).filter((n) => n !== "event_id");
  return `coalesce(event_id, 'c:' || md5(to_json(struct_pack(${
    content.map((n) => `${sqlName(n)} := ${sqlName(n)}`).join(", ")
  }))))`;
}

/** The silver columns: bronze's, then `event_key` (the identity, kept in DuckDB only). */
export function silverColumnNames(topic: Topic): string[] {
  return [...bronzeColumnNames(topic), "event_key"];
}

/**
 * The original cleaning of `relation` (bronze columns): the original data frame's columns, rows
 * with a null in any of them dropped, then exact duplicates.
 *
 * @example
 * ```ts
 * import { originalCleaningSql } from "./cleaning.ts";
 * originalCleaningSql("orders", "bronze.orders").startsWith('SELECT DISTINCT "order_id"'); // true
 * ```
 */
export function originalCleaningSql(topic: Topic, relation: string): string {
  return `SELECT DISTINCT ${originalColumns(topic).map(sqlName).join(", ")} FROM ${relation} ` +
    `WHERE ${originalNotNull(topic)}`;
}

/**
 * Columns that identical rows of the original cleaning share and that narrow the search for
 * duplicates: the topic's key field and the timestamp (both original fields, never null there).
 */
export function originalDuplicateKey(topic: Topic): string {
  return `${sqlName(KEY_FIELD[topic])}, "timestamp"`;
}

/** The order that picks the row kept per identity (the smallest first). */
export const BETTER_ORDER = `year, month, day, hour, "timestamp"`;

/**
 * The better cleaning of `relation` (bronze columns): one row per identity, nulls kept; the
 * silver columns (bronze's and `event_key`).
 */
export function betterCleaningSql(topic: Topic, relation: string): string {
  const columns = bronzeColumnNames(topic).map(sqlName).join(", ");
  return `SELECT * FROM (SELECT ${columns}, ${eventKeySql(topic)} AS event_key FROM ${relation}) ` +
    `QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY ${BETTER_ORDER}) = 1`;
}

/**
 * Null counts (the original notebooks' first cleaning step): one row, one column per column of
 * the original data frame ({@linkcode originalColumns}), each the number of its nulls in
 * `relation` (default the topic's bronze view).
 */
export async function nullCounts(
  db: NrtDb,
  topic: Topic,
  relation = `bronze.${tableName(topic)}`,
): Promise<Record<string, number>> {
  const counts = originalColumns(topic)
    .map((c) => `count(*) FILTER (WHERE ${sqlName(c)} IS NULL) AS ${sqlName(c)}`);
  const [row] = await db.rows<Record<string, number>>(
    `SELECT ${counts.join(", ")} FROM ${relation}`,
  );
  return row;
}

/**
 * The duplicate check (the original notebooks' step before `dropDuplicates()`): groups of rows
 * identical in every column of the original data frame ({@linkcode originalColumns}) seen more
 * than once in `relation` (default the topic's bronze view), with their `count`, most repeated
 * first; at most `limit` groups.
 */
export async function duplicateGroups(
  db: NrtDb,
  topic: Topic,
  { relation = `bronze.${tableName(topic)}`, limit = 20 } = {},
): Promise<Array<Record<string, unknown>>> {
  const columns = originalColumns(topic).map(sqlName).join(", ");
  // Ordered by every column after the count: the groups shown are the same on every run.
  return await db.rows(
    `SELECT ${columns}, count(*) AS count FROM ${relation} GROUP BY ALL HAVING count(*) > 1 ` +
      `ORDER BY count DESC, ${columns} LIMIT ${limit}`,
  );
}

/** Row counts of both cleanings of one topic (see {@linkcode compareCleanings}). */
export interface CleaningComparison {
  topic: Topic;
  /** Bronze rows. */
  bronze: number;
  /** Original cleaning: rows left after dropping nulls in original fields. */
  originalAfterNulls: number;
  /** Original cleaning: rows left after also dropping exact duplicates. */
  original: number;
  /** Better cleaning: rows left (one per event identity). */
  better: number;
  /** Rows the original cleaning drops that the better one keeps (better − original). */
  difference: number;
  /** Bronze rows repeating an event identity already seen (both cleanings drop them). */
  duplicateEvents: number;
}

/**
 * Counts both cleanings of a topic over `relation` (default its bronze view): what the
 * original notebooks keep against the better practice.
 */
export async function compareCleanings(
  db: NrtDb,
  topic: Topic,
  relation = `bronze.${tableName(topic)}`,
): Promise<CleaningComparison> {
  const [row] = await db.rows<Omit<CleaningComparison, "topic" | "difference">>(`
    SELECT
      (SELECT count(*) FROM ${relation}) AS bronze,
      (SELECT count(*) FROM ${relation} WHERE ${originalNotNull(topic)}) AS "originalAfterNulls",
      (SELECT count(*) FROM (${originalCleaningSql(topic, relation)})) AS original,
      (SELECT count(*) FROM (${betterCleaningSql(topic, relation)})) AS better,
      (SELECT count(*) - count(DISTINCT ${eventKeySql(topic)}) FROM ${relation})
        AS "duplicateEvents"`);
  return { topic, ...row, difference: row.better - row.original };
}
