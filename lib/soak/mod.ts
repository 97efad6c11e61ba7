/**
 * The soak test: the whole pipeline under load and restarts, then audited (`run.ts`) and judged
 * (`report.ts`), with its child processes (`child.ts`) and an independent count of what real
 * time must have seen (`count.ts`).
 *
 * @module
 */
export * from "./child.ts";
export * from "./count.ts";
export * from "./report.ts";
export * from "./run.ts";
