/**
 * Visualisation: tables for terminals and notebooks, and (later) Observable Plot charts rendered
 * outside a browser.
 *
 * @module
 */
export * from "./table.ts";
export * from "./chart.ts";
