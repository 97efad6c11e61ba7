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
}

/**
 * A `(dim, count)` table: one row per value, most frequent first (ties by value), as the
 * original notebooks' `groupBy(dim).count().orderBy(desc("count"))`.
 */
export function countBySql(relation: string, dim: string): string {
  return `SELECT "${dim}", count(*) AS count FROM ${relation} GROUP BY "${dim}" ` +
    `ORDER BY count DESC, "${dim}"`;
}
