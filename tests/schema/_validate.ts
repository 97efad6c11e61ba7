/**
 * Runtime validation of the four topics' events against the contract (DESIGN.md), and decoding
 * of raw record values.
 *
 * Strict by default: what the contract says, nothing else. The raw layer deliberately carries
 * faults (nulls in original fields, unknown extra fields, locations without a country), so a
 * consumer of raw records opts into leniency per fault, or passes {@linkcode RAW} for all of
 * them. Never lenient: malformed JSON, a missing field, a wrong type, a value outside its
 * enumeration, a bad timestamp, a wrong total, a null key field or event_id.
 *
 * @module
 */

import { SchemaError } from "../../lib/errors.ts";
import {
  CATEGORIES,
  CLICK_EVENTS,
  DELIVERY_STATUSES,
  DETAIL_FIELDS,
  DEVICES,
  type EventOf,
  FIELDS,
  ITEM_FIELDS,
  KEY_FIELD,
  ORDER_STATUSES,
  ORIGINAL_FIELDS,
  PAGES,
  PAYMENT_METHODS,
  PROFILE_ACTIONS,
  REFERRERS,
  type Topic,
  TOPICS,
} from "../../lib/schema/events.ts";
import { parseRaw, type RawRejection } from "../../lib/schema/raw.ts";

/** How lenient validation is. Every option defaults to strict (false). */
export interface ValidateOptions {
  /**
   * Accept null in original non-key fields (never in the key field or event_id), as the raw
   * layer carries them; cleaning drops such rows later.
   * @default false
   */
  allowNulls?: boolean;
  /**
   * Accept fields the contract does not name (at any depth).
   * @default false
   */
  allowUnknown?: boolean;
  /**
   * Accept a delivery `current_location` without ", Country" (e.g. "Singapore").
   * @default false
   */
  allowBareLocation?: boolean;
}

/** Lenient options for the raw layer: every deliberate fault passes, malformed data does not. */
export const RAW: Readonly<Required<ValidateOptions>> = Object.freeze({
  allowNulls: true,
  allowUnknown: true,
  allowBareLocation: true,
});

/** The outcome of {@linkcode decodeRecord}. */
export type Decoded<T extends Topic> =
  | { ok: true; event: EventOf[T] }
  | { ok: false; reason: string };

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCATION = /^[^,]+, [^,]+$/;
const BARE_LOCATION = /^[^,]+$/;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string") {
    return `"${value.length > 40 ? value.slice(0, 40) + "…" : value}"`;
  }
  if (typeof value === "object") return "object";
  return String(value);
}

/** Walks one event, throwing a SchemaError at the first problem. */
class Checker {
  readonly #options: Required<ValidateOptions>;
  readonly #original: ReadonlySet<string>;
  readonly #key: string;

  constructor(topic: Topic, options: ValidateOptions) {
    this.#options = {
      allowNulls: options.allowNulls ?? false,
      allowUnknown: options.allowUnknown ?? false,
      allowBareLocation: options.allowBareLocation ?? false,
    };
    this.#original = new Set(ORIGINAL_FIELDS[topic]);
    this.#key = KEY_FIELD[topic];
  }

  get options(): Required<ValidateOptions> {
    return this.#options;
  }

  /** Checks the object shape: an object, required fields present, no unknown ones. */
  object(value: unknown, path: string, fields: readonly string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new SchemaError(path, `Expected an object, got ${describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    for (const field of fields) {
      if (!(field in record)) throw new SchemaError(join(path, field), "Missing required field");
    }
    if (!this.#options.allowUnknown) {
      for (const field of Object.keys(record)) {
        if (!fields.includes(field)) {
          throw new SchemaError(join(path, field), "Unknown field (not in the contract)");
        }
      }
    }
    return record;
  }

  /**
   * Whether a top-level field's null is acceptable: added fields may be null by design when
   * `nullable`, original non-key fields only with allowNulls. Throws otherwise.
   */
  isNull(record: Record<string, unknown>, field: string, nullable = false): boolean {
    if (record[field] !== null) return false;
    if (nullable) return true;
    if (this.#options.allowNulls && this.#original.has(field) && field !== this.#key) return true;
    throw new SchemaError(field, "Must not be null");
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string") {
      throw new SchemaError(path, `Expected a string, got ${describe(value)}`);
    }
    return value;
  }

  pattern(value: unknown, path: string, pattern: RegExp, what: string): string {
    const text = this.string(value, path);
    if (!pattern.test(text)) throw new SchemaError(path, `Expected ${what}, got ${describe(text)}`);
    return text;
  }

  oneOf(value: unknown, path: string, allowed: readonly string[]): string {
    const text = this.string(value, path);
    if (!allowed.includes(text)) {
      throw new SchemaError(path, `Expected one of ${allowed.join("|")}, got ${describe(text)}`);
    }
    return text;
  }

  timestamp(value: unknown, path: string): string {
    const text = this.pattern(value, path, TIMESTAMP, "an ISO-8601 UTC timestamp with ms");
    const date = new Date(text);
    if (Number.isNaN(date.getTime()) || date.toISOString() !== text) {
      throw new SchemaError(path, `Expected a real date and time, got ${describe(text)}`);
    }
    return text;
  }

  number(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new SchemaError(path, `Expected a number, got ${describe(value)}`);
    }
    return value;
  }

  money(value: unknown, path: string, positive: boolean): number {
    const n = this.number(value, path);
    if (positive ? n <= 0 : n < 0) {
      throw new SchemaError(
        path,
        `Expected a ${positive ? "positive" : "non-negative"} amount, got ${n}`,
      );
    }
    if (Math.abs(n * 100 - Math.round(n * 100)) > 1e-6) {
      throw new SchemaError(path, `Expected at most 2 decimals, got ${n}`);
    }
    return n;
  }
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

const ID = {
  user: /^user_\d+$/,
  order: /^order_\d+$/,
  product: /^prod_\d+$/,
  courier: /^dp_\d+$/,
};

type Validator = (c: Checker, value: unknown) => void;

const VALIDATORS: { readonly [T in Topic]: Validator } = {
  "clickstream": (c, value) => {
    const e = c.object(value, "", FIELDS.clickstream);
    c.pattern(e.event_id, "event_id", UUID, "a UUID");
    c.pattern(e.user_id, "user_id", ID.user, "user_<n>");
    if (!c.isNull(e, "event")) c.oneOf(e.event, "event", CLICK_EVENTS);
    if (!c.isNull(e, "timestamp")) c.timestamp(e.timestamp, "timestamp");
    if (!c.isNull(e, "page")) c.oneOf(e.page, "page", PAGES);
    if (!c.isNull(e, "referrer")) c.oneOf(e.referrer, "referrer", REFERRERS);
    if (!c.isNull(e, "device")) c.oneOf(e.device, "device", DEVICES);
    if (!c.isNull(e, "session_id", true)) c.pattern(e.session_id, "session_id", UUID, "a UUID");
    if (!c.isNull(e, "product_id", true)) {
      c.pattern(e.product_id, "product_id", ID.product, "prod_<n>");
    }
    if (!c.isNull(e, "search_query", true)) c.string(e.search_query, "search_query");
  },
  "orders": (c, value) => {
    const e = c.object(value, "", FIELDS.orders);
    c.pattern(e.event_id, "event_id", UUID, "a UUID");
    c.pattern(e.order_id, "order_id", ID.order, "order_<n>");
    if (!c.isNull(e, "user_id")) c.pattern(e.user_id, "user_id", ID.user, "user_<n>");
    if (!c.isNull(e, "timestamp")) c.timestamp(e.timestamp, "timestamp");
    let cents: number | null = null;
    if (!c.isNull(e, "items")) {
      if (!Array.isArray(e.items)) {
        throw new SchemaError("items", `Expected an array, got ${describe(e.items)}`);
      }
      if (e.items.length === 0) throw new SchemaError("items", "Expected at least one item");
      cents = 0;
      e.items.forEach((raw, i) => {
        const path = `items[${i}]`;
        const item = c.object(raw, path, ITEM_FIELDS);
        c.pattern(item.product_id, `${path}.product_id`, ID.product, "prod_<n>");
        const quantity = c.number(item.quantity, `${path}.quantity`);
        if (!Number.isInteger(quantity) || quantity < 1) {
          throw new SchemaError(`${path}.quantity`, `Expected a positive integer, got ${quantity}`);
        }
        const price = c.money(item.price, `${path}.price`, true);
        cents! += quantity * Math.round(price * 100);
      });
    }
    if (!c.isNull(e, "total_amount")) {
      const total = c.money(e.total_amount, "total_amount", false);
      if (cents !== null && Math.round(total * 100) !== cents) {
        throw new SchemaError(
          "total_amount",
          `Expected Σ quantity × price = ${(cents / 100).toFixed(2)}, got ${total}`,
        );
      }
    }
    if (!c.isNull(e, "payment_method")) {
      c.oneOf(e.payment_method, "payment_method", PAYMENT_METHODS);
    }
    if (!c.isNull(e, "status")) c.oneOf(e.status, "status", ORDER_STATUSES);
    if (!c.isNull(e, "session_id", true)) c.pattern(e.session_id, "session_id", UUID, "a UUID");
  },
  "user-profiles": (c, value) => {
    const e = c.object(value, "", FIELDS["user-profiles"]);
    c.pattern(e.event_id, "event_id", UUID, "a UUID");
    c.pattern(e.user_id, "user_id", ID.user, "user_<n>");
    if (!c.isNull(e, "timestamp")) c.timestamp(e.timestamp, "timestamp");
    if (!c.isNull(e, "action")) c.oneOf(e.action, "action", PROFILE_ACTIONS);
    if (!c.isNull(e, "details")) {
      const d = c.object(e.details, "details", DETAIL_FIELDS);
      c.pattern(d.email, "details.email", /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an e-mail address");
      if (c.string(d.name, "details.name").trim() === "") {
        throw new SchemaError("details.name", "Expected a non-empty name");
      }
      c.oneOf(d.preferred_category, "details.preferred_category", CATEGORIES);
    }
  },
  "delivery-status": (c, value) => {
    const e = c.object(value, "", FIELDS["delivery-status"]);
    c.pattern(e.event_id, "event_id", UUID, "a UUID");
    c.pattern(e.order_id, "order_id", ID.order, "order_<n>");
    if (!c.isNull(e, "delivery_person_id")) {
      c.pattern(e.delivery_person_id, "delivery_person_id", ID.courier, "dp_<n>");
    }
    if (!c.isNull(e, "timestamp")) c.timestamp(e.timestamp, "timestamp");
    if (!c.isNull(e, "status")) c.oneOf(e.status, "status", DELIVERY_STATUSES);
    if (!c.isNull(e, "current_location")) {
      const text = c.string(e.current_location, "current_location");
      if (!LOCATION.test(text) && !(c.options.allowBareLocation && BARE_LOCATION.test(text))) {
        throw new SchemaError(
          "current_location",
          `Expected "City, Country", got ${describe(text)}`,
        );
      }
    }
  },
};

function checkTopic(topic: string): asserts topic is Topic {
  if (!(TOPICS as readonly string[]).includes(topic)) {
    throw new SchemaError("", `Unknown topic "${topic}" (expected one of ${TOPICS.join(", ")})`);
  }
}

/**
 * Checks `value` against `topic`'s contract and returns it typed; throws a SchemaError whose
 * `path` names the failing field (e.g. `items[1].price`, `details.email`, or `""` for the whole).
 *
 * With `allowNulls` the returned type may hold nulls its declaration does not admit.
 *
 * @example
 * ```ts
 * import { validateEvent } from "./_validate.ts";
 * import { SchemaError } from "../../lib/errors.ts";
 * const event = {
 *   event_id: "0b7e4a44-2c55-4a36-9f0e-4b7c7a3f7d10", order_id: "order_1",
 *   delivery_person_id: "dp_7", timestamp: "2026-11-26T10:15:30.123Z",
 *   status: "teleported", current_location: "Paris, France",
 * };
 * try {
 *   validateEvent("delivery-status", event);
 * } catch (e) {
 *   if (!(e instanceof SchemaError) || e.path !== "status") throw e;
 * }
 * ```
 */
export function validateEvent<T extends Topic>(
  topic: T,
  value: unknown,
  options: ValidateOptions = {},
): EventOf[T] {
  checkTopic(topic);
  VALIDATORS[topic](new Checker(topic, options), value);
  return value as EventOf[T];
}

/**
 * Whether `value` satisfies `topic`'s contract (see {@linkcode validateEvent}).
 *
 * @example
 * ```ts
 * import { isValidEvent } from "./_validate.ts";
 * if (isValidEvent("orders", { order_id: "order_1" })) throw new Error("should be invalid");
 * ```
 */
export function isValidEvent<T extends Topic>(
  topic: T,
  value: unknown,
  options: ValidateOptions = {},
): value is EventOf[T] {
  try {
    validateEvent(topic, value, options);
    return true;
  } catch (error) {
    if (error instanceof SchemaError) return false;
    throw error;
  }
}

function oneLine(text: string): string {
  return text.split("\n")[0];
}

/** A raw-rule rejection as `decodeRecord` words it. */
function reasonOf(rejection: RawRejection): string {
  if (rejection.errorClass === "InvalidJson") {
    return `Not JSON: ${rejection.message.replace(/^Value is not valid JSON: /, "")}`;
  }
  if (rejection.errorClass === "InvalidUtf8") return "Not UTF-8: the value holds invalid bytes";
  return rejection.message;
}

/**
 * Decodes a raw record value (UTF-8 bytes or text) of `topic`: applies the raw validity rule
 * (`raw.ts`), then validates the event. Never throws for bad data; `reason` is one line, e.g. `Not JSON: Unexpected end of JSON
 * input` or `items[1].price: Expected a number, got "12"`.
 *
 * @example
 * ```ts
 * import { decodeRecord, RAW } from "./_validate.ts";
 * const bad = decodeRecord("orders", '{"order_id": "order_1"');
 * if (bad.ok || !bad.reason.startsWith("Not JSON: ")) throw new Error("should fail");
 * const line = '{"event_id":"0b7e4a44-2c55-4a36-9f0e-4b7c7a3f7d10","user_id":"user_1",' +
 *   '"timestamp":"2026-11-26T10:15:30.123Z","action":null,"details":null}';
 * if (!decodeRecord("user-profiles", line, RAW).ok) throw new Error("raw nulls are fine");
 * ```
 */
export function decodeRecord<T extends Topic>(
  topic: T,
  value: Uint8Array | string,
  options: ValidateOptions = {},
): Decoded<T> {
  // The one validity rule for raw records first (UTF-8, JSON, an object, one line, size).
  const raw = parseRaw(value);
  if (!raw.ok) return { ok: false, reason: reasonOf(raw.rejection) };
  const parsed = raw.record;
  try {
    return { ok: true, event: validateEvent(topic, parsed, options) };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, reason: oneLine(error.message) };
    throw error;
  }
}
