/**
 * A seeded, discrete-event simulation of an online shop that emits the four topics' records
 * (clickstream, orders, user-profiles, delivery-status) as exact JSON lines, consistent with
 * each other (users exist before they act, orders come from checkouts, deliveries follow
 * completed orders) and salted with counted faults (duplicates, nulls, late, malformed, unknown
 * fields, locations without a country).
 *
 * - {@linkcode simulate}: a lazy, deterministic iterable of records, for files or a live producer;
 * - {@linkcode writeSimulation}: `DIR/<topic>.jsonl` + `DIR/manifest.json`;
 * - {@linkcode manifest}: the counts alone;
 * - `format: "original"` ({@linkcode OriginalSimulation}): the original project's producers'
 *   records instead (no event_id, wall-clock timestamps, independent draws).
 *
 * Same seed and options (with a fixed `start`) ⇒ byte-identical records.
 *
 * @example
 * ```ts
 * import { simulate } from "./mod.ts";
 * const sim = simulate({ seed: 42, events: 1000, start: new Date("2026-11-26T00:00:00Z") });
 * let orders = 0;
 * for (const record of sim) if (record.topic === "orders") orders++;
 * if (orders !== sim.manifest.topics.orders.records) throw new Error("manifest disagrees");
 * ```
 *
 * @module
 */

export { manifest, type SimRecord, simulate, Simulation } from "./simulation.ts";
export { writeSimulation, type WriteSimulationOptions } from "./write.ts";
export {
  DEFAULTS,
  type Format,
  FORMATS,
  type ResolvedOptions,
  resolveOptions,
  type SimulateOptions,
} from "./options.ts";
export {
  ORIGINAL_CITIES,
  ORIGINAL_COURIERS,
  ORIGINAL_DELIVERY_ORDERS,
  ORIGINAL_PRODUCTS,
  ORIGINAL_USERS,
  OriginalSimulation,
  pythonFloat,
  pythonString,
} from "./original.ts";
export type { Manifest, TopicCounts, WorldCounts } from "./manifest.ts";
export {
  FAULT_PRESETS,
  FAULT_RATES,
  type FaultPreset,
  type FaultRates,
  NULLABLE_FIELDS,
} from "./faults.ts";
export { CITIES, COURIERS } from "./deliveries.ts";
export { CATEGORY_MIX, PRODUCT_COUNT } from "./catalog.ts";
export { DEVICE_MIX, REFERRER_MIX } from "./sessions.ts";
export { PAYMENT_MIX, STATUS_MIX } from "./orders.ts";
export { cumulative, Random } from "./random.ts";
export { DAY, HOUR, HOURLY_WEIGHTS, isoTime, MINUTE, SECOND } from "./time.ts";
