/**
 * Observable Plot charts outside a browser: Plot renders into a `linkedom` document and the SVG
 * (or the figure around it, with title and swatch legend) is handed to Jupyter as HTML. Data may
 * be plain rows or an Arrow table (BIGINTs become numbers). Continuous colour legends need a
 * canvas, which linkedom lacks: use swatch legends (ordinal colours) or none.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { figureSvg } from "./svg.ts";

/** A chart that Jupyter shows as SVG/HTML and a terminal as a one-line description. */
export interface ChartView {
  /** The chart's markup (`<svg …>` or `<figure …>`). */
  html: string;
  toString(): string;
  [key: symbol]: unknown;
}

/** Rows of anything Plot can take, with BIGINTs as numbers (Arrow tables included). */
export function plotData(data: unknown): Array<Record<string, unknown>> {
  const rows = data !== null && typeof data === "object" && "toArray" in data &&
      typeof (data as { toArray: unknown }).toArray === "function"
    ? (data as { toArray(): Array<{ toJSON(): Record<string, unknown> }> }).toArray().map((r) =>
      r.toJSON()
    )
    : [...(data as Iterable<Record<string, unknown>>)];
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" ? Number(v) : v;
    return out;
  });
}

let shared: Document | undefined;
function dom(): Document {
  shared ??= parseHTML("<!doctype html><html><body></body></html>").document as unknown as Document;
  return shared;
}

/**
 * Renders `Plot.plot(options)` without a browser.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { plot } from "./plot.ts";
 * const chart = plot({ marks: [Plot.barY([{ x: "a", y: 2 }], { x: "x", y: "y" })] });
 * if (!chart.html.startsWith("<svg")) throw new Error(chart.html.slice(0, 20));
 * ```
 */
export function plot(options: Plot.PlotOptions, description = "chart"): ChartView {
  const node = Plot.plot({ ...options, document: dom() }) as unknown as Element;
  if (node.tagName.toLowerCase() === "svg" && !node.getAttribute("xmlns")) {
    node.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  }
  const svg = node.tagName.toLowerCase() === "svg" ? node : node.querySelector("svg");
  if (svg && !svg.getAttribute("xmlns")) svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  const html = node.outerHTML;
  const title = typeof options.title === "string" ? options.title : description;
  const bundle: Record<string, string> = { "text/html": html, "text/plain": `[${title}]` };
  // SVG too, for viewers that show images but not HTML (GitHub's notebook view).
  const image = node.tagName.toLowerCase() === "svg" ? html : figureSvg(node);
  if (image) bundle["image/svg+xml"] = image;
  return {
    html,
    toString: () => `[${title}]`,
    [Symbol.for("Jupyter.display")]: () => bundle,
  };
}

/** Options of {@linkcode barChart}. */
export interface BarChartOptions {
  /** Column of the category (x axis). */
  x: string;
  /** Column of the value (y axis). */
  y: string;
  /** Column coloured by (a swatch legend is drawn). @default none */
  fill?: string;
  /** Chart title. @default none */
  title?: string;
  /** Sort the categories by descending value. @default true */
  sort?: boolean;
  /** Width in px. @default 640 */
  width?: number;
  /**
   * Horizontal bars (categories down the side), which keep long or many labels readable.
   * @default true when there are more than 8 categories
   */
  horizontal?: boolean;
}

/**
 * A bar chart of rows or an Arrow table (one bar per row, or stacked by `fill`).
 *
 * @example
 * ```ts
 * import { barChart } from "./plot.ts";
 * const chart = barChart([{ device: "mobile", count: 3 }, { device: "tablet", count: 1 }], { x: "device", y: "count" });
 * if (!chart.html.includes("<rect")) throw new Error("no bars");
 * ```
 */
export function barChart(data: unknown, options: BarChartOptions): ChartView {
  const rows = plotData(data);
  const sort = options.sort ?? true;
  const categories = new Set(rows.map((r) => r[options.x])).size;
  const horizontal = options.horizontal ?? categories > 8;
  const fill = options.fill ?? "steelblue";
  const ordered = sort && !options.fill;
  return plot({
    title: options.title,
    width: options.width ?? 640,
    color: options.fill ? { legend: true, type: "categorical" } : undefined,
    ...(horizontal
      ? {
        marginLeft: 110,
        marginRight: 20,
        height: Math.max(120, 22 * categories + 40),
        y: { label: null },
        x: { label: options.y, grid: true },
        marks: [
          Plot.barX(rows, {
            y: options.x,
            x: options.y,
            fill,
            sort: ordered ? { y: "-x" } : undefined,
          }),
          Plot.ruleX([0]),
        ],
      }
      : {
        marginLeft: 60,
        x: { label: options.x },
        y: { label: options.y, grid: true },
        marks: [
          Plot.barY(rows, {
            x: options.x,
            y: options.y,
            fill,
            sort: ordered ? { x: "-y" } : undefined,
            tip: false,
          }),
          Plot.ruleY([0]),
        ],
      }),
  }, options.title ?? `bar chart of ${options.y} by ${options.x}`);
}

/** Options of {@linkcode lineChart}. */
export interface LineChartOptions {
  /** Column of x (dates or numbers). */
  x: string;
  /** Column of y. */
  y: string;
  /** Column splitting the series (a swatch legend is drawn). @default one series */
  stroke?: string;
  /** Chart title. @default none */
  title?: string;
  /** Width in px. @default 640 */
  width?: number;
}

/** A line chart of rows or an Arrow table. */
export function lineChart(data: unknown, options: LineChartOptions): ChartView {
  const rows = plotData(data);
  return plot({
    title: options.title,
    width: options.width ?? 640,
    marginLeft: 60,
    color: options.stroke ? { legend: true, type: "categorical" } : undefined,
    y: { grid: true, label: options.y },
    x: { label: options.x },
    marks: [
      Plot.lineY(rows, { x: options.x, y: options.y, stroke: options.stroke ?? "steelblue" }),
      Plot.ruleY([0]),
    ],
  }, options.title ?? `line chart of ${options.y} over ${options.x}`);
}
