/**
 * Snapshots as small tables: what the terminal view refreshes and what notebooks close with.
 *
 * @module
 */
import { TOPICS } from "../schema/events.ts";
import type { Snapshot } from "./aggregator.ts";

/** Rounds for display only (the snapshot keeps full precision). */
function round(x: number | null, digits = 2): number | null {
  if (x === null) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * One row per topic and a total: received, accepted, malformed, late, duplicates, null fields,
 * future.
 *
 * @example
 * ```ts
 * import { createAggregator, countRows } from "./mod.ts";
 * countRows(createAggregator().snapshot()).at(-1); // { topic: "total", received: 0, accepted: 0, malformed: 0, late: 0, duplicates: 0, nullFields: 0, future: 0 }
 * ```
 */
export function countRows(snapshot: Snapshot): Array<Record<string, string | number>> {
  return [
    ...TOPICS.map((topic) => ({ topic, ...snapshot.topics[topic] })),
    { topic: "total", ...snapshot.totals },
  ];
}

/** What a table shows for a metric that this data cannot fill (see `metrics.ts` "available"). */
export const NOT_AVAILABLE = "not available for this data";

/**
 * The latest `n` tumbling windows, one row each: events, clickstream events, active users and
 * sessions (`n/a` when not available for this data), orders, revenue and average order value
 * (`–` in a window without an order counted in revenue: no average to show).
 */
export function windowRows(snapshot: Snapshot, n = 5): Array<Record<string, string | number>> {
  const rows = new Map<string, Record<string, string | number>>();
  const row = (window: string) => {
    let r = rows.get(window);
    if (!r) {
      r = {
        window: window.slice(0, 16).replace("T", " "),
        events: 0,
        clicks: 0,
        users: 0,
        sessions: 0,
        orders: 0,
        revenue: 0,
        aov: "–",
      };
      rows.set(window, r);
    }
    return r;
  };
  const w = snapshot.windows;
  for (const e of w.events) (row(e.window).events as number) += e.events;
  for (const c of w.clicks) (row(c.window).clicks as number) += c.events;
  for (const a of w.activity) {
    Object.assign(row(a.window), { users: a.users, sessions: a.sessions ?? "n/a" });
  }
  for (const r of w.revenue) {
    Object.assign(row(r.window), {
      orders: r.orders,
      revenue: r.revenue,
      aov: round(r.aov) ?? "–",
    });
  }
  return [...rows].sort((a, b) => (a[0] < b[0] ? -1 : 1)).slice(-n).map(([, r]) => r);
}

/**
 * The headline figures as `{ metric, value }` rows: counts, watermark, orders, revenue, average
 * order value, funnel conversion, delivered rate, top product.
 */
export function summaryRows(snapshot: Snapshot): Array<{ metric: string; value: string | number }> {
  const s = snapshot;
  const funnel = s.funnel;
  const delivered = s.deliveries.countries.reduce((n, c) => n + c.delivered, 0);
  const terminal = s.deliveries.countries.reduce(
    (n, c) => n + c.delivered + c.failed + c.returned,
    0,
  );
  return [
    { metric: "records received", value: s.totals.received },
    { metric: "accepted", value: s.totals.accepted },
    { metric: "malformed (skipped)", value: s.totals.malformed },
    { metric: "late (beyond lateness)", value: s.totals.late },
    { metric: "duplicates (dropped)", value: s.totals.duplicates },
    { metric: "future (ahead of the clock)", value: s.totals.future },
    { metric: "with null fields (kept)", value: s.totals.nullFields },
    { metric: "watermark", value: s.watermark ?? "(none)" },
    { metric: "orders", value: s.orders.orders },
    { metric: "revenue", value: s.orders.revenue },
    { metric: "average order value", value: round(s.orders.aov) ?? "(none)" },
    ...(s.available?.funnel === false
      ? [{ metric: "funnel", value: `${NOT_AVAILABLE} (no session_id)` }]
      : funnel.map((f) => ({ metric: `funnel: ${f.step} sessions`, value: f.sessions }))),
    {
      metric: "delivered rate",
      value: terminal ? round(delivered / terminal, 4)! : "(none)",
    },
    {
      metric: "top viewed product",
      value: s.available?.productViews === false
        ? `${NOT_AVAILABLE} (no product_id in clicks)`
        : s.topProducts.views[0]?.product_id ?? "(none)",
    },
    { metric: "top ordered product", value: s.topProducts.ordered?.[0]?.product_id ?? "(none)" },
  ];
}

/**
 * Malformed records per topic and reason (what the counts' `malformed` column is made of).
 *
 * @example
 * ```ts
 * import { createAggregator, malformedRows } from "./mod.ts";
 * const agg = createAggregator();
 * agg.addLine("orders", '{"order_id": "order_1", "timestamp": "yesterday"}');
 * malformedRows(agg.snapshot()); // [{ topic: "orders", reason: "timestamp is not an event time (ISO-8601, wall-clock or epoch ms)", count: 1 }]
 * ```
 */
export function malformedRows(snapshot: Snapshot): Array<Record<string, string | number>> {
  return (snapshot.malformedReasons ?? []).map((m) => ({ ...m }));
}
