/**
 * Inputs for checking the SQL translations of the event-time rule against the TypeScript one:
 * every accepted shape, their edges, and garbage around them (fixed cases plus generated ones).
 */
import fc from "fast-check";
import { formatWallTime } from "../../lib/schema/event_time.ts";

/** Zones the translations are checked in: offsets of every kind, DST rules north and south. */
export const CHECK_ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/Sao_Paulo",
];

/** The inputs: fixed cases, then `count` generated ones drawn with `seed`. */
export function eventTimeInputs(seed: number, count = 3000): string[] {
  const fixed = [
    "2026-11-26T10:15:30.123Z",
    "2026-11-26t10:15:30.123z",
    "2026-11-26 10:15:30.123Z",
    "2026-11-26T10:15:30Z",
    "2026-11-26T10:15:30.1Z",
    "2026-11-26T10:15:30.123456789Z",
    "2026-11-26T10:15:30.1234567890Z",
    "2026-11-26T15:45:30.123+05:30",
    "2026-11-26T15:45:30.123+0530",
    "2026-11-26T05:15:30.123-05:00",
    "2026-11-26T10:15:30+24:00",
    "2026-11-26T10:15:30+05:60",
    "2026-11-26 10:15:30",
    "2026-11-26T10:15:30",
    "2026-10-25 02:30:00",
    "2026-03-29 02:30:00",
    "2026-11-01 01:30:00",
    "2026-03-08 02:30:00",
    "2026-04-05 01:45:00",
    "2024-02-29 00:00:00",
    "2026-02-29 00:00:00",
    "1900-02-29 00:00:00",
    "2000-02-29 00:00:00",
    "2026-04-31 00:00:00",
    "2026-11-26 24:00:00",
    "2026-11-26 23:60:00",
    "2026-11-26 23:59:60",
    "0000-06-01 00:00:00",
    "0001-01-01 00:00:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+00:01",
    "9999-12-31T23:59:59.999Z",
    "9999-12-31T23:59:59-00:01",
    "9999-12-31 23:59:59",
    "1795688130123",
    "-1795688130123",
    "1795688130123.0",
    "1795688130123.5",
    "1700000000000.0",
    "1.7e12",
    "1e400",
    "-0.0",
    "0012",
    " 12",
    "12 ",
    "0x1A",
    "1_000",
    "253402300799999",
    "253402300800000",
    "-62135596800000",
    "-62135596800001",
    "",
    " ",
    "now",
    "true",
    '{"a":1}',
    "2026-11-26",
    "10:15:30",
    "2026-11-26T10:15Z",
    "2026-11-26T10:15:30.Z",
    "26/11/2026 10:15:30",
    " 2026-11-26T10:15:30Z",
    "2026-11-26T10:15:30Z ",
    "2026-11-26T10:15:30Z\n",
    "2026-11-26T10:15:30.123Z\n",
    "+2026-11-26T10:15:30Z",
    "２０２６-11-26T10:15:30Z",
  ];
  const instant = fc.integer({ min: Date.UTC(1890, 0, 1), max: Date.UTC(2110, 0, 1) });
  const zones = fc.constantFrom("UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York");
  const mutated = fc.tuple(
    instant,
    fc.array(fc.tuple(fc.nat(25), fc.constantFrom(..."0129:-.TZ +x")), {
      maxLength: 3,
    }),
  ).map(([t, edits]) => {
    const chars = [...new Date(t).toISOString()];
    for (const [i, c] of edits) chars[i] = c;
    return chars.join("");
  });
  const walls = fc.tuple(instant, zones, fc.constantFrom("", ".5", ".123", ".123456")).map((
    [t, zone, fraction],
  ) => formatWallTime(t, zone) + fraction);
  const offsets = fc.tuple(instant, fc.integer({ min: -1439, max: 1439 })).map(([t, m]) => {
    const sign = m < 0 ? "-" : "+";
    const a = Math.abs(m);
    return new Date(t).toISOString().slice(0, 19) + sign +
      String(Math.floor(a / 60)).padStart(2, "0") + ":" + String(a % 60).padStart(2, "0");
  });
  const numbers = fc.oneof(
    fc.integer({ min: -9e15, max: 9e15 }).map(String),
    fc.double({ noNaN: true }).map(String),
  );
  const generated = fc.sample(
    fc.oneof(mutated, walls, offsets, numbers, fc.string({ maxLength: 30 })),
    { numRuns: count, seed },
  );
  return [...fixed, ...generated];
}
