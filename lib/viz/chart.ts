/**
 * The names lessons use for charts: `chart(options)` renders an Observable Plot specification
 * without a browser (it is {@linkcode plot} from `plot.ts`), and `Plot` is Observable Plot itself.
 *
 * @example
 * ```ts
 * import { chart, Plot } from "./chart.ts";
 * const view = chart({ title: "Orders", marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
 * if (!view.html.includes("<svg")) throw new Error("no svg");
 * ```
 *
 * @module
 */
import * as Plot from "@observablehq/plot";

export { Plot };
export { type ChartView, plot as chart } from "./plot.ts";
