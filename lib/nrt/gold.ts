/**
 * Gold: the analysis tables of `TABLES.md`, per topic, each one SQL SELECT over silver, built as
 * `gold.<name>` and written back to the lake as `analysis/<name>/`.
 *
 * @module
 */
import type { Topic } from "../schema/events.ts";
import type { GoldTable } from "./_gold.ts";
import { CLICKSTREAM_GOLD } from "./clickstream.ts";
import type { NrtDb } from "./db.ts";
import { DELIVERY_GOLD } from "./delivery.ts";
import { ORDERS_GOLD } from "./orders.ts";
import { PROFILES_GOLD } from "./profiles.ts";

export { countBySql, type GoldTable } from "./_gold.ts";

/**
 * Every gold table, in build order (a table may read an earlier one, e.g.
 * `revenue_by_preferred_category` reads `profiles_latest`).
 */
export const GOLD_TABLES: readonly GoldTable[] = [
  ...CLICKSTREAM_GOLD,
  ...ORDERS_GOLD,
  ...PROFILES_GOLD,
  ...DELIVERY_GOLD,
];

/** The gold tables of one topic. */
export function goldTablesOf(topic: Topic): GoldTable[] {
  return GOLD_TABLES.filter((t) => t.topic === topic);
}

/** The topics whose silver a gold table reads. */
export function goldInputs(table: GoldTable): readonly Topic[] {
  return table.inputs ?? [table.topic];
}

/** The statements that build one gold table in full (its state first). */
export function goldBuildSql(table: GoldTable): string {
  return `${table.state ?? ""}
    CREATE OR REPLACE TABLE gold.${table.name} AS ${table.sql};`;
}

/** Builds `gold.<name>` for the given tables (default all), in order; returns row counts. */
export async function buildGold(
  db: NrtDb,
  tables: readonly GoldTable[] = GOLD_TABLES,
): Promise<Array<{ name: string; rows: number }>> {
  await db.run("CREATE SCHEMA IF NOT EXISTS gold");
  for (const table of tables) await db.run(goldBuildSql(table));
  return await goldCounts(db, tables);
}

/** Row counts of the given gold tables (default all), in one query. */
export async function goldCounts(
  db: NrtDb,
  tables: readonly GoldTable[] = GOLD_TABLES,
): Promise<Array<{ name: string; rows: number }>> {
  if (!tables.length) return [];
  const rows = await db.rows<{ name: string; rows: number }>(
    tables.map((t) => `SELECT '${t.name}' AS name, count(*) AS rows FROM gold.${t.name}`)
      .join(" UNION ALL "),
  );
  const byName = new Map(rows.map((r) => [r.name, Number(r.rows)]));
  return tables.map((t) => ({ name: t.name, rows: byName.get(t.name) ?? 0 }));
}
