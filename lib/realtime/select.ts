/**
 * A part of a snapshot: the metrics of some topics, and the windows of an event-time range. A
 * pure function over {@linkcode Snapshot}: the aggregator is untouched, and any view (the
 * dashboard, a notebook) can ask for a part of what it already holds.
 *
 * What a selection keeps:
 *
 * - **topics**: per-topic metrics of the selected topics only. Windowed events are kept per
 *   topic; clickstream metrics (clicks, activity, active users, the funnel, top products) only
 *   with `clickstream`; revenue windows and order counts only with `orders`; deliveries only with
 *   `delivery-status`. `totals` become the sums over the selected topics (every count, whatever
 *   counts the snapshot has); `topics` still lists every topic's counts;
 * - **time range** `[from, to)` (epoch ms, either end open): the windows that overlap it (a window
 *   `[start, start + size)` overlaps when `start < to` and `start + size > from`) and the late
 *   events whose timestamp lies in it. Cumulative metrics (funnel, orders, deliveries, top
 *   products, counts) have no time dimension: they stay as they are (over everything accepted).
 *
 * `options`, `watermark`, `maxEventTime` and `memory` are the aggregator's, unchanged.
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import type { Counts, Snapshot } from "./aggregator.ts";

/** What {@linkcode selectSnapshot} keeps. */
export interface SnapshotSelection {
  /** Start of the event-time range, epoch ms (inclusive). @default unbounded */
  from?: number;
  /** End of the event-time range, epoch ms (exclusive). @default unbounded */
  to?: number;
  /** The topics to keep. @default every topic */
  topics?: readonly Topic[];
}

/**
 * The part of `snapshot` that `selection` asks for (see the module doc); a new object, the
 * snapshot is not changed.
 *
 * @example
 * ```ts
 * import { createAggregator, selectSnapshot } from "./mod.ts";
 * const agg = createAggregator();
 * agg.add("orders", {
 *   event_id: "e1", order_id: "o1", user_id: "u1", timestamp: "2026-11-26T10:01:00.000Z",
 *   items: [], total_amount: 20, payment_method: "paypal", status: "completed", session_id: null,
 * });
 * const part = selectSnapshot(agg.snapshot(), { topics: ["clickstream"] });
 * part.totals.accepted; // 0
 * part.windows.revenue; // []
 * selectSnapshot(agg.snapshot(), { from: Date.parse("2026-11-26T10:05:00Z") }).windows.events; // []
 * ```
 */
export function selectSnapshot(snapshot: Snapshot, selection: SnapshotSelection = {}): Snapshot {
  const topics = new Set<Topic>(selection.topics ?? TOPICS);
  const from = selection.from ?? -Infinity;
  const to = selection.to ?? Infinity;
  const overlaps = (size: number) => (row: { window: string }) => {
    const start = Date.parse(row.window);
    return start < to && start + size > from;
  };
  const { window, slidingWindow } = snapshot.options;
  const inWindow = overlaps(window);
  const clicks = topics.has("clickstream");
  const orders = topics.has("orders");
  const deliveries = topics.has("delivery-status");
  const w = snapshot.windows;
  return {
    ...snapshot,
    totals: sumCounts(snapshot, topics),
    topics: { ...snapshot.topics },
    lateEvents: snapshot.lateEvents.filter((e) => {
      const t = Date.parse(e.timestamp);
      return topics.has(e.topic) && t >= from && t < to;
    }),
    windows: {
      events: w.events.filter((e) => topics.has(e.topic) && inWindow(e)),
      clicks: clicks ? w.clicks.filter(inWindow) : [],
      activity: clicks ? w.activity.filter(inWindow) : [],
      activeUsers: clicks ? w.activeUsers.filter(overlaps(slidingWindow)) : [],
      revenue: orders ? w.revenue.filter(inWindow) : [],
    },
    funnel: clicks ? snapshot.funnel : [],
    orders: orders
      ? snapshot.orders
      : { byStatus: [], orders: 0, revenueOrders: 0, revenue: 0, aov: null },
    deliveries: deliveries ? snapshot.deliveries : { byStatus: [], countries: [] },
    topProducts: {
      views: clicks ? snapshot.topProducts.views : [],
      addToCart: clicks ? snapshot.topProducts.addToCart : [],
      ordered: orders ? snapshot.topProducts.ordered : [],
    },
  };
}

/** Every count of the snapshot, summed over `topics` (counts added later are summed too). */
function sumCounts(snapshot: Snapshot, topics: ReadonlySet<Topic>): Counts {
  const totals = Object.fromEntries(Object.keys(snapshot.totals).map((k) => [k, 0])) as Record<
    string,
    number
  >;
  for (const topic of TOPICS) {
    if (!topics.has(topic)) continue;
    const counts = snapshot.topics[topic] as unknown as Record<string, number>;
    for (const key of Object.keys(totals)) totals[key] += counts[key] ?? 0;
  }
  return totals as unknown as Counts;
}
