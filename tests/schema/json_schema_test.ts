import assert from "node:assert/strict";
import {
  CATEGORIES,
  CLICK_EVENTS,
  DELIVERY_STATUSES,
  ORIGINAL_FIELDS,
  TOPICS,
} from "../../lib/schema/events.ts";
import { JSON_SCHEMAS } from "./_json_schema.ts";
import { simulate } from "../../lib/simulate/mod.ts";

type Schema = Record<string, unknown>;

Deno.test("every topic has a draft 2020-12 schema requiring every field it declares", () => {
  for (const topic of TOPICS) {
    const schema = JSON_SCHEMAS[topic] as Schema;
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
    assert.equal(schema.additionalProperties, false);
    const properties = Object.keys(schema.properties as Schema);
    assert.deepEqual(schema.required, properties);
    for (const field of [...ORIGINAL_FIELDS[topic], "event_id"]) {
      assert.ok(properties.includes(field));
    }
  }
});

Deno.test("schema enumerations are the contract's", () => {
  const props = (topic: (typeof TOPICS)[number]) =>
    JSON_SCHEMAS[topic].properties as Record<string, Schema>;
  assert.deepEqual(props("clickstream").event.enum, [...CLICK_EVENTS]);
  assert.deepEqual(props("delivery-status").status.enum, [...DELIVERY_STATUSES]);
  const details = props("user-profiles").details.properties as Record<string, Schema>;
  assert.deepEqual(details.preferred_category.enum, [...CATEGORIES]);
});

Deno.test("simulated events use exactly the fields the schemas declare, in order", () => {
  const seen = new Set<string>();
  for (
    const record of simulate({
      events: 2000,
      faults: "none",
      start: new Date("2026-11-26T00:00:00Z"),
    })
  ) {
    if (seen.has(record.topic)) continue;
    seen.add(record.topic);
    const properties = Object.keys(JSON_SCHEMAS[record.topic].properties as Schema);
    assert.deepEqual(Object.keys(JSON.parse(record.value)), properties);
  }
  assert.equal(seen.size, 4);
});
