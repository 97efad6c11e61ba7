/**
 * The lake: one storage interface over Azurite, ADLS Gen2 and `file://`, and the connector
 * layout of its paths. Storage only: the Kafka → lake sink is `lib/sink`.
 *
 * @module
 */
export * from "./storage.ts";
export * from "./file.ts";
export * from "./azure.ts";
export * from "./open.ts";
export * from "./health.ts";
export * from "./layout.ts";
