/**
 * Visualisation: tables for terminals and notebooks, and (later) Observable Plot charts rendered
 * outside a browser.
 *
 * @module
 */
export * from "./table.ts";
export { chart, Plot } from "./chart.ts";
export * from "./live.ts";
export * from "./plot.ts";
