/**
 * The soak's independent count (`lib/soak/count.ts`, written apart from the real-time decoder on
 * purpose) calls well-formed exactly the records real time does not call malformed: over our
 * simulator's records and the original producers' (both with heavy faults), and over edge cases
 * of identity and time written by hand (in the two shapes of time the soak's producers write:
 * other shapes real time takes, offsets or epoch ms, are not in the soak's topics).
 */
import assert from "node:assert/strict";
import { wellFormed } from "../lib/soak/count.ts";
import { decodeLine } from "../lib/realtime/mod.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { type Topic, TOPICS } from "../lib/schema/events.ts";

const enc = new TextEncoder();
const START = new Date("2026-11-20T00:00:00Z");

function agree(topic: Topic, value: Uint8Array | null) {
  const decoded = decodeLine(topic, value, "UTC");
  const text = value === null ? "null" : new TextDecoder().decode(value);
  assert.equal(wellFormed(topic, value), decoded.ok, `${topic}: ${text}`);
  return decoded.ok;
}

Deno.test("the independent count agrees with real time on ours and the original producers' records", () => {
  let good = 0, bad = 0;
  for (const format of ["v1", "original"] as const) {
    for (const r of simulate({ seed: 5, events: 20_000, start: START, faults: "heavy", format })) {
      const value = r.value === null ? null : enc.encode(String(r.value));
      if (agree(r.topic as Topic, value)) good++;
      else bad++;
    }
  }
  assert.ok(good > 30_000 && bad > 100, `${good} well-formed, ${bad} not`);
});

Deno.test("the independent count agrees with real time on identities and times at the edges", () => {
  const base = { user_id: "u1", order_id: "o1" };
  const cases: Record<string, unknown>[] = [];
  for (const event_id of [undefined, null, "", "e1", 7, ["e"]]) {
    for (
      const timestamp of [
        "2026-11-26T10:15:30.123Z",
        "2026-11-26T10:15:30Z",
        "2026-11-26 10:15:30",
        "2026-02-30 10:00:00",
        "2026-02-28 24:00:00",
        "2026-11-26 10:15:60",
        "2026-11-26",
        "2026-13-01 00:00:00",
        null,
      ]
    ) cases.push({ ...base, event_id, timestamp });
  }
  for (const topic of TOPICS) {
    for (const c of cases) agree(topic, enc.encode(JSON.stringify(c)));
    agree(topic, enc.encode(JSON.stringify({ timestamp: "2026-11-26 10:15:30" })));
  }
});
