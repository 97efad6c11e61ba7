/**
 * Kafka: the client factory (local PLAINTEXT or Confluent Cloud SASL_SSL) and topic management.
 *
 * @module
 */
export * from "./client.ts";
export * from "./topics.ts";
export * from "./health.ts";
export * from "./produce.ts";
export * from "./consume.ts";
export * from "./partition.ts";
