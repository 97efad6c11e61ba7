/** The shape of a gold table and the SQL helpers the topic files share. */
import type { Topic } from "../schema/events.ts";

/** One gold table. */
export interface GoldTable {
  /** Table name, as in TABLES.md (`gold.<name>`, `analysis/<name>/`). */
  name: string;
  /** The topic it belongs to (its notebook). */
  topic: Topic;
  /** Which cleaning it reads. */
  cleaning: "original" | "better";
  /** The SELECT over silver (and earlier gold tables) that produces it, ordered. */
  sql: string;
  /**
   * The order its rows are written in, when its `refresh` does not keep the table stored in
   * that order (`COPY` then sorts).
   * @default the table's storage order (`sql`'s ORDER BY)
   */
  order?: string;
  /**
   * The topics whose silver tables it reads (directly or through an earlier gold table): only
   * new rows of these change it.
   * @default [topic]
   */
  inputs?: readonly Topic[];
  /**
   * Statements building the helper tables (schema `gold_state`) that `sql` reads, run before it
   * in a full build: small per-key pre-aggregates that an incremental pass updates.
   * @default none
   */
  state?: string;
  /**
   * Statements bringing `gold.<name>` (and its `state`) up to date after an incremental pass
   * that only added rows, reading the temporary tables of the new rows (`lib/nrt/refresh.ts`):
   * `_delta_<table>` (rows added to `silver.<table>`) and `_delta_<table>_original` (rows added
   * to `silver.<table>_original`). For a table with a `state`, it updates the state and `sql`
   * then runs again. The result equals a full build.
   * @default rebuild from `state` and `sql`
   */
  refresh?: string;
  /**
   * For a table whose `refresh` only adds rows (never changes or removes one): a SELECT of the
   * rows it adds, over the same temporary tables, sorted in the table's order. An incremental
   * write-back then puts only these rows out, as new part files next to the written ones
   * (`lib/nrt/writeback.ts`), instead of rewriting the whole table.
   * @default none (the table is written whole)
   */
  appended?: string;
}

/**
 * A `(dim, count)` table: one row per value, most frequent first (ties by value), as the
 * original notebooks' `groupBy(dim).count().orderBy(desc("count"))`.
 */
export function countBySql(relation: string, dim: string): string {
  return `SELECT "${dim}", count(*) AS count FROM ${relation} GROUP BY "${dim}" ` +
    `ORDER BY count DESC, "${dim}"`;
}

/**
 * The refresh of a {@linkcode countBySql} table `gold.<name>`: its counts plus those of the new
 * rows `delta` (counts add up exactly).
 */
export function countByRefreshSql(name: string, delta: string, dim: string): string {
  return `CREATE OR REPLACE TABLE gold.${name} AS SELECT "${dim}", sum(count)::BIGINT AS count
    FROM (SELECT "${dim}", count FROM gold.${name}
      UNION ALL SELECT "${dim}", count(*) AS count FROM ${delta} GROUP BY "${dim}")
    GROUP BY "${dim}" ORDER BY count DESC, "${dim}";`;
}

/**
 * The refresh of a table that only gains rows and is stored sorted by `order` (its first
 * column the leading key): the new rows `delta` are merged in without sorting the whole table.
 * Rows sorting before the first new row stay where they are; the rest (with the new rows) are
 * deleted and inserted again in order, so the table's storage order stays the sort order (and
 * `COPY` writes it sorted). Late rows are few and only a little late, so the moved tail is short.
 */
export function appendSortedSql(table: string, delta: string, order: readonly string[]): string {
  const key = order[0];
  const tail = `${key} >= (SELECT min(${key}) FROM ${delta}) OR ${key} IS NULL`;
  const tmp = `_tail_${table.replaceAll(".", "_")}`;
  return `CREATE OR REPLACE TEMP TABLE ${tmp} AS
      SELECT * FROM ${table} WHERE ${tail} UNION ALL SELECT * FROM ${delta};
    DELETE FROM ${table} WHERE ${tail};
    INSERT INTO ${table} SELECT * FROM ${tmp} ORDER BY ${order.join(", ")};
    DROP TABLE ${tmp};`;
}
