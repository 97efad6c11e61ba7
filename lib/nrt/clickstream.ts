/**
 * Clickstream gold tables (TABLES.md "clickstream"): the original notebook's counts and
 * `device_tablet` over the original-cleaned rows, and hourly traffic and the funnel over the
 * better-cleaned ones.
 *
 * @module
 */
import { appendSortedSql, countByRefreshSql, countBySql, type GoldTable } from "./_gold.ts";
import { originalColumns } from "./cleaning.ts";

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

/** The columns of `device_tablet`: the original data frame's (no column we add). */
export const DEVICE_TABLET_COLUMNS: readonly string[] = originalColumns("clickstream");

/** The funnel's steps: order, name, condition on a clickstream row. */
export const FUNNEL_STEPS = [
  [1, "page_view", "event = 'page_view'"],
  [2, "product_page", "page = 'product_page'"],
  [3, "add_to_cart", "event = 'add_to_cart'"],
  [4, "checkout", "event = 'checkout'"],
  [5, "order", "session_id IN (SELECT session_id FROM silver.orders WHERE session_id IS NOT NULL)"],
] as const;

const ORIGINAL = "silver.clickstream_original";
const TABLET_COLUMNS = DEVICE_TABLET_COLUMNS.map((c) => `"${c}"`).join(", ");
/** The order `device_tablet` is written in (row order is not significant; this is stable). */
const TABLET_ORDER = ['"timestamp"', "user_id", "event", "page", "referrer", "year", "hour"];
/**
 * Distinct sessions, or NULL where no row has a session_id: the original producers' records
 * carry none, and a count of 0 would claim there were no sessions ("not available for this data").
 */
const SESSIONS = `CASE WHEN count(session_id) > 0 THEN count(DISTINCT session_id) END AS sessions`;
/** The `device_tablet` rows among an incremental pass's new original-cleaned rows. */
const NEW_TABLETS =
  `SELECT ${TABLET_COLUMNS} FROM _delta_clickstream_original WHERE device = 'tablet'`;

/**
 * Per session, whether it has a row of each of the funnel's steps 1–4 (step 5 depends on
 * orders, joined when the funnel is built): what an incremental pass updates, so the funnel
 * never rescans the clickstream.
 */
const FUNNEL_FLAGS = FUNNEL_STEPS.slice(0, 4).map(([order, , where]) =>
  `coalesce(bool_or(${where}), false) AS s${order}`
).join(", ");

/** Clickstream gold tables. */
export const CLICKSTREAM_GOLD: GoldTable[] = [
  ...CLICKSTREAM_DIMENSIONS.map((dim): GoldTable => ({
    name: `clickstream_by_${dim}`,
    topic: "clickstream",
    cleaning: "original",
    sql: countBySql(ORIGINAL, dim),
    refresh: countByRefreshSql(`clickstream_by_${dim}`, "_delta_clickstream_original", dim),
  })),
  {
    name: "device_tablet",
    topic: "clickstream",
    cleaning: "original",
    sql: `SELECT ${TABLET_COLUMNS} FROM ${ORIGINAL} WHERE device = 'tablet' ` +
      `ORDER BY ${TABLET_ORDER.join(", ")}`,
    refresh: appendSortedSql("gold.device_tablet", `(${NEW_TABLETS})`, TABLET_ORDER),
    appended: `${NEW_TABLETS} ORDER BY ${TABLET_ORDER.join(", ")}`,
  },
  {
    name: "clickstream_hourly_traffic",
    topic: "clickstream",
    cleaning: "better",
    sql: `SELECT year, month, day, hour, count(*) AS events, count(DISTINCT user_id) AS users,
      ${SESSIONS}
      FROM silver.clickstream GROUP BY year, month, day, hour ORDER BY year, month, day, hour`,
    // Only the hours that received rows are counted again.
    refresh: `CREATE OR REPLACE TEMP TABLE _hours AS
        SELECT DISTINCT year, month, day, hour FROM _delta_clickstream;
      CREATE OR REPLACE TABLE gold.clickstream_hourly_traffic AS SELECT * FROM (
        SELECT * FROM gold.clickstream_hourly_traffic ANTI JOIN _hours USING (year, month, day, hour)
        UNION ALL
        SELECT year, month, day, hour, count(*) AS events, count(DISTINCT user_id) AS users,
          ${SESSIONS}
        FROM silver.clickstream SEMI JOIN _hours USING (year, month, day, hour)
        GROUP BY year, month, day, hour)
      ORDER BY year, month, day, hour;
      DROP TABLE _hours;`,
  },
  {
    name: "clickstream_funnel",
    topic: "clickstream",
    cleaning: "better",
    inputs: ["clickstream", "orders"],
    state: `CREATE SCHEMA IF NOT EXISTS gold_state;
      CREATE OR REPLACE TABLE gold_state.funnel_sessions AS SELECT session_id, ${FUNNEL_FLAGS}
      FROM silver.clickstream WHERE session_id IS NOT NULL GROUP BY session_id;`,
    sql: `WITH counts AS (SELECT ${
      FUNNEL_STEPS.slice(0, 4).map(([order]) => `count(*) FILTER (WHERE s${order}) AS s${order}`)
        .join(", ")
    }, count(*) FILTER (WHERE ${FUNNEL_STEPS[4][2]}) AS s5 FROM gold_state.funnel_sessions),
      steps AS (${
      FUNNEL_STEPS.map(([order, step]) =>
        `SELECT ${order} AS step_order, '${step}' AS step, s${order} AS sessions FROM counts`
      ).join("\n UNION ALL ")
    })
      SELECT step_order, step, sessions,
        sessions::DOUBLE / NULLIF(max(sessions) FILTER (WHERE step_order = 1) OVER (), 0) AS rate
      FROM steps
      -- No session_id anywhere (the original producers' clickstream): no rows, not zeros.
      WHERE EXISTS (SELECT 1 FROM gold_state.funnel_sessions)
      ORDER BY step_order`,
    // Flags only turn on when rows are added: OR the new rows' flags into their sessions.
    refresh: `CREATE OR REPLACE TEMP TABLE _funnel AS SELECT session_id, ${FUNNEL_FLAGS}
        FROM _delta_clickstream WHERE session_id IS NOT NULL GROUP BY session_id;
      UPDATE gold_state.funnel_sessions f SET ${
      [1, 2, 3, 4].map((i) => `s${i} = f.s${i} OR n.s${i}`).join(", ")
    } FROM _funnel n WHERE f.session_id = n.session_id;
      INSERT INTO gold_state.funnel_sessions
        SELECT * FROM _funnel ANTI JOIN gold_state.funnel_sessions USING (session_id);
      DROP TABLE _funnel;`,
  },
];
