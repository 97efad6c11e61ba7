/**
 * Real-time analytics from Kafka: event-time tumbling and sliding windows, a watermark with
 * allowed lateness, de-duplication by `event_id` in bounded memory, keyed aggregates, a session
 * funnel and top-N, all in a pure, deterministic {@linkcode Aggregator} that Kafka only feeds.
 *
 * - `aggregator.ts`: the gates every event passes (malformed → late → duplicate → accepted);
 * - `metrics.ts`: what each metric computes and how it treats nulls;
 * - `windows.ts`, `watermark.ts`, `dedupe.ts`, `topn.ts`, `decode.ts`, `iso.ts`: the building
 *   blocks;
 * - `consumer.ts`: kafkajs → aggregator; `tables.ts`: snapshots as tables;
 * - `charts.ts`: snapshots as charts. Not re-exported here: it loads Observable Plot and linkedom,
 *   which the terminal CLI (`deno task realtime`) must not pay for; notebooks import it directly;
 * - `select.ts`: a part of a snapshot (some topics, an event-time range); `summary_line.ts`: a
 *   snapshot as one log line; `live_line.ts`: a live `--json` line (the snapshot and the
 *   process's memory).
 *
 * @example
 * ```ts
 * import { createAggregator } from "./mod.ts";
 * const agg = createAggregator({ window: 60_000, lateness: 300_000 });
 * agg.add("orders", {
 *   event_id: "e1", order_id: "o1", user_id: "u1", timestamp: "2026-11-26T10:01:00.000Z",
 *   items: [], total_amount: 19.99, payment_method: "paypal", status: "completed", session_id: null,
 * });
 * const snap = agg.snapshot();
 * snap.windows.revenue; // [{ window: "2026-11-26T10:01:00.000Z", orders: 1, revenue: 19.99, aov: 19.99 }]
 * ```
 *
 * @module
 */
export * from "./aggregator.ts";
export * from "./consumer.ts";
export * from "./decode.ts";
export * from "./iso.ts";
export * from "./live_line.ts";
export * from "./dedupe.ts";
export * from "./metrics.ts";
export * from "./replay.ts";
export * from "./select.ts";
export * from "./summary_line.ts";
export * from "./tables.ts";
export * from "./topn.ts";
export * from "./watermark.ts";
export * from "./windows.ts";
