/**
 * JSON Schemas (draft 2020-12) of the four topics' events, strict like
 * {@linkcode validateEvent}'s defaults: for documentation, for other tools (a Schema Registry,
 * a data catalogue), and for checking the contract outside TypeScript. Two rules JSON Schema
 * cannot state are left to `validateEvent`: total_amount = Σ quantity × price, and that a
 * timestamp is a real instant.
 *
 * @module
 */

import {
  CATEGORIES,
  CLICK_EVENTS,
  DELIVERY_STATUSES,
  DEVICES,
  ORDER_STATUSES,
  PAGES,
  PAYMENT_METHODS,
  PROFILE_ACTIONS,
  REFERRERS,
  type Topic,
} from "../../lib/schema/events.ts";

/** A JSON Schema document (loosely typed: it is data). */
export type JsonSchema = { readonly [keyword: string]: unknown };

const DIALECT = "https://json-schema.org/draft/2020-12/schema";
const BASE = "https://ecom-stream.example/schemas";

const uuid = {
  type: "string",
  format: "uuid",
  pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
};
const timestamp = {
  type: "string",
  format: "date-time",
  pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$",
  description: "ISO-8601 UTC with milliseconds, e.g. 2026-11-26T10:15:30.123Z",
};
const id = (prefix: string) => ({ type: "string", pattern: `^${prefix}_\\d+$` });
const oneOf = (values: readonly string[]) => ({ type: "string", enum: [...values] });
const nullable = (schema: JsonSchema) => ({ ...schema, type: [schema.type, "null"] });
const money = { type: "number", minimum: 0, multipleOf: 0.01 };

function event(topic: Topic, title: string, properties: Record<string, JsonSchema>): JsonSchema {
  return {
    $schema: DIALECT,
    $id: `${BASE}/${topic}.json`,
    title,
    type: "object",
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

/** Schema of a `clickstream` event (key: user_id). */
export const CLICKSTREAM_SCHEMA: JsonSchema = event("clickstream", "Clickstream event", {
  event_id: uuid,
  event: oneOf(CLICK_EVENTS),
  user_id: id("user"),
  timestamp,
  page: oneOf(PAGES),
  referrer: oneOf(REFERRERS),
  device: oneOf(DEVICES),
  session_id: nullable(uuid),
  product_id: nullable(id("prod")),
  search_query: { type: ["string", "null"] },
});

/** Schema of an `orders` event (key: order_id). */
export const ORDERS_SCHEMA: JsonSchema = event("orders", "Order", {
  event_id: uuid,
  order_id: id("order"),
  user_id: id("user"),
  timestamp,
  items: {
    type: "array",
    minItems: 1,
    items: {
      type: "object",
      properties: {
        product_id: id("prod"),
        quantity: { type: "integer", minimum: 1 },
        price: { ...money, exclusiveMinimum: 0 },
      },
      required: ["product_id", "quantity", "price"],
      additionalProperties: false,
    },
  },
  total_amount: { ...money, description: "Σ quantity × price, rounded to 2 decimals" },
  payment_method: oneOf(PAYMENT_METHODS),
  status: oneOf(ORDER_STATUSES),
  session_id: nullable(uuid),
});

/** Schema of a `user-profiles` event (key: user_id). */
export const USER_PROFILES_SCHEMA: JsonSchema = event("user-profiles", "User profile action", {
  event_id: uuid,
  user_id: id("user"),
  timestamp,
  action: oneOf(PROFILE_ACTIONS),
  details: {
    type: "object",
    properties: {
      email: { type: "string", format: "email" },
      name: { type: "string", minLength: 1 },
      preferred_category: oneOf(CATEGORIES),
    },
    required: ["email", "name", "preferred_category"],
    additionalProperties: false,
  },
});

/** Schema of a `delivery-status` event (key: order_id). */
export const DELIVERY_STATUS_SCHEMA: JsonSchema = event("delivery-status", "Delivery status", {
  event_id: uuid,
  order_id: id("order"),
  delivery_person_id: id("dp"),
  timestamp,
  status: oneOf(DELIVERY_STATUSES),
  current_location: { type: "string", pattern: "^[^,]+, [^,]+$", description: '"City, Country"' },
});

/**
 * The schema per topic.
 *
 * @example
 * ```ts
 * import { JSON_SCHEMAS } from "./_json_schema.ts";
 * const required = JSON_SCHEMAS["orders"].required as string[];
 * if (!required.includes("total_amount")) throw new Error("contract changed");
 * ```
 */
export const JSON_SCHEMAS: { readonly [T in Topic]: JsonSchema } = {
  "clickstream": CLICKSTREAM_SCHEMA,
  "orders": ORDERS_SCHEMA,
  "user-profiles": USER_PROFILES_SCHEMA,
  "delivery-status": DELIVERY_STATUS_SCHEMA,
};
