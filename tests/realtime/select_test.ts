/** selectSnapshot: a part of a snapshot by topic and event-time range, the aggregator untouched. */
import assert from "node:assert/strict";
import { createAggregator, selectSnapshot, type Snapshot } from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";

const START = new Date("2026-11-26T00:00:00.000Z");

function history(): Snapshot {
  const agg = createAggregator();
  for (const r of simulate({ seed: 3, events: 4000, start: START, span: 3 * 3600_000 })) {
    agg.addLine(r.topic, r.value);
  }
  return agg.snapshot();
}

Deno.test("selecting every topic and no range gives the snapshot back", () => {
  const snap = history();
  assert.deepEqual(selectSnapshot(snap), snap);
  assert.deepEqual(
    selectSnapshot(snap, { topics: ["clickstream", "orders", "user-profiles", "delivery-status"] }),
    snap,
  );
});

Deno.test("a topic selection keeps that topic's metrics and sums its counts", () => {
  const snap = history();
  const orders = selectSnapshot(snap, { topics: ["orders"] });
  assert.deepEqual(orders.totals, snap.topics.orders);
  assert.ok(orders.windows.events.length > 0);
  assert.ok(orders.windows.events.every((e) => e.topic === "orders"));
  assert.deepEqual(orders.windows.revenue, snap.windows.revenue);
  assert.deepEqual(orders.orders, snap.orders);
  assert.deepEqual(orders.windows.clicks, []);
  assert.deepEqual(orders.funnel, []);
  assert.deepEqual(orders.deliveries, { byStatus: [], countries: [] });
  // Units ordered come from the orders topic; views and add-to-cart from the clickstream.
  assert.ok(snap.topProducts.ordered.length > 0);
  assert.deepEqual(orders.topProducts, {
    views: [],
    addToCart: [],
    ordered: snap.topProducts.ordered,
  });
  assert.ok(orders.lateEvents.every((e) => e.topic === "orders"));

  const two = selectSnapshot(snap, { topics: ["clickstream", "delivery-status"] });
  assert.equal(
    two.totals.accepted,
    snap.topics.clickstream.accepted + snap.topics["delivery-status"].accepted,
  );
  assert.deepEqual(two.funnel, snap.funnel);
  assert.deepEqual(two.deliveries, snap.deliveries);
  assert.equal(two.orders.orders, 0);
  assert.deepEqual(two.windows.revenue, []);
  // The snapshot itself is untouched.
  assert.deepEqual(snap, history());
});

Deno.test("a time range keeps the windows overlapping it, and only windowed metrics", () => {
  const snap = history();
  const from = Date.parse("2026-11-26T01:00:30.000Z"); // inside the 01:00 window
  const to = Date.parse("2026-11-26T01:30:00.000Z"); // the 01:30 window starts at `to`: out
  const part = selectSnapshot(snap, { from, to });
  const starts = [...new Set(part.windows.events.map((e) => e.window))];
  assert.equal(starts[0], "2026-11-26T01:00:00.000Z");
  assert.equal(starts.at(-1), "2026-11-26T01:29:00.000Z");
  assert.equal(starts.length, 30);
  assert.deepEqual(
    part.windows.events,
    snap.windows.events.filter((e) => e.window >= starts[0] && e.window <= starts.at(-1)!),
  );
  assert.ok(
    part.windows.revenue.every((r) => r.window >= starts[0] && r.window < "2026-11-26T01:30"),
  );
  // Sliding windows (5 min) overlap from 4 minutes earlier.
  assert.equal(part.windows.activeUsers[0].window, "2026-11-26T00:56:00.000Z");
  // Cumulative metrics have no time: unchanged.
  assert.deepEqual(part.funnel, snap.funnel);
  assert.deepEqual(part.totals, snap.totals);
  assert.deepEqual(part.deliveries, snap.deliveries);
  // An open end.
  const last = snap.windows.activity.at(-1)!.window;
  assert.deepEqual(
    selectSnapshot(snap, { from: Date.parse(last) + 1000 }).windows.activity,
    [snap.windows.activity.at(-1)],
  );
  assert.deepEqual(selectSnapshot(snap, { to: START.getTime() }).windows.events, []);
});

Deno.test("counts a later version adds (future) are summed per topic too", () => {
  const snap = history();
  const withFuture = {
    ...snap,
    totals: { ...snap.totals, future: 5 },
    topics: Object.fromEntries(
      Object.entries(snap.topics).map(([t, c], i) => [t, { ...c, future: i + 1 }]),
    ),
  } as unknown as Snapshot;
  const part = selectSnapshot(withFuture, { topics: ["orders", "delivery-status"] });
  assert.equal((part.totals as unknown as Record<string, number>).future, 2 + 4);
});
