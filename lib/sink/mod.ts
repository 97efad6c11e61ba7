/**
 * The exactly-once Kafka → lake sink: partition buffers and their rotation, dead letters, the
 * layout settings recorded in the lake, and the audit that checks the lake against Kafka.
 *
 * @module
 */
export * from "./buffer.ts";
export * from "./dlq.ts";
export * from "./settings.ts";
export * from "./options.ts";
export * from "./sink.ts";
export * from "./audit.ts";
