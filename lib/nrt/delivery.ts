/**
 * Delivery-status gold tables (TABLES.md "delivery-status"): the original notebook's path
 * (split `current_location` into city and country, drop rows with nulls, reorder, US returns,
 * counts) and delivery times per country over the better-cleaned rows.
 *
 * @module
 */
import { countBySql, type GoldTable } from "./_gold.ts";

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

/** Delivery-status gold tables. */
export const DELIVERY_GOLD: GoldTable[] = [
  {
    name: "returns_usa",
    topic: "delivery-status",
    cleaning: "original",
    sql: `SELECT * FROM ${SPLIT} WHERE status = 'returned' AND country = 'USA'
      ORDER BY "timestamp", event_id`,
  },
  ...DELIVERY_DIMENSIONS.map((dim): GoldTable => ({
    name: `delivery_by_${dim}`,
    topic: "delivery-status",
    cleaning: "original",
    sql: countBySql(SPLIT, dim),
  })),
  {
    name: "delivery_time_by_country",
    topic: "delivery-status",
    cleaning: "better",
    sql: `WITH d AS (
        SELECT order_id, status, "timestamp", ${COUNTRY_SQL} AS country
        FROM silver.delivery_status
        WHERE order_id IS NOT NULL AND "timestamp" IS NOT NULL AND status IS NOT NULL),
      picked AS (SELECT order_id, min("timestamp") AS picked_up FROM d
        WHERE status = 'picked_up' AND country IS NOT NULL GROUP BY order_id),
      delivered AS (SELECT order_id, "timestamp" AS delivered, country FROM d
        WHERE status = 'delivered' AND country IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY "timestamp", country) = 1),
      times AS (SELECT dl.country,
          (epoch_ms(dl.delivered::TIMESTAMP) - epoch_ms(p.picked_up::TIMESTAMP)) / 3600000::DOUBLE AS hours
        FROM picked p JOIN delivered dl USING (order_id)
        WHERE dl.delivered::TIMESTAMP > p.picked_up::TIMESTAMP)
      SELECT country, count(*) AS deliveries, quantile_cont(hours, 0.5) AS p50_hours,
        quantile_cont(hours, 0.9) AS p90_hours, avg(hours) AS mean_hours
      FROM times GROUP BY country ORDER BY deliveries DESC, country`,
  },
];
