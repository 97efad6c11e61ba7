/**
 * The events' contract: types and enumerations (`events.ts`), the one validity rule for a raw
 * record (`raw.ts`), the one event-time rule (`event_time.ts`) and what identifies an event
 * (`identity.ts`). (The strict per-field validator and the JSON Schemas of the topics are the
 * tests' oracle, in `tests/schema/`: nothing in the pipeline rejects a record by field types; NRT
 * quarantines type drift by the bronze types instead.)
 *
 * @example
 * ```ts
 * import { parseRaw, TOPICS } from "./mod.ts";
 * TOPICS.length; // 4
 * parseRaw(new TextEncoder().encode("{not json")).ok; // false
 * ```
 *
 * @module
 */

export * from "./events.ts";
export * from "./raw.ts";
export * from "./event_time.ts";
export * from "./identity.ts";
