import assert from "node:assert/strict";
import { type Aggregator, createAggregator } from "../../lib/realtime/mod.ts";
import { type SimRecord, simulate } from "../../lib/simulate/mod.ts";
import { type Arrival, batchMetrics, comparable } from "./_batch.ts";

/** Adds `records` to `agg` in their order; returns them as the batch computation reads them. */
function fed(agg: Aggregator, records: readonly SimRecord[]): Arrival[] {
  return records.map((r) => {
    agg.addLine(r.topic, r.value);
    return { topic: r.topic, line: r.value };
  });
}

Deno.test("streaming aggregates equal DuckDB's batch over a faulty simulated stream", async () => {
  const records = [...simulate({
    seed: 5,
    events: 6000,
    faults: "heavy",
    start: new Date("2026-11-26T00:00:00Z"),
    span: 24 * 3600_000,
  })];
  const agg = createAggregator({ lateness: 2 * 60_000 });
  const arrivals = fed(agg, records);
  const snap = agg.snapshot();
  // The stream has every kind of fault, and the batch must see the same ones.
  for (const k of ["malformed", "late", "duplicates", "nullFields"] as const) {
    assert.ok(snap.totals[k] > 0, `no ${k} in the stream`);
  }
  assert.ok(snap.deliveries.countries.some((c) => c.timed > 0), "no timed deliveries");
  assert.deepEqual(comparable(snap), await batchMetrics(arrivals, agg.options));
});

Deno.test("streaming aggregates equal DuckDB's batch over the original producers' records mixed with ours", async () => {
  const zone = "America/New_York";
  const start = new Date("2026-11-26T00:00:00Z");
  const ours = [
    ...simulate({ seed: 6, events: 3000, faults: "heavy", start, span: 24 * 3600_000 }),
  ];
  const original = [...simulate({
    seed: 6,
    events: 4000,
    faults: "heavy",
    start,
    span: 24 * 3600_000,
    format: "original",
    zone,
  })];
  // Interleaved in emission order, as two producers writing to the same topics would be.
  const records = [
    ...ours.map((r, i) => ({ r, at: i / ours.length })),
    ...original.map((r, i) => ({ r, at: i / original.length })),
  ].sort((a, b) => a.at - b.at).map(({ r }) => r);
  const agg = createAggregator({ lateness: 2 * 60_000, eventTimeZone: zone });
  const arrivals = fed(agg, records);
  const snap = agg.snapshot();
  for (const k of ["malformed", "late", "duplicates", "nullFields"] as const) {
    assert.ok(snap.totals[k] > 0, `no ${k} in the stream`);
  }
  // Every valid original record is accepted (none is malformed for lack of an event_id).
  const accepted = snap.totals.accepted + snap.totals.duplicates + snap.totals.late;
  const valid = records.filter((r) => {
    try {
      return typeof JSON.parse(r.value) === "object";
    } catch {
      return false;
    }
  }).length;
  assert.equal(accepted, valid);
  assert.ok(snap.windows.activity.some((a) => (a.sessions ?? 0) > 0));
  assert.deepEqual(comparable(snap), await batchMetrics(arrivals, agg.options));
});

Deno.test("streaming activity equals DuckDB's batch with windows of several panes and events out of order", async () => {
  // Panes of 30 s: tumbling windows of four panes, sliding windows of three; a lateness of ten
  // minutes accepts events far out of order, so a user or session comes back to panes before
  // the one it was last seen in (what the activity sets' skips must get right).
  const records = [...simulate({
    seed: 8,
    events: 6000,
    faults: "heavy",
    start: new Date("2026-11-26T00:00:00Z"),
    span: 3 * 3600_000,
  })];
  const shuffled = records.map((r, i) => ({ r, at: i + (i * 7919 % 13) * 15 }))
    .sort((a, b) => a.at - b.at).map(({ r }) => r);
  const agg = createAggregator({
    window: 120_000,
    slide: 30_000,
    slidingWindow: 90_000,
    lateness: 600_000,
  });
  const arrivals = fed(agg, shuffled);
  const snap = agg.snapshot();
  assert.ok(snap.totals.accepted > 5000 && snap.windows.activeUsers.length > 300);
  assert.deepEqual(comparable(snap), await batchMetrics(arrivals, agg.options));
});
