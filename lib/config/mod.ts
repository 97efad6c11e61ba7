/**
 * Configuration: one typed object from the environment and an optional ignored `.env`,
 * checked up front, secrets redacted wherever shown.
 *
 * @module
 */
export * from "./config.ts";
export * from "./connection_string.ts";
export * from "./dotenv.ts";
export * from "./env_example.ts";
export * from "./redact.ts";
