/**
 * The two cleanings of `TABLES.md`, side by side:
 *
 * - **original** (as the original Databricks notebooks): drop rows with a null in any original
 *   field (`ORIGINAL_FIELDS`), then drop exact duplicate rows (all columns, partition columns
 *   included);
 * - **better**: keep one row per `event_id` (the smallest `(year, month, day, hour, timestamp)`),
 *   keep nulls in optional fields; each analysis then ignores the rows whose fields it uses are
 *   null. Rows without an event_id cannot be de-duplicated and are dropped.
 *
 * Plus the notebook steps around them: null counts per column and the duplicate check.
 *
 * @module
 */
import { ORIGINAL_FIELDS, type Topic } from "../schema/events.ts";
import { bronzeColumnNames } from "./bronze.ts";
import { type NrtDb, sqlName } from "./db.ts";

/** The condition "no original field is null" of a topic. */
export function originalNotNull(topic: Topic): string {
  return ORIGINAL_FIELDS[topic].map((f) => `${sqlName(f)} IS NOT NULL`).join(" AND ");
}

/**
 * The original cleaning of `relation` (bronze columns): drop nulls in original fields, then
 * exact duplicates.
 *
 * @example
 * ```ts
 * import { originalCleaningSql } from "./cleaning.ts";
 * originalCleaningSql("orders", "bronze.orders").startsWith("SELECT DISTINCT *"); // true
 * ```
 */
export function originalCleaningSql(topic: Topic, relation: string): string {
  return `SELECT DISTINCT * FROM ${relation} WHERE ${originalNotNull(topic)}`;
}

/** The better cleaning of `relation` (bronze columns): one row per event_id, nulls kept. */
export function betterCleaningSql(topic: Topic, relation: string): string {
  const columns = bronzeColumnNames(topic).map(sqlName).join(", ");
  return `SELECT ${columns} FROM ${relation} WHERE event_id IS NOT NULL ` +
    `QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY year, month, day, hour, "timestamp") = 1`;
}

/**
 * Null counts: one row, one column per column of `relation`, each the number of its nulls (the
 * original notebooks' first cleaning step).
 */
export async function nullCounts(db: NrtDb, relation: string): Promise<Record<string, number>> {
  const columns = (await db.rows<{ column_name: string }>(`DESCRIBE ${relation}`))
    .map((r) => r.column_name);
  const [row] = await db.rows<Record<string, number>>(
    `SELECT ${
      columns.map((c) => `count(*) FILTER (WHERE ${sqlName(c)} IS NULL) AS ${sqlName(c)}`).join(
        ", ",
      )
    } FROM ${relation}`,
  );
  return row;
}

/**
 * The duplicate check: groups of identical rows (all columns) seen more than once, with their
 * `count`, most repeated first; at most `limit` groups.
 */
export async function duplicateGroups(
  db: NrtDb,
  relation: string,
  limit = 20,
): Promise<Array<Record<string, unknown>>> {
  return await db.rows(
    `SELECT *, count(*) AS count FROM ${relation} GROUP BY ALL HAVING count(*) > 1 ` +
      `ORDER BY count DESC, 1 LIMIT ${limit}`,
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
  /** Better cleaning: rows left (one per event_id). */
  better: number;
  /** Rows the original cleaning drops that the better one keeps (better − original). */
  difference: number;
  /** Bronze rows repeating an event_id already seen (both cleanings drop them). */
  duplicateEvents: number;
}

/**
 * Counts both cleanings of a topic over `relation` (default its bronze view): what the
 * original notebooks keep against the better practice.
 */
export async function compareCleanings(
  db: NrtDb,
  topic: Topic,
  relation = `bronze.${topic.replaceAll("-", "_")}`,
): Promise<CleaningComparison> {
  const [row] = await db.rows<Omit<CleaningComparison, "topic" | "difference">>(`
    SELECT
      (SELECT count(*) FROM ${relation}) AS bronze,
      (SELECT count(*) FROM ${relation} WHERE ${originalNotNull(topic)}) AS "originalAfterNulls",
      (SELECT count(*) FROM (${originalCleaningSql(topic, relation)})) AS original,
      (SELECT count(*) FROM (${betterCleaningSql(topic, relation)})) AS better,
      (SELECT count(*) - count(DISTINCT event_id) FROM ${relation} WHERE event_id IS NOT NULL)
        AS "duplicateEvents"`);
  return { topic, ...row, difference: row.better - row.original };
}
