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

/** Builds `gold.<name>` for the given tables (default all), in order; returns row counts. */
export async function buildGold(
  db: NrtDb,
  tables: readonly GoldTable[] = GOLD_TABLES,
): Promise<Array<{ name: string; rows: number }>> {
  await db.run("CREATE SCHEMA IF NOT EXISTS gold");
  const out = [];
  for (const table of tables) {
    await db.run(`CREATE OR REPLACE TABLE gold.${table.name} AS ${table.sql}`);
    out.push({
      name: table.name,
      rows: Number(await db.value(`SELECT count(*) FROM gold.${table.name}`)),
    });
  }
  return out;
}
