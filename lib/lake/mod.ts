/**
 * The lake: one storage interface over Azurite, ADLS Gen2 and `file://`.
 *
 * @module
 */
export * from "./storage.ts";
export * from "./file.ts";
export * from "./azure.ts";
export * from "./open.ts";
export * from "./health.ts";
export * from "./layout.ts";
export * from "./buffer.ts";
export * from "./dlq.ts";
export * from "./retry.ts";
export * from "./settings.ts";
export * from "./sink.ts";
export * from "./audit.ts";
