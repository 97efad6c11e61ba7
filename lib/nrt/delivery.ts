/**
 * Delivery-status gold tables (TABLES.md "delivery-status"): the original notebook's path
 * (split `current_location` into city and country, drop rows with nulls, reorder, US returns,
 * counts) and delivery times per country over the better-cleaned rows.
 *
 * @module
 */
import { appendSortedSql, countByRefreshSql, countBySql, type GoldTable } from "./_gold.ts";

/** The split rows' columns, in the original notebook's order. */
export const DELIVERY_SPLIT_COLUMNS = [
  "delivery_person_id",
  "order_id",
  "status",
  "city",
  "country",
  "event_id",
  "timestamp",
  "year",
  "month",
  "day",
  "hour",
] as const;

/** The original notebook's count dimensions, in its order. */
export const DELIVERY_DIMENSIONS = ["status", "country", "year", "month", "day"] as const;

/** SQL of the city (first part of `current_location` split on ', '). */
export const CITY_SQL = `split_part(current_location, ', ', 1)`;
/** SQL of the country (second part; NULL when there is no ', '). */
export const COUNTRY_SQL =
  `CASE WHEN strpos(current_location, ', ') > 0 THEN split_part(current_location, ', ', 2) END`;

/**
 * The split step over `relation` (bronze columns, original-cleaned): city and country added,
 * rows with any null dropped, `current_location` dropped, columns reordered.
 */
export function deliverySplitSql(relation: string): string {
  const cols = DELIVERY_SPLIT_COLUMNS.map((c) => `"${c}"`);
  return `SELECT ${cols.join(", ")} FROM (SELECT *, ${CITY_SQL} AS city, ${COUNTRY_SQL} AS country
    FROM ${relation}) WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(" AND ")}`;
}

const SPLIT = "silver.delivery_status_split";
/** The split of the rows just added to `silver.delivery_status_original`. */
const NEW_SPLIT = `(${deliverySplitSql("_delta_delivery_status_original")})`;

/**
 * Per order (in `relation`, rows of `silver.delivery_status`), the country of its delivery and
 * the hours from its first pick-up to it: the input of the per-country percentiles, kept as
 * `gold_state.delivery_times` so an incremental pass only pairs the orders with new rows.
 */
function deliveryTimesSql(relation: string): string {
  return `WITH d AS (
      SELECT order_id, status, "timestamp", ${COUNTRY_SQL} AS country
      FROM ${relation}
      WHERE order_id IS NOT NULL AND "timestamp" IS NOT NULL AND status IS NOT NULL),
    picked AS (SELECT order_id, min("timestamp") AS picked_up FROM d
      WHERE status = 'picked_up' AND country IS NOT NULL GROUP BY order_id),
    delivered AS (SELECT order_id, "timestamp" AS delivered, country FROM d
      WHERE status = 'delivered' AND country IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY "timestamp", country) = 1)
    SELECT order_id, dl.country,
        (epoch_ms(TRY_CAST(dl.delivered AS TIMESTAMP)) - epoch_ms(TRY_CAST(p.picked_up AS TIMESTAMP)))
          / 3600000::DOUBLE AS hours
      FROM picked p JOIN delivered dl USING (order_id)
      -- TRY_CAST: a timestamp that is no time leaves its order out (as Spark's to_timestamp does),
      -- it does not abort the pass.
      WHERE TRY_CAST(dl.delivered AS TIMESTAMP) > TRY_CAST(p.picked_up AS TIMESTAMP)`;
}

/** The `returns_usa` rows among an incremental pass's new split rows. */
const NEW_RETURNS = `SELECT * FROM ${NEW_SPLIT} WHERE status = 'returned' AND country = 'USA'`;

/** Delivery-status gold tables. */
export const DELIVERY_GOLD: GoldTable[] = [
  {
    name: "returns_usa",
    topic: "delivery-status",
    cleaning: "original",
    sql: `SELECT * FROM ${SPLIT} WHERE status = 'returned' AND country = 'USA'
      ORDER BY "timestamp", event_id`,
    refresh: appendSortedSql("gold.returns_usa", `(${NEW_RETURNS})`, ['"timestamp"', "event_id"]),
    appended: `${NEW_RETURNS} ORDER BY "timestamp", event_id`,
  },
  ...DELIVERY_DIMENSIONS.map((dim): GoldTable => ({
    name: `delivery_by_${dim}`,
    topic: "delivery-status",
    cleaning: "original",
    sql: countBySql(SPLIT, dim),
    refresh: countByRefreshSql(`delivery_by_${dim}`, NEW_SPLIT, dim),
  })),
  {
    name: "delivery_time_by_country",
    topic: "delivery-status",
    cleaning: "better",
    state: `CREATE SCHEMA IF NOT EXISTS gold_state;
      CREATE OR REPLACE TABLE gold_state.delivery_times AS
        ${deliveryTimesSql("silver.delivery_status")};`,
    sql: `SELECT country, count(*) AS deliveries, quantile_cont(hours, 0.5) AS p50_hours,
        quantile_cont(hours, 0.9) AS p90_hours, avg(hours) AS mean_hours
      FROM gold_state.delivery_times GROUP BY country ORDER BY deliveries DESC, country`,
    // Only the orders with new rows are paired again.
    refresh: `CREATE OR REPLACE TEMP TABLE _orders AS
        SELECT DISTINCT order_id FROM _delta_delivery_status WHERE order_id IS NOT NULL;
      DELETE FROM gold_state.delivery_times WHERE order_id IN (SELECT order_id FROM _orders);
      INSERT INTO gold_state.delivery_times ${
      deliveryTimesSql("(SELECT * FROM silver.delivery_status SEMI JOIN _orders USING (order_id))")
    };
      DROP TABLE _orders;`,
  },
];
