/**
 * Produce requests that fail because the broker is away (a restart, a crash) are tried again by
 * the same producer for a while, past kafkajs's own retries: kafkajs gives a batch up as soon as
 * a metadata refresh finds no broker listening, which a restart of a few seconds can cause.
 *
 * The same idempotent producer sends the batch again with the same sequence numbers (kafkajs
 * rolls them back when a send fails), so the broker, or the in-doubt look-up of
 * `./_in_doubt.ts` when the broker has forgotten the producer, keeps each batch once.
 *
 * @module
 */
import { retry } from "../retry.ts";

/** kafkajs's errors that say no broker answered, as opposed to a broker refusing a request. */
const AWAY = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSBrokerNotFound",
]);

/**
 * Whether `error`, or an error it was caused by, says that no broker answered.
 *
 * @example
 * ```ts
 * import { brokerAway } from "./_broker_away.ts";
 * const refused = Object.assign(new Error("connect ECONNREFUSED"), { name: "KafkaJSConnectionError" });
 * brokerAway(Object.assign(new Error("retries exceeded"), { cause: refused })); // true
 * brokerAway(new Error("Topic authorization failed")); // false
 * ```
 */
export function brokerAway(error: unknown): boolean {
  let e = error as { name?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 8; depth++, e = e.cause as typeof e) {
    if (AWAY.has(e.name ?? "")) return true;
  }
  return false;
}

/** How long a batch waits for its broker to come back, ms. */
export const BROKER_AWAY_MS = 120_000;

/** Runs `send`, and runs it again while it fails with {@linkcode brokerAway}, for up to two minutes. */
export function sendPatiently<T>(send: () => Promise<T>): Promise<T> {
  return retry(send, {
    retriable: brokerAway,
    initialDelayMs: 500,
    maxDelayMs: 5000,
    maxElapsedMs: BROKER_AWAY_MS,
  });
}
