/**
 * Orders gold tables (TABLES.md "orders"), over the better-cleaned orders: items, revenue per
 * day and payment method, the top products, and one summary row.
 *
 * @module
 */
import { appendSortedSql, type GoldTable } from "./_gold.ts";

/** How many products `orders_top_products` keeps. */
export const TOP_PRODUCTS = 20;

/** The items of the orders in `relation` (bronze columns), one row each, unordered. */
function orderItemsSql(relation: string): string {
  return `SELECT order_id, user_id, "timestamp", payment_method, status,
      item.product_id AS product_id, item.quantity AS quantity, item.price AS price,
      round(item.quantity * item.price, 2) AS line_total
    FROM (SELECT *, unnest(items) AS item FROM ${relation} WHERE items IS NOT NULL)`;
}

/** Orders gold tables. */
export const ORDERS_GOLD: GoldTable[] = [
  {
    name: "order_items",
    topic: "orders",
    cleaning: "better",
    sql: `${orderItemsSql("silver.orders")} ORDER BY "timestamp", order_id, product_id`,
    refresh: appendSortedSql("gold.order_items", `(${orderItemsSql("_delta_orders")})`, [
      '"timestamp"',
      "order_id",
      "product_id",
    ]),
    appended: `${orderItemsSql("_delta_orders")} ORDER BY "timestamp", order_id, product_id`,
  },
  {
    name: "orders_revenue_by_day",
    topic: "orders",
    cleaning: "better",
    // The UTC day of the event time: the same for every timestamp format and EVENT_TIME_ZONE.
    sql: `SELECT strftime(timezone('UTC', event_time), '%Y-%m-%d') AS day, payment_method,
        count(*) AS orders, round(sum(total_amount), 2) AS revenue
      FROM silver.orders
      WHERE status = 'completed' AND event_time IS NOT NULL AND payment_method IS NOT NULL
        AND total_amount IS NOT NULL
      GROUP BY ALL ORDER BY day, payment_method`,
  },
  {
    name: "orders_top_products",
    topic: "orders",
    cleaning: "better",
    sql: `SELECT product_id, sum(quantity)::BIGINT AS units, round(sum(line_total), 2) AS revenue,
        count(DISTINCT order_id) AS orders
      FROM gold.order_items WHERE status = 'completed' AND product_id IS NOT NULL
      GROUP BY product_id ORDER BY revenue DESC, product_id LIMIT ${TOP_PRODUCTS}`,
  },
  {
    name: "orders_summary",
    topic: "orders",
    cleaning: "better",
    sql: `SELECT count(status) AS orders,
        count(*) FILTER (WHERE status = 'completed') AS completed,
        count(*) FILTER (WHERE status = 'pending') AS pending,
        count(*) FILTER (WHERE status = 'canceled') AS canceled,
        count(*) FILTER (WHERE status = 'canceled')::DOUBLE / NULLIF(count(status), 0) AS cancel_rate,
        round(sum(total_amount) FILTER (WHERE status = 'completed'), 2) AS revenue,
        sum(total_amount) FILTER (WHERE status = 'completed')
          / NULLIF(count(*) FILTER (WHERE status = 'completed'), 0) AS aov
      FROM silver.orders`,
  },
];
