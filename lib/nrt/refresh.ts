/**
 * Incremental gold: after an incremental silver pass, bring only the gold tables that new rows
 * can change up to date, each the cheap way its `refresh` describes (counts added, sorted rows
 * merged, only the touched hours, users or orders computed again, small per-key states
 * updated), with the same result as a full build. Tables without a `refresh`, and every table
 * reading a topic whose silver rows were replaced (not only added), are rebuilt in full.
 *
 * The new rows are read from the temporary tables that {@linkcode appendSilver} leaves:
 * `_delta_<table>` and `_delta_<table>_original`.
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import { tableName } from "./bronze.ts";
import type { NrtDb } from "./db.ts";
import { GOLD_TABLES, goldBuildSql, goldInputs, type GoldTable } from "./gold.ts";
import { ORIGINAL_TOPICS } from "./silver.ts";

/** Options of {@linkcode refreshGold}. */
export interface RefreshGoldOptions {
  /**
   * Topics whose silver lost or changed rows (not only gained): their tables are rebuilt.
   * @default none
   */
  rebuild?: readonly Topic[];
  /**
   * The gold tables to keep up to date, in build order.
   * @default GOLD_TABLES
   */
  tables?: readonly GoldTable[];
}

/**
 * Brings gold up to date after new rows of the `changed` topics were added to silver; returns
 * the tables refreshed or rebuilt (the others are unchanged).
 *
 * @example
 * ```ts ignore
 * import { appendSilver } from "./silver.ts";
 * import { refreshGold } from "./refresh.ts";
 * await appendSilver(db, "orders", files);
 * const touched = await refreshGold(db, ["orders"]);
 * ```
 */
export async function refreshGold(
  db: NrtDb,
  changed: readonly Topic[],
  options: RefreshGoldOptions = {},
): Promise<GoldTable[]> {
  const rebuild = new Set(options.rebuild ?? []);
  const dirty = new Set([...changed, ...rebuild]);
  // Topics without new rows get empty deltas, so a refresh reading several topics can run.
  const empties = [];
  for (const topic of TOPICS) {
    const t = tableName(topic);
    empties.push(
      `CREATE TEMP TABLE IF NOT EXISTS _delta_${t} AS SELECT * FROM silver.${t} LIMIT 0;`,
    );
    if (ORIGINAL_TOPICS.includes(topic)) {
      empties.push(`CREATE TEMP TABLE IF NOT EXISTS _delta_${t}_original AS
        SELECT * FROM silver.${t}_original LIMIT 0;`);
    }
  }
  await db.run(empties.join("\n"));
  const touched: GoldTable[] = [];
  for (const table of options.tables ?? GOLD_TABLES) {
    const inputs = goldInputs(table);
    if (!inputs.some((t) => dirty.has(t))) continue;
    if (table.refresh && !inputs.some((t) => rebuild.has(t))) {
      await db.run(
        table.state
          ? `${table.refresh}\nCREATE OR REPLACE TABLE gold.${table.name} AS ${table.sql};`
          : table.refresh,
      );
    } else {
      await db.run(goldBuildSql(table));
    }
    touched.push(table);
  }
  return touched;
}
