/**
 * What snapshots keep between calls (rows of closed windows, funnel counts moved as sessions
 * gain steps, a top-N kept in one pass) never changes what they show: snapshots taken along a
 * stream equal a fresh aggregator's single snapshot of the same prefix, through window drops,
 * forgotten and returning sessions, late events and the original producers' records.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type AggregatorOptions, createAggregator } from "../../lib/realtime/aggregator.ts";
import { topN } from "../../lib/realtime/topn.ts";
import { simulate } from "../../lib/simulate/mod.ts";

const START = new Date("2026-11-20T00:00:00.000Z");

function alongTheWay(format: "v1" | "original", options: AggregatorOptions, every: number) {
  const zone = options.eventTimeZone ?? "UTC";
  const records = [...simulate({ seed: 7, events: 6_000, start: START, format, zone })];
  const live = createAggregator(options);
  let compared = 0;
  for (let i = 0; i < records.length; i++) {
    live.addLine(records[i].topic, records[i].value);
    if (i % every !== every - 1 && i !== records.length - 1) continue;
    const fresh = createAggregator(options);
    for (let j = 0; j <= i; j++) fresh.addLine(records[j].topic, records[j].value);
    assert.deepEqual(live.snapshot(), fresh.snapshot(), `after ${i + 1} records`);
    compared++;
  }
  return compared;
}

Deno.test("snapshots along a stream equal a fresh snapshot of the same prefix (v1, bounded)", () => {
  const options = {
    retention: 600_000,
    deliveryHorizon: 3_600_000,
    sessionTimeout: 120_000,
    lateness: 60_000,
  };
  assert.ok(alongTheWay("v1", options, 500) >= 12);
  assert.ok(alongTheWay("v1", {}, 1_500) >= 4);
});

Deno.test("snapshots along a stream equal a fresh snapshot (original records, Berlin time)", () => {
  const options = { eventTimeZone: "Europe/Berlin", retention: 900_000, slidingWindow: 180_000 };
  assert.ok(alongTheWay("original", options, 700) >= 8);
});

Deno.test("property: topN equals sorting every count (count descending, then key)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 4 })), {
        maxLength: 200,
      }),
      fc.integer({ min: 1, max: 40 }),
      (entries, n) => {
        const counts = new Map(entries);
        const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, n).map(([key, count]) => ({ key, count }));
        assert.deepEqual(topN(counts, n), sorted);
      },
    ),
    { seed: 20261127, numRuns: 2000 },
  );
});
