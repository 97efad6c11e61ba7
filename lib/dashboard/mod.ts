/**
 * The live dashboard in the browser (the original project's Power BI step): one page whose live
 * panels follow the real-time aggregator over Server-Sent Events and whose lake panels show the
 * near-real-time gold tables through DuckDB, with a time-range and topic filter.
 *
 * - `start.ts`: {@linkcode startDashboard}, everything wired from the configuration;
 * - `server.ts`: the read-only HTTP routes (no analytics of their own);
 * - `feed.ts`, `follow.ts`, `lag.ts`, `view.ts`: Kafka → lib/realtime's aggregator → live views
 *   per filter → SSE;
 * - `lake.ts`, `mirror.ts`: lake → local mirror → lib/nrt's gold tables in DuckDB;
 * - `filter.ts`: the query parameters every panel follows; `options.ts`: the defaults;
 * - `assets.ts` and `page/`: the page, with Observable Plot and d3 served from their npm packages.
 *
 * @example
 * ```ts ignore
 * import { loadConfig } from "../config/mod.ts";
 * import { startDashboard } from "./mod.ts";
 * const dashboard = await startDashboard(loadConfig(), { port: 8787 });
 * console.log(`open ${dashboard.url}`);
 * ```
 *
 * @module
 */
export * from "./assets.ts";
export * from "./feed.ts";
export * from "./filter.ts";
export * from "./follow.ts";
export * from "./lag.ts";
export * from "./lake.ts";
export * from "./mirror.ts";
export * from "./options.ts";
export * from "./server.ts";
export * from "./start.ts";
export * from "./view.ts";
