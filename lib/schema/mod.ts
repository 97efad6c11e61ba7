/**
 * The events' contract: types and enumerations (`events.ts`), the one validity rule for a raw
 * record (`raw.ts`), runtime validation and record decoding (`validate.ts`), JSON Schemas
 * (`json_schema.ts`), the one event-time rule (`event_time.ts`) and what identifies an event
 * (`identity.ts`).
 *
 * @example
 * ```ts
 * import { decodeRecord, RAW, TOPICS } from "./mod.ts";
 * for (const topic of TOPICS) {
 *   const result = decodeRecord(topic, "{not json", RAW);
 *   if (result.ok) throw new Error("should not decode");
 * }
 * ```
 *
 * @module
 */

export * from "./events.ts";
export * from "./raw.ts";
export * from "./validate.ts";
export * from "./json_schema.ts";
export * from "./event_time.ts";
export * from "./identity.ts";
