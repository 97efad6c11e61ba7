/**
 * Charts of a snapshot (Observable Plot, rendered to SVG outside a browser): what the live
 * notebook redraws in place.
 *
 * @module
 */
import { chart, type ChartView, Plot } from "../viz/chart.ts";
import type { Snapshot } from "./aggregator.ts";

/**
 * Accepted events per tumbling window, stacked by topic (the latest `windows` windows).
 *
 * @example
 * ```ts
 * import { createAggregator } from "./mod.ts";
 * import { eventsChart } from "./charts.ts";
 * eventsChart(createAggregator().snapshot()).html.includes("<svg"); // true
 * ```
 */
export function eventsChart(snapshot: Snapshot, windows = 60): ChartView {
  const starts = [...new Set(snapshot.windows.events.map((e) => e.window))].slice(-windows);
  const keep = new Set(starts);
  const rows = snapshot.windows.events.filter((e) => keep.has(e.window))
    .map((e) => ({ ...e, window: new Date(e.window) }));
  return chart({
    title: `Events per ${snapshot.options.window / 60_000} min (event time), by topic`,
    width: 640,
    height: 220,
    x: { type: "utc", label: "window start" },
    y: { label: "events", grid: true },
    color: { legend: true, type: "categorical" },
    marks: [
      Plot.rectY(rows, {
        x1: "window",
        x2: (d: { window: Date }) => new Date(d.window.getTime() + snapshot.options.window),
        y: "events",
        fill: "topic",
        insetLeft: 0.5,
      }),
      Plot.ruleY([0]),
    ],
  });
}

/**
 * The funnel as horizontal bars: sessions reaching each step having passed every step before.
 *
 * @example
 * ```ts
 * import { createAggregator } from "./mod.ts";
 * import { funnelChart } from "./charts.ts";
 * funnelChart(createAggregator().snapshot()).html.includes("<svg"); // true
 * ```
 */
export function funnelChart(snapshot: Snapshot): ChartView {
  return chart({
    // The original producers' clickstream has no session_id: say so rather than draw zeros.
    title: snapshot.available?.funnel === false
      ? "Funnel: not available for this data (no session_id in the clickstream)"
      : "Funnel: sessions per step",
    width: 640,
    height: 180,
    marginLeft: 100,
    marginRight: 50,
    x: { label: "sessions", grid: true },
    y: { label: null, domain: snapshot.funnel.map((f) => f.step) },
    marks: [
      Plot.barX(snapshot.funnel, { x: "sessions", y: "step", fill: "steelblue" }),
      Plot.text(snapshot.funnel, {
        x: "sessions",
        y: "step",
        text: (f: { sessions: number }) => String(f.sessions),
        dx: 4,
        textAnchor: "start",
      }),
    ],
  });
}

/**
 * Revenue per tumbling window (bars) for the latest `windows` windows.
 */
export function revenueChart(snapshot: Snapshot, windows = 60): ChartView {
  const rows = snapshot.windows.revenue.slice(-windows).map((r) => ({
    ...r,
    window: new Date(r.window),
  }));
  return chart({
    title: `Revenue per ${snapshot.options.window / 60_000} min (completed + pending orders)`,
    width: 640,
    height: 180,
    x: { type: "utc", label: "window start" },
    y: { label: "revenue", grid: true },
    marks: [
      Plot.rectY(rows, {
        x1: "window",
        x2: (d: { window: Date }) => new Date(d.window.getTime() + snapshot.options.window),
        y: "revenue",
        fill: "seagreen",
        insetLeft: 0.5,
      }),
      Plot.ruleY([0]),
    ],
  });
}
