/**
 * One factory for Kafka clients: PLAINTEXT for the local broker, SASL_SSL (PLAIN or SCRAM) for
 * Confluent Cloud, from the same configuration.
 *
 * @module
 */
import type { KafkaConfig as KafkaJsConfig } from "kafkajs";
import { Kafka, logLevel, socketFactory } from "./_kafkajs.ts";
import type { KafkaConfig } from "../config/mod.ts";
import type { Topic } from "../schema/events.ts";
import { isRetriable, retry, type RetryOptions } from "../retry.ts";
import process from "node:process";

// kafkajs 2.2.4 schedules its throttle check with a negative delay when not throttled
// (requestQueue/index.js); Node treats it as 1 ms but warns on every connection. Drop only that one.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
  const name = typeof warning === "string" ? (rest[0] as { type?: string } | string) : warning.name;
  const type = typeof name === "string" ? name : name?.type;
  if (type === "TimeoutNegativeWarning") return;
  // deno-lint-ignore no-explicit-any
  return (emitWarning as any).call(process, warning, ...rest);
} as typeof process.emitWarning;

/** Options of {@linkcode createKafka}. */
export interface CreateKafkaOptions {
  /** Client id shown in broker logs. @default "ecom-stream" */
  clientId?: string;
  /** Connection timeout in ms. @default 3000 */
  connectionTimeout?: number;
  /** kafkajs retry settings (tests shorten them). */
  retry?: KafkaJsConfig["retry"];
  /** Print kafkajs warnings and errors on stderr. @default false */
  verbose?: boolean;
}

/**
 * Creates a kafkajs client for the configured cluster.
 *
 * @example
 * ```ts ignore
 * import { loadConfig } from "../config/mod.ts";
 * import { createKafka } from "./client.ts";
 * const kafka = createKafka(loadConfig().kafka);
 * const admin = kafka.admin();
 * ```
 */
export function createKafka(config: KafkaConfig, options: CreateKafkaOptions = {}): Kafka {
  return new Kafka({
    clientId: options.clientId ?? "ecom-stream",
    brokers: config.brokers,
    ssl: config.ssl,
    sasl: config.sasl
      ? {
        mechanism: config.sasl.mechanism,
        username: config.sasl.username,
        password: config.sasl.password,
      } as KafkaJsConfig["sasl"]
      : undefined,
    connectionTimeout: options.connectionTimeout ?? 3000,
    retry: options.retry ?? { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    logLevel: options.verbose ? logLevel.WARN : logLevel.NOTHING,
    socketFactory: socketFactory(),
  });
}

/**
 * The full topic name (with `KAFKA_TOPIC_PREFIX`) of a base topic.
 *
 * @example
 * ```ts
 * import { topicName } from "./client.ts";
 * topicName({ topicPrefix: "dev." }, "orders"); // "dev.orders"
 * ```
 */
export function topicName(config: Pick<KafkaConfig, "topicPrefix">, topic: Topic): string {
  return `${config.topicPrefix}${topic}`;
}

/** The dead-letter topic of a full topic name. */
export function dlqName(fullTopic: string): string {
  return `${fullTopic}.dlq`;
}

/**
 * kafkajs's errors that say no broker answered, or none could act as the group's coordinator:
 * what a broker restart looks like, as opposed to a refusal (authorization, a missing codec).
 */
const NO_BROKER = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSBrokerNotFound",
  "KafkaJSGroupCoordinatorNotFound",
]);

/**
 * Whether a kafkajs error, or one it wraps, says that no broker answered (a broker restart):
 * such an error passes once the broker is back, however kafkajs flags it.
 *
 * @example
 * ```ts
 * import { noBrokerAnswered } from "./client.ts";
 * const away = Object.assign(new Error("Failed to find group coordinator"), {
 *   name: "KafkaJSGroupCoordinatorNotFound",
 * });
 * noBrokerAnswered(away); // true
 * noBrokerAnswered(new Error("Snappy compression not implemented")); // false
 * ```
 */
export function noBrokerAnswered(error: unknown): boolean {
  let e = error as { name?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e && depth < 8; depth++) {
    if (NO_BROKER.has(e.name ?? "")) return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

/** How long a step waits for a broker that does not answer (a restart), ms. */
export const BROKER_PATIENCE_MS = 120_000;

/**
 * How often our consumers look their topics up again, ms: a partition added to a topic while one
 * runs is found within this time (kafkajs's default, 5 minutes, held its records back that long).
 * Real time's `metadataMaxAgeMs` and the sink's default to it.
 */
export const METADATA_MAX_AGE_MS = 30_000;

/**
 * Runs `step` again while no broker answers ({@linkcode noBrokerAnswered}) or it fails with a
 * retriable workspace error, for up to {@linkcode BROKER_PATIENCE_MS} unless `options` say
 * otherwise: what a client does across a broker restart. A refusal is thrown at once.
 */
export function whileBrokerAway<T>(
  step: () => Promise<T>,
  options: Omit<RetryOptions, "retriable"> = {},
): Promise<T> {
  return retry(step, {
    maxElapsedMs: BROKER_PATIENCE_MS,
    ...options,
    retriable: (error) => isRetriable(error) || noBrokerAnswered(error),
  });
}
