/**
 * Property test (fast-check, fixed seed): the real-time decoder's answer for a raw line is
 * exactly the one rule's (`parseRaw`) followed by `decodeEvent` on the parsed object, over
 * generated and hostile lines of every topic: wrong types, escapes, unicode, duplicate keys
 * (JSON.parse keeps the last), nested objects, huge numbers, a byte-order mark, white space,
 * line breaks, non-object JSON, cut lines; as text and as bytes, in zones with daylight saving;
 * over odd events and over events close to what producers send (each field now and then odd).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeEvent, decodeLine, MALFORMED_REASONS } from "../../lib/realtime/decode.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { parseRaw, type RawErrorClass } from "../../lib/schema/raw.ts";

const R = MALFORMED_REASONS;
const REASON: Record<RawErrorClass, string> = {
  EmptyValue: R.noValue,
  TooLarge: R.tooLarge,
  InvalidUtf8: R.notUtf8,
  InvalidJson: R.notJson,
  NotAnObject: R.notObject,
  MultilineJson: R.multiline,
  LoneSurrogate: R.loneSurrogate,
  TooDeep: R.tooDeep,
};

/** The decoder as its doc states it: the raw rule, then the checks on the parsed object. */
function stated(topic: typeof TOPICS[number], line: Uint8Array | string, zone: string) {
  const raw = parseRaw(line);
  return raw.ok
    ? decodeEvent(topic, raw.record, zone)
    : { ok: false, reason: REASON[raw.rejection.errorClass] };
}

const oddValue = fc.oneof(
  fc.constantFrom(null, "", 0, -0, 1e308, true, [], {}, "user_1", "ünï©ødé", "a\u2028b"),
  // ASCII with escapes once written: a quote, a backslash, a tab.
  fc.constantFrom('say "hi"', "back\\slash", "tab\there"),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: "binary", maxLength: 8 }),
);
const timestamp = fc.oneof(
  fc.constantFrom(
    "2026-11-26T10:15:30.123Z",
    "2026-11-26 10:15:30",
    "2026-03-29 02:30:00",
    "2026-10-25 02:30:00",
    "2026-11-26T10:15:30.123+05:30",
    "2026-02-30 10:00:00",
    "1795688130123",
    1795688130123,
    1795688130123.5,
    "2026-11-26T10:15:60.000Z",
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  oddValue,
);
const event = fc.record({
  event_id: fc.oneof(fc.uuid(), oddValue),
  user_id: fc.oneof(fc.constantFrom("user_1", "user_2"), oddValue),
  order_id: fc.oneof(fc.constantFrom("order_1"), oddValue),
  timestamp,
  event: fc.oneof(fc.constantFrom("click", "page_view", "add_to_cart"), oddValue),
  session_id: fc.oneof(fc.uuid(), oddValue),
  status: fc.oneof(fc.constantFrom("completed", "delivered", "picked_up"), oddValue),
  total_amount: fc.oneof(fc.double(), oddValue),
  items: fc.oneof(
    fc.array(fc.record({ product_id: oddValue, quantity: oddValue }), { maxLength: 3 }),
    oddValue,
  ),
  current_location: fc.oneof(fc.constantFrom("Oslo, Norway"), oddValue),
  extra: oddValue,
}, { requiredKeys: [] });

/** Mostly a good value, now and then an odd one. */
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: oddValue });
/** Events close to what producers send: each field usually right, sometimes odd or missing. */
const plausible = fc.record({
  event_id: mostly(fc.uuid()),
  user_id: mostly(fc.constantFrom("user_1", "user_2", "user_33")),
  order_id: mostly(fc.constantFrom("order_1", "order_22")),
  delivery_person_id: mostly(fc.constantFrom("dp_1", "dp_7")),
  // ISO with Z, the original producers' wall clock (read in the zone), or with an offset.
  timestamp: mostly(
    fc.tuple(
      fc.date({
        min: new Date("2000-01-01T00:00:00Z"),
        max: new Date("2100-01-01T00:00:00Z"),
        noInvalidDate: true,
      }).map((d) => d.toISOString()),
      fc.constantFrom("iso", "wall", "offset"),
    ).map(([iso, shape]) =>
      shape === "iso"
        ? iso
        : shape === "wall"
        ? iso.slice(0, 19).replace("T", " ")
        : iso.slice(0, 23) + "-03:30"
    ),
  ),
  event: mostly(fc.constantFrom("click", "page_view", "add_to_cart", "checkout")),
  page: mostly(fc.constantFrom("home_page", "product_page")),
  referrer: mostly(fc.constantFrom("direct", "google.com")),
  device: mostly(fc.constantFrom("mobile", "desktop")),
  session_id: mostly(fc.uuid()),
  product_id: mostly(fc.constantFrom("prod_1", "prod_22")),
  status: mostly(fc.constantFrom("picked_up", "delivered", "failed")),
  current_location: mostly(fc.constantFrom("Oslo, Norway", "Lima")),
  action: mostly(fc.constantFrom("profile_update", "login")),
  details: mostly(fc.record({ email: fc.emailAddress() })),
  extra: mostly(fc.constant("x")),
}, { requiredKeys: ["event_id", "user_id", "order_id", "timestamp"] });

/** Ways to write an object as a line that JSON.parse may or may not take. */
const writtenOf = (events: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(events, fc.nat(20), fc.nat(), fc.constantFrom("", " ", "\t", "\n", "\r\n"))
    .map(([value, how, at, space]) => {
      const text = JSON.stringify(value);
      switch (how) {
        case 0: // a duplicate key: the last one wins
          return text.replace(/}$/, `,"timestamp":"2026-11-26T10:15:30.000Z","event_id":"dup"}`);
        case 1:
          return "\uFEFF" + text;
        case 2:
          return space + text + space;
        case 3:
          return JSON.stringify(value, null, 1);
        case 4: // an escaped key
          return text.replace('"timestamp"', '"\\u0074imestamp"');
        case 5:
          return text.slice(0, at % (text.length + 1));
        case 6:
          return JSON.stringify([value]);
        case 7:
          return JSON.stringify(JSON.stringify(value));
        case 8: // huge numbers
          return text.replace(/}$/, `,"n":1e400,"m":-123456789012345678901234567890}`);
        case 9:
          return text.replace(/,/g, " ,  ").replace(/:/g, "\t:\t");
        case 10:
          return "";
        default:
          return text;
      }
    });
const written = writtenOf(event);

Deno.test("decodeLine answers exactly as the raw rule then decodeEvent, for text and bytes", () => {
  const enc = new TextEncoder();
  let accepted = 0, runs = 0;
  fc.assert(
    fc.property(
      // Odd events, and events close to what producers send (so the accepted path is taken too).
      fc.oneof(written, writtenOf(plausible)),
      fc.constantFrom(...TOPICS),
      fc.constantFrom("UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"),
      (line, topic, zone) => {
        runs++;
        const decoded = decodeLine(topic, line, zone);
        if (decoded.ok) accepted++;
        assert.deepEqual(decoded, stated(topic, line, zone), line);
        const bytes = enc.encode(line);
        assert.deepEqual(decodeLine(topic, bytes, zone), stated(topic, bytes, zone), line);
      },
    ),
    { seed: 20261127, numRuns: 5000 },
  );
  // Both answers were exercised: accepted events as well as malformed ones.
  assert.ok(accepted > runs / 5 && accepted < runs - runs / 5, `${accepted} of ${runs} accepted`);
  for (const topic of TOPICS) {
    assert.deepEqual(decodeLine(topic, null), { ok: false, reason: R.noValue });
    const bad = new Uint8Array([0x7b, 0xff, 0x7d]);
    assert.deepEqual(decodeLine(topic, bad), { ok: false, reason: R.notUtf8 });
  }
});
