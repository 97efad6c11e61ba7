/**
 * Clickstream gold tables (TABLES.md "clickstream"): the original notebook's counts and
 * `device_tablet` over the original-cleaned rows, and hourly traffic and the funnel over the
 * better-cleaned ones.
 *
 * @module
 */
import { countBySql, type GoldTable } from "./_gold.ts";

/** The original notebook's count dimensions, in its order. */
export const CLICKSTREAM_DIMENSIONS = [
  "device",
  "event",
  "page",
  "referrer",
  "year",
  "month",
  "day",
] as const;

/** The columns of `device_tablet`. */
export const DEVICE_TABLET_COLUMNS = [
  "event_id",
  "event",
  "user_id",
  "timestamp",
  "page",
  "referrer",
  "device",
  "session_id",
  "product_id",
  "search_query",
  "year",
  "month",
  "day",
  "hour",
] as const;

/** The funnel's steps: order, name, condition on a clickstream row. */
export const FUNNEL_STEPS = [
  [1, "page_view", "event = 'page_view'"],
  [2, "product_page", "page = 'product_page'"],
  [3, "add_to_cart", "event = 'add_to_cart'"],
  [4, "checkout", "event = 'checkout'"],
  [5, "order", "session_id IN (SELECT session_id FROM silver.orders WHERE session_id IS NOT NULL)"],
] as const;

const ORIGINAL = "silver.clickstream_original";

/** Clickstream gold tables. */
export const CLICKSTREAM_GOLD: GoldTable[] = [
  ...CLICKSTREAM_DIMENSIONS.map((dim): GoldTable => ({
    name: `clickstream_by_${dim}`,
    topic: "clickstream",
    cleaning: "original",
    sql: countBySql(ORIGINAL, dim),
  })),
  {
    name: "device_tablet",
    topic: "clickstream",
    cleaning: "original",
    sql: `SELECT ${DEVICE_TABLET_COLUMNS.map((c) => `"${c}"`).join(", ")} FROM ${ORIGINAL} ` +
      `WHERE device = 'tablet' ORDER BY "timestamp", event_id`,
  },
  {
    name: "clickstream_hourly_traffic",
    topic: "clickstream",
    cleaning: "better",
    sql: `SELECT year, month, day, hour, count(*) AS events, count(DISTINCT user_id) AS users,
      count(DISTINCT session_id) AS sessions
      FROM silver.clickstream GROUP BY year, month, day, hour ORDER BY year, month, day, hour`,
  },
  {
    name: "clickstream_funnel",
    topic: "clickstream",
    cleaning: "better",
    sql: `WITH c AS (SELECT session_id, event, page FROM silver.clickstream
        WHERE session_id IS NOT NULL),
      steps AS (${
      FUNNEL_STEPS.map(([order, step, where]) =>
        `SELECT ${order} AS step_order, '${step}' AS step, count(DISTINCT session_id) AS sessions ` +
        `FROM c WHERE ${where}`
      ).join("\n UNION ALL ")
    })
      SELECT step_order, step, sessions,
        sessions::DOUBLE / NULLIF(max(sessions) FILTER (WHERE step_order = 1) OVER (), 0) AS rate
      FROM steps ORDER BY step_order`,
  },
];
