import assert from "node:assert/strict";
import { createAggregator } from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { type Arrival, batchMetrics, comparable } from "./_batch.ts";

Deno.test("streaming aggregates equal DuckDB's batch over a faulty simulated stream", async () => {
  const records = [...simulate({
    seed: 5,
    events: 6000,
    faults: "heavy",
    start: new Date("2026-11-26T00:00:00Z"),
    span: 24 * 3600_000,
  })];
  const agg = createAggregator({ lateness: 2 * 60_000 });
  const arrivals: Arrival[] = [];
  for (const r of records) {
    agg.addLine(r.topic, r.value);
    arrivals.push({ topic: r.topic, line: r.value });
  }
  const snap = agg.snapshot();
  // The stream has every kind of fault, and the batch must see the same ones.
  for (const k of ["malformed", "late", "duplicates", "nullFields"] as const) {
    assert.ok(snap.totals[k] > 0, `no ${k} in the stream`);
  }
  assert.ok(snap.deliveries.countries.some((c) => c.timed > 0), "no timed deliveries");
  assert.deepEqual(comparable(snap), await batchMetrics(arrivals, agg.options));
});
