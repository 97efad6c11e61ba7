import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkTimeZone,
  daysFromCivil,
  formatWallTime,
  MAX_EVENT_TIME,
  MIN_EVENT_TIME,
  parseEventTime,
  parseEventTimeBytes,
  parseEventTimeText,
  wallTimeToInstant,
  zoneOffset,
} from "../../lib/schema/event_time.ts";

const T = Date.parse("2026-11-26T10:15:30.123Z");

Deno.test("event time reads ISO-8601 with Z or an offset, wall-clock times in the zone, epoch ms", () => {
  const cases: Array<[unknown, string, number | null]> = [
    ["2026-11-26T10:15:30.123Z", "UTC", T],
    ["2026-11-26T10:15:30.123Z", "Asia/Kolkata", T],
    ["2026-11-26t10:15:30.123z", "UTC", T],
    ["2026-11-26 10:15:30.123Z", "UTC", T],
    ["2026-11-26T10:15:30Z", "UTC", T - 123],
    ["2026-11-26T10:15:30.1Z", "UTC", T - 23],
    ["2026-11-26T10:15:30.123999999Z", "UTC", T],
    ["2026-11-26T15:45:30.123+05:30", "UTC", T],
    ["2026-11-26T15:45:30.123+0530", "UTC", T],
    ["2026-11-26T05:15:30.123-05:00", "Europe/Berlin", T],
    ["2026-11-26T10:15:30.123+00:00", "America/New_York", T],
    // The original producers' format, in EVENT_TIME_ZONE.
    ["2026-11-26 10:15:30", "UTC", T - 123],
    ["2026-11-26 15:45:30", "Asia/Kolkata", T - 123],
    ["2026-11-26 11:15:30.123", "Europe/Berlin", T],
    ["2026-11-26T05:15:30.123", "America/New_York", T],
    ["2026-07-01 12:00:00", "Europe/Berlin", Date.UTC(2026, 6, 1, 10)],
    // Epoch milliseconds, as a number or a string.
    [T, "UTC", T],
    [String(T), "Asia/Kolkata", T],
    [0, "UTC", 0],
    [-1000, "UTC", -1000],
    ["1.7e12", "UTC", 1.7e12],
    [253402300799999, "UTC", 253402300799999],
    [-62135596800000, "UTC", -62135596800000],
    ["9999-12-31T23:59:59.999Z", "UTC", 253402300799999],
    ["0001-01-01T00:00:00Z", "UTC", -62135596800000],
    // Leap days.
    ["2024-02-29 00:00:00", "UTC", Date.UTC(2024, 1, 29)],
    ["2000-02-29 00:00:00", "UTC", Date.UTC(2000, 1, 29)],
  ];
  for (const [value, zone, expected] of cases) {
    assert.equal(parseEventTime(value, zone), expected, `${JSON.stringify(value)} in ${zone}`);
  }
});

Deno.test("event time is null for garbage, impossible dates and other types", () => {
  const garbage: unknown[] = [
    null,
    undefined,
    true,
    {},
    [],
    ["2026-11-26T10:15:30Z"],
    "",
    " ",
    "now",
    "2026-11-26",
    "10:15:30",
    "2026-11-26T10:15Z",
    "2026-11-26T10:15:30.Z",
    "2026-11-26T10:15:30.1234567890Z",
    "26/11/2026 10:15:30",
    "Thu, 26 Nov 2026 10:15:30 GMT",
    "2026-11-26T10:15:30 Z",
    " 2026-11-26T10:15:30Z",
    "2026-11-26T10:15:30Z ",
    "2026-11-26T10:15:30+5:30",
    "2026-11-26T10:15:30+24:00",
    "2026-11-26T10:15:30+05:60",
    "2026-13-01 00:00:00",
    "2026-00-10 00:00:00",
    "2026-02-29 00:00:00",
    "1900-02-29 00:00:00",
    "2026-04-31 00:00:00",
    "2026-11-26 24:00:00",
    "2026-11-26 23:60:00",
    "2026-11-26 23:59:60",
    "0000-06-01 00:00:00",
    "+2026-11-26T10:15:30Z",
    "2026-11-26T10:15:30.123Zjunk",
    "１２３",
    1.5,
    NaN,
    Infinity,
    8.64e15,
    253402300800000,
    -62135596800001,
    "0001-01-01T00:00:00+00:01",
    "9999-12-31T23:59:59-00:01",
    "0001-01-01 00:00:00",
    1e300,
    "1795688130123.5",
    "0x1A",
    "1_000",
  ];
  for (const value of garbage) {
    assert.equal(
      parseEventTime(value, "Europe/Berlin"),
      null,
      JSON.stringify(value) ?? "undefined",
    );
  }
});

Deno.test("daylight-saving changes: ambiguous wall times take the earlier instant, skipped ones move forward", () => {
  // Berlin falls back at 03:00 CEST on 2026-10-25 (02:00–03:00 twice) and springs forward at
  // 02:00 CET on 2026-03-29 (02:00–03:00 never happens).
  assert.equal(
    parseEventTime("2026-10-25 02:30:00", "Europe/Berlin"),
    Date.UTC(2026, 9, 25, 0, 30),
  );
  assert.equal(
    parseEventTime("2026-03-29 02:30:00", "Europe/Berlin"),
    Date.UTC(2026, 2, 29, 1, 30),
  );
  assert.equal(
    parseEventTime("2026-03-29 01:59:59", "Europe/Berlin"),
    Date.UTC(2026, 2, 29, 0, 59, 59),
  );
  assert.equal(parseEventTime("2026-03-29 03:00:00", "Europe/Berlin"), Date.UTC(2026, 2, 29, 1));
  // New York: a one-hour gap in March and a repeated hour in November.
  assert.equal(
    parseEventTime("2026-11-01 01:30:00", "America/New_York"),
    Date.UTC(2026, 10, 1, 5, 30),
  );
  assert.equal(
    parseEventTime("2026-03-08 02:30:00", "America/New_York"),
    Date.UTC(2026, 2, 8, 7, 30),
  );
  // Lord Howe Island moves by 30 minutes.
  assert.equal(
    parseEventTime("2026-04-05 01:45:00", "Australia/Lord_Howe"),
    Date.UTC(2026, 3, 4, 14, 45),
  );
});

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "America/Sao_Paulo",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Pacific/Apia",
  "America/St_Johns",
  "Africa/Casablanca",
];

/** Instants from 1900 to 2100 at whole ms. */
const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) });
const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, "0");

Deno.test("property: wall-clock times in any zone agree with Temporal's 'compatible' reading", () => {
  fc.assert(
    fc.property(instant, fc.constantFrom(...ZONES), (t, zone) => {
      const d = new Date(t);
      const text = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${
        pad(d.getUTCDate())
      } ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${
        pad(d.getUTCMilliseconds(), 3)
      }`;
      const expected = Temporal.PlainDateTime.from(text.replace(" ", "T"))
        .toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
      assert.equal(parseEventTime(text, zone), expected, `${text} in ${zone}`);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("property: an instant written with any offset, or in any zone's wall time, reads back", () => {
  fc.assert(
    fc.property(
      instant,
      fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
      fc.constantFrom(...ZONES),
      (t, offsetMinutes, zone) => {
        const local = new Date(t + offsetMinutes * 60_000);
        const sign = offsetMinutes < 0 ? "-" : "+";
        const text = local.toISOString().slice(0, 23) + sign + pad(Math.trunc(offsetMinutes / 60)) +
          ":" + pad(offsetMinutes % 60);
        assert.equal(parseEventTime(text, zone), t, text);
        // Formatting to the zone's wall clock and reading back gives the same second, except
        // where a change makes that wall time ambiguous (then the earlier instant).
        const wall = formatWallTime(t, zone);
        const back = parseEventTime(wall, zone)!;
        const second = Math.floor(t / 1000) * 1000;
        assert.ok(back === second || (back < second && formatWallTime(back, zone) === wall), wall);
      },
    ),
    { numRuns: 3000 },
  );
});

Deno.test("property: any value gives null or a whole number of ms, and bytes agree with text", () => {
  const encoder = new TextEncoder();
  const check = (text: string) => {
    const a = parseEventTimeText(text, "Asia/Kolkata");
    assert.ok(a === null || Number.isSafeInteger(a), text);
    const bytes = encoder.encode(`"${text}"`);
    if (bytes.length === text.length + 2) {
      assert.equal(parseEventTimeBytes(bytes, 1, bytes.length - 1, "Asia/Kolkata"), a, text);
    }
  };
  // Random strings, and strings close to the accepted shapes (digits and separators swapped).
  fc.assert(fc.property(fc.string(), check), { numRuns: 2000 });
  const near = fc.tuple(
    instant,
    fc.array(fc.tuple(fc.nat(23), fc.constantFrom(..."0129:-.TZ +x")), {
      maxLength: 3,
    }),
  ).map(([t, edits]) => {
    const chars = [...new Date(t).toISOString()];
    for (const [i, c] of edits) chars[i] = c;
    return chars.join("");
  });
  fc.assert(fc.property(near, check), { numRuns: 5000 });
  fc.assert(
    fc.property(fc.anything(), (v) => {
      const r = parseEventTime(v, "Europe/Berlin");
      assert.ok(r === null || Number.isSafeInteger(r));
    }),
    { numRuns: 1000 },
  );
});

Deno.test("the ISO fast path agrees with Date.parse on every valid ISO UTC string", () => {
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31) }), (t) => {
      const text = new Date(t).toISOString();
      if (text.length !== 24) return;
      assert.equal(parseEventTime(text), t);
      const bytes = new TextEncoder().encode(text);
      assert.equal(parseEventTimeBytes(bytes, 0, bytes.length), t);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("days from the civil date match the calendar", () => {
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31) }), (t) => {
      const d = new Date(t);
      const days = daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
      assert.equal(days, Math.floor(t / 86_400_000));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("zone names: IANA names are accepted and canonical, anything else is a clear error", () => {
  assert.equal(checkTimeZone("utc"), "UTC");
  assert.equal(checkTimeZone("Europe/Berlin"), "Europe/Berlin");
  assert.equal(checkTimeZone("Etc/GMT+5"), "Etc/GMT+5");
  for (const bad of ["", "+05:30", "Mars/Olympus", "Europe/Berlin ", "UTC+1", "../etc"]) {
    assert.throws(() => checkTimeZone(bad), (e: unknown) => e instanceof RangeError, bad);
  }
  assert.equal(zoneOffset(Date.UTC(2026, 0, 1), "Asia/Kathmandu"), 5.75 * 3_600_000);
  assert.equal(wallTimeToInstant(0, "UTC"), 0);
});

Deno.test("no result depends on the host's TZ", async () => {
  const code = `import { parseEventTime, formatWallTime } from "${
    new URL("../../lib/schema/event_time.ts", import.meta.url).href
  }";
    console.log(JSON.stringify([
      parseEventTime("2026-11-26 10:15:30"), parseEventTime("2026-11-26 10:15:30", "Europe/Berlin"),
      parseEventTime("2026-11-26T10:15:30"), formatWallTime(0), formatWallTime(0, "Asia/Tokyo"),
    ]));`;
  const outputs = await Promise.all(
    ["UTC", "Asia/Kolkata", "America/Los_Angeles"].map(async (tz) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", code],
        env: { TZ: tz },
        stdout: "piped",
      }).output();
      assert.ok(out.success);
      return new TextDecoder().decode(out.stdout).trim();
    }),
  );
  assert.deepEqual(
    JSON.parse(outputs[0]),
    [T - 123, T - 123 - 3_600_000, T - 123, "1970-01-01 00:00:00", "1970-01-01 09:00:00"],
  );
  assert.equal(outputs[1], outputs[0]);
  assert.equal(outputs[2], outputs[0]);
});

Deno.test("neighbouring timestamps (the fast paths remember their minute) read as each alone does", () => {
  // Every few seconds through daylight-saving changes, year and range edges, in zones with odd
  // offsets: each wall-clock time against Temporal, each ISO time against Date.parse; junk
  // seconds after a remembered minute, and other zones in between, must not hit the memory.
  const changes = [
    Date.UTC(2026, 2, 29, 1),
    Date.UTC(2026, 9, 25, 1),
    Date.UTC(2026, 2, 8, 7),
    Date.UTC(2026, 3, 5, 0),
    Date.UTC(1937, 6, 1),
    Date.parse("0001-01-01T03:00:00Z"),
    Date.UTC(9999, 11, 31, 21),
  ];
  const zones = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
  ];
  const wallText = (d: Date, sep: string) =>
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${sep}${
      pad(d.getUTCHours())
    }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const compatible = (text: string, zone: string) => {
    const ms = Temporal.PlainDateTime.from(text.replace(" ", "T"))
      .toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
    return ms >= MIN_EVENT_TIME && ms <= MAX_EVENT_TIME ? ms : null;
  };
  let checked = 0;
  for (const zone of zones) {
    for (const change of changes) {
      for (let t = change - 2 * 3_600_000; t < change + 2 * 3_600_000; t += 7_001) {
        const d = new Date(t);
        for (const sep of [" ", "T"]) {
          const text = wallText(d, sep);
          assert.equal(parseEventTime(text, zone), compatible(text, zone), `${text} in ${zone}`);
          const other = zones[(zones.indexOf(zone) + 1) % zones.length];
          assert.equal(parseEventTime(text, other), compatible(text, other), `${text} in ${other}`);
          for (const junk of ["60", "6x", "-1", " 1"]) {
            assert.equal(parseEventTime(text.slice(0, 17) + junk, zone), null, junk);
          }
          assert.equal(parseEventTime(text.slice(0, 16) + "-" + text.slice(17), zone), null);
          checked++;
        }
        if (t >= MIN_EVENT_TIME && t <= MAX_EVENT_TIME) {
          const iso = d.toISOString();
          assert.equal(parseEventTime(iso, zone), t, iso);
          for (const junk of ["60.000Z", "59.99xZ", "59.9 9Z", "5a.000Z", "59x000Z"]) {
            assert.equal(parseEventTime(iso.slice(0, 17) + junk), null, junk);
          }
          assert.equal(parseEventTime(iso.slice(0, 16) + "-" + iso.slice(17)), null);
        }
      }
    }
  }
  assert.ok(checked > 10_000);
});
