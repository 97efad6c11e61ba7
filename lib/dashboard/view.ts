/**
 * The live view: what the dashboard's live panels draw, built from a real-time snapshot by
 * {@linkcode selectSnapshot} (lib/realtime) for one filter, and trimmed to what the panels show
 * (a payload sent to every browser once per tick must stay small). No metric is computed here:
 * every number comes from the aggregator.
 *
 * - windowed panels (events per window by topic, revenue per window) hold the windows of the
 *   filter's range, or the latest `maxWindows` windows when the filter has no range;
 * - cumulative panels (funnel, delivery status by country, counts, orders) follow the topic
 *   filter; they have no time dimension in the aggregator, so the range does not apply to them;
 * - the funnel is "not available for this data" when the aggregator says so (`available.funnel`:
 *   the original producers' records carry no `session_id`).
 *
 * @module
 */
import type {
  DeliveryStatusRow,
  FunnelRow,
  RevenueRow,
  Snapshot,
  TopicWindowRow,
} from "../realtime/mod.ts";
import { isoOrNull, selectSnapshot } from "../realtime/mod.ts";
import type { Topic } from "../schema/events.ts";
import { type Filter, resolveRange } from "./filter.ts";
import type { PartitionLag } from "./lag.ts";

/** The funnel panel: its steps, or why there are none. */
export type FunnelPanel =
  | { available: true; steps: FunnelRow[] }
  | { available: false; reason: string };

/** Everything the live panels draw, JSON-ready. */
export interface LiveView {
  /** Clock time the view was built (ISO). */
  at: string;
  /** The filter's range, resolved (ISO; null = open). */
  range: { from: string | null; to: string | null };
  /** The selected topics. */
  topics: Topic[];
  /** Tumbling window length and allowed lateness, ms. */
  window: number;
  lateness: number;
  /** Max event time seen and the watermark (ISO), null before any event. */
  maxEventTime: string | null;
  watermark: string | null;
  /** Every count (received, accepted, malformed, late, duplicates, …) over the selected topics. */
  counts: Record<string, number>;
  /** The same counts per selected topic. */
  countsByTopic: Array<{ topic: Topic; counts: Record<string, number> }>;
  /** Accepted events per window and topic. */
  events: TopicWindowRow[];
  /** Orders and revenue per window. */
  revenue: RevenueRow[];
  /** Whether older windows of the range were left out (`maxWindows`). */
  windowsCapped: boolean;
  funnel: FunnelPanel;
  /** Orders, revenue and average order value over everything accepted (selected topics). */
  orders: { orders: number; revenue: number; aov: number | null };
  /** Delivery events per country and status. */
  deliveries: DeliveryStatusRow[];
  /** Consumer lag per partition of the selected topics. */
  lag: PartitionLag[];
}

/** Options of {@linkcode liveView}. */
export interface LiveViewOptions {
  /** Clock time, epoch ms (resolves `last` ranges, stamps the view). */
  now: number;
  /** Partition lag rows (all topics; the view keeps the selected ones). @default none */
  lag?: readonly PartitionLag[];
  /** Windows kept per windowed panel: the latest ones. @default 60 */
  maxWindows?: number;
}

/** The default of {@linkcode LiveViewOptions.maxWindows}. */
export const MAX_WINDOWS = 60;

/** The latest `n` distinct windows of `rows` (rows sorted by window), and whether any were cut. */
function latest<T extends { window: string }>(rows: T[], n: number): [T[], boolean] {
  const starts = [...new Set(rows.map((r) => r.window))];
  if (starts.length <= n) return [rows, false];
  const first = starts[starts.length - n];
  return [rows.filter((r) => r.window >= first), true];
}

function funnelPanel(part: Snapshot, topics: readonly Topic[]): FunnelPanel {
  if (!topics.includes("clickstream")) {
    return { available: false, reason: "clickstream is not in the topic filter" };
  }
  if (part.topics.clickstream.accepted === 0) {
    return { available: false, reason: "no clickstream records yet" };
  }
  if (!part.available.funnel) {
    return {
      available: false,
      reason: "not available for this data: its clickstream records carry no session_id",
    };
  }
  return { available: true, steps: part.funnel };
}

/**
 * The live view of `snapshot` for `filter` (see the module doc).
 *
 * @example
 * ```ts
 * import { createAggregator } from "../realtime/mod.ts";
 * import { parseFilter } from "./filter.ts";
 * import { liveView } from "./view.ts";
 * const view = liveView(createAggregator().snapshot(), parseFilter(new URLSearchParams()), { now: 0 });
 * view.counts.received; // 0
 * view.funnel.available; // true
 * ```
 */
export function liveView(snapshot: Snapshot, filter: Filter, options: LiveViewOptions): LiveView {
  const range = resolveRange(filter, options.now);
  const part = selectSnapshot(snapshot, { ...range, topics: filter.topics });
  const n = options.maxWindows ?? MAX_WINDOWS;
  const [events, cutEvents] = latest(part.windows.events, n);
  const [revenue, cutRevenue] = latest(part.windows.revenue, n);
  return {
    at: new Date(options.now).toISOString(),
    range: { from: isoOrNull(range.from), to: isoOrNull(range.to) },
    topics: [...filter.topics],
    window: part.options.window,
    lateness: part.options.lateness,
    maxEventTime: part.maxEventTime,
    watermark: part.watermark,
    counts: { ...part.totals } as unknown as Record<string, number>,
    countsByTopic: filter.topics.map((topic) => ({
      topic,
      counts: { ...part.topics[topic] } as unknown as Record<string, number>,
    })),
    events,
    revenue,
    windowsCapped: cutEvents || cutRevenue,
    funnel: funnelPanel(part, filter.topics),
    orders: { orders: part.orders.orders, revenue: part.orders.revenue, aov: part.orders.aov },
    deliveries: part.deliveries.byStatus,
    lag: (options.lag ?? []).filter((p) => filter.topics.includes(p.topic)),
  };
}
