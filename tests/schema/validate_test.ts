import assert from "node:assert/strict";
import { SchemaError } from "../../lib/errors.ts";
import { type Topic, TOPICS } from "../../lib/schema/events.ts";
import { decodeRecord, isValidEvent, RAW, validateEvent } from "./_validate.ts";

const ID = "0b7e4a44-2c55-4a36-9f0e-4b7c7a3f7d10";
const TS = "2026-11-26T10:15:30.123Z";

function samples(): Record<Topic, Record<string, unknown>> {
  return {
    "clickstream": {
      event_id: ID,
      event: "search",
      user_id: "user_7",
      timestamp: TS,
      page: "search_results",
      referrer: "google.com",
      device: "tablet",
      session_id: ID,
      product_id: null,
      search_query: "yoga mat",
    },
    "orders": {
      event_id: ID,
      order_id: "order_3",
      user_id: "user_7",
      timestamp: TS,
      items: [
        { product_id: "prod_1", quantity: 2, price: 19.99 },
        { product_id: "prod_9", quantity: 1, price: 5.5 },
      ],
      total_amount: 45.48,
      payment_method: "paypal",
      status: "completed",
      session_id: ID,
    },
    "user-profiles": {
      event_id: ID,
      user_id: "user_7",
      timestamp: TS,
      action: "profile_creation",
      details: { email: "user7@example.com", name: "Ada Lovelace", preferred_category: "beauty" },
    },
    "delivery-status": {
      event_id: ID,
      order_id: "order_3",
      delivery_person_id: "dp_12",
      timestamp: TS,
      status: "returned",
      current_location: "Chicago, USA",
    },
  };
}

/** Asserts that validating `value` fails at `path`, with a message matching `message`. */
function rejects(topic: Topic, value: unknown, path: string, message?: RegExp, options = {}) {
  assert.throws(
    () => validateEvent(topic, value, options),
    (e: unknown) => {
      assert.ok(e instanceof SchemaError, `not a SchemaError: ${e}`);
      assert.equal(e.path, path, e.message);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

Deno.test("validateEvent accepts a valid event of every topic", () => {
  for (const [topic, event] of Object.entries(samples()) as [Topic, unknown][]) {
    assert.equal(validateEvent(topic, event), event);
  }
});

Deno.test("validateEvent names the item and field of a wrongly typed price", () => {
  const order = samples().orders;
  (order.items as Record<string, unknown>[])[1].price = "5.50";
  rejects("orders", order, "items[1].price", /Expected a number, got "5.50"/);
});

Deno.test("validateEvent rejects values outside their enumeration", () => {
  const s = samples();
  rejects(
    "clickstream",
    { ...s.clickstream, device: "watch" },
    "device",
    /mobile\|desktop\|tablet/,
  );
  rejects("delivery-status", { ...s["delivery-status"], status: "lost" }, "status");
  rejects("orders", { ...s.orders, payment_method: "cash" }, "payment_method");
  const profile = s["user-profiles"];
  (profile.details as Record<string, unknown>).preferred_category = "toys";
  rejects("user-profiles", profile, "details.preferred_category");
});

Deno.test("validateEvent rejects timestamps that are not ISO UTC with milliseconds", () => {
  const click = samples().clickstream;
  for (
    const ts of [
      "2026-11-26 10:15:30",
      "2026-11-26T10:15:30Z",
      "2026-11-26T10:15:30.123+01:00",
      "2026-13-26T10:15:30.123Z",
      1764152130123,
    ]
  ) {
    rejects("clickstream", { ...click, timestamp: ts }, "timestamp");
  }
});

Deno.test("validateEvent rejects a total that is not the sum of quantity times price", () => {
  rejects("orders", { ...samples().orders, total_amount: 45.49 }, "total_amount", /45\.48/);
  rejects("orders", { ...samples().orders, total_amount: 45.481 }, "total_amount", /2 decimals/);
});

Deno.test("validateEvent rejects bad items: empty, zero quantity, unknown field", () => {
  const s = samples();
  rejects("orders", { ...s.orders, items: [] }, "items");
  rejects(
    "orders",
    { ...s.orders, items: [{ product_id: "prod_1", quantity: 0, price: 1 }] },
    "items[0].quantity",
  );
  rejects("orders", {
    ...s.orders,
    items: [{ product_id: "prod_1", quantity: 1, price: 1, sku: "x" }],
  }, "items[0].sku");
  rejects(
    "orders",
    { ...s.orders, items: [{ product_id: "p1", quantity: 1, price: 1 }] },
    "items[0].product_id",
  );
});

Deno.test("validateEvent rejects a missing required field, naming it", () => {
  const { referrer: _, ...click } = samples().clickstream;
  rejects("clickstream", click, "referrer", /Missing required field/);
  const profile = samples()["user-profiles"];
  delete (profile.details as Record<string, unknown>).email;
  rejects("user-profiles", profile, "details.email", /Missing/);
});

Deno.test("validateEvent rejects non-objects as a whole", () => {
  for (const value of [null, [], "text", 42]) rejects("orders", value, "", /Expected an object/);
});

Deno.test("nulls in original fields pass only with allowNulls, never in the key or event_id", () => {
  const s = samples();
  rejects("orders", { ...s.orders, status: null }, "status", /null/);
  validateEvent("orders", { ...s.orders, status: null, items: null }, { allowNulls: true });
  rejects("orders", { ...s.orders, order_id: null }, "order_id", undefined, RAW);
  rejects("orders", { ...s.orders, event_id: null }, "event_id", undefined, RAW);
  rejects("clickstream", { ...s.clickstream, user_id: null }, "user_id", undefined, RAW);
  // Added fields may be null by design, strict or not.
  validateEvent("clickstream", { ...s.clickstream, session_id: null, search_query: null });
});

Deno.test("unknown fields pass only with allowUnknown", () => {
  const event = { ...samples()["delivery-status"], coupon_code: "SAVE10" };
  rejects("delivery-status", event, "coupon_code", /Unknown field/);
  validateEvent("delivery-status", event, { allowUnknown: true });
});

Deno.test("a location without a country passes only with allowBareLocation", () => {
  const event = { ...samples()["delivery-status"], current_location: "Singapore" };
  rejects("delivery-status", event, "current_location", /City, Country/);
  validateEvent("delivery-status", event, { allowBareLocation: true });
  rejects(
    "delivery-status",
    { ...event, current_location: "A, B, C" },
    "current_location",
    undefined,
    RAW,
  );
});

Deno.test("isValidEvent answers without throwing", () => {
  assert.equal(isValidEvent("orders", samples().orders), true);
  assert.equal(isValidEvent("orders", { ...samples().orders, status: "lost" }), false);
});

Deno.test("decodeRecord decodes text and bytes and explains failures on one line", () => {
  const line = JSON.stringify(samples().orders);
  const fromText = decodeRecord("orders", line);
  assert.ok(fromText.ok);
  assert.deepEqual(fromText.event, samples().orders);
  assert.ok(decodeRecord("orders", new TextEncoder().encode(line)).ok);
  const truncated = decodeRecord("orders", line.slice(0, 50));
  assert.ok(!truncated.ok && truncated.reason.startsWith("Not JSON: "));
  const python = decodeRecord("orders", line.replaceAll('"', "'"));
  assert.ok(!python.ok && python.reason.startsWith("Not JSON: "));
  const bad = decodeRecord("orders", JSON.stringify({ ...samples().orders, total_amount: 1 }));
  assert.ok(!bad.ok && bad.reason.startsWith("total_amount: "));
  const bytes = decodeRecord("orders", new Uint8Array([0xff, 0xfe]));
  assert.ok(!bytes.ok && !bytes.reason.includes("\n"));
  for (const result of [truncated, python, bad]) {
    assert.ok(!result.ok && !result.reason.includes("\n"));
  }
});

Deno.test("validateEvent rejects an unknown topic", () => {
  // @ts-expect-error: not a topic
  assert.throws(() => validateEvent("payments", {}), SchemaError);
  assert.equal(TOPICS.length, 4);
});
