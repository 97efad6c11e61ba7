/**
 * Observable Plot charts outside a browser: linkedom provides the DOM, the result is an SVG
 * string that Jupyter shows as an image and a file can hold.
 *
 * Continuous colour legends need a canvas, which linkedom lacks: use swatch legends or none.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

export { Plot };

const { document } = parseHTML("<!doctype html><html><body></body></html>");

/**
 * Renders a Plot specification to SVG markup (a swatch legend, if any, comes first).
 *
 * @example
 * ```ts
 * import { Plot, renderSvg } from "./chart.ts";
 * const svg = renderSvg({ marks: [Plot.barY([{ x: "a", y: 1 }], { x: "x", y: "y" })] });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function renderSvg(options: Plot.PlotOptions): string {
  const node = Plot.plot({ ...options, document: document as unknown as Document });
  const html = (node as unknown as { outerHTML: string }).outerHTML;
  // Plot wraps a chart with a legend in <figure>; keep the figure's SVGs and legend markup.
  if (html.startsWith("<svg")) {
    return html.replace(/^<svg /, '<svg xmlns="http://www.w3.org/2000/svg" ');
  }
  return html;
}

/** A chart as a value the Deno Jupyter kernel displays (SVG as HTML, plus a text stand-in). */
export interface ChartView {
  svg: string;
  toString(): string;
  [key: symbol]: unknown;
}

/**
 * A chart for a notebook cell: displayed as SVG by Jupyter, as its title in a terminal.
 *
 * @example
 * ```ts
 * import { chart, Plot } from "./chart.ts";
 * const view = chart({ title: "Orders", marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
 * view.svg.includes("<svg"); // true
 * ```
 */
export function chart(options: Plot.PlotOptions): ChartView {
  const svg = renderSvg(options);
  return {
    svg,
    toString: () => `[chart${options.title ? `: ${String(options.title)}` : ""}]`,
    [Symbol.for("Jupyter.display")]: () => ({
      "text/plain": `[chart${options.title ? `: ${String(options.title)}` : ""}]`,
      "text/html": svg,
    }),
  };
}
