/**
 * Real-time state stays bounded and safe on a stream without end: future events, final windows,
 * delivery state, snapshots (pure aggregator, injected clock).
 */
import assert from "node:assert/strict";
import { createAggregator, LIVE_DEFAULTS } from "../../lib/realtime/mod.ts";
import { click, delivery, order } from "./_events.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

Deno.test("an event an hour ahead of the clock counts as future and leaves the watermark alone", () => {
  let now = Date.parse("2026-11-26T10:00:00Z");
  const agg = createAggregator({ lateness: 5 * MIN, maxFuture: 15 * MIN, now: () => now });
  assert.equal(agg.add("orders", order("2026-11-26T09:59:00.000Z")), "accepted");
  assert.equal(agg.add("orders", order("2026-11-26T11:00:00.000Z")), "future");
  // Within the allowed skew it is an event like any other.
  assert.equal(agg.add("orders", order("2026-11-26T10:14:00.000Z")), "accepted");
  // A quiet spell later, events of the present are not late.
  now += 20 * MIN;
  assert.equal(agg.add("orders", order("2026-11-26T10:19:00.000Z")), "accepted");
  const snap = agg.snapshot();
  assert.equal(snap.watermark, "2026-11-26T10:14:00.000Z");
  assert.equal(snap.maxEventTime, "2026-11-26T10:19:00.000Z");
  assert.deepEqual([snap.totals.future, snap.topics.orders.future, snap.totals.late], [1, 1, 0]);
  assert.equal(snap.orders.orders, 3);
  // Once the clock has caught up, that time is the present.
  now = Date.parse("2026-11-26T10:50:00Z");
  assert.equal(agg.add("orders", order("2026-11-26T11:00:00.000Z")), "accepted");
  // Without the check (a replay), the same event moves the watermark for good.
  const replay = createAggregator({ lateness: 5 * MIN });
  replay.add("orders", order("2026-11-26T11:00:00.000Z"));
  assert.equal(replay.add("orders", order("2026-11-26T10:19:00.000Z")), "late");
});

Deno.test("a replay measures the future from each record's Kafka timestamp, never the wall clock", () => {
  const written = Date.parse("2026-11-26T10:00:00Z");
  const agg = createAggregator({
    lateness: 5 * MIN,
    maxFuture: 15 * MIN,
    futureClock: "record",
    now: () => assert.fail("a replay read the wall clock"),
  });
  const line = (e: Record<string, unknown>) => JSON.stringify(e);
  // Written at 10:00 and dated 9999, or an hour later: a wrong clock (our format and the
  // original producers' wall-clock times alike).
  assert.equal(
    agg.addLine("orders", line(order("9999-12-31T23:59:59.999Z")), "", written),
    "future",
  );
  assert.equal(agg.addLine("orders", line(order("2026-11-26T11:00:00Z")), "", written), "future");
  const original = { order_id: "order_7", user_id: "user_1", timestamp: "9999-12-31 23:59:59" };
  assert.equal(
    agg.addLine("orders", line({ ...original, items: [], total_amount: 1 }), "", written),
    "future",
  );
  // Within the skew, or written when it happened, however long after the wall clock: accepted.
  assert.equal(agg.addLine("orders", line(order("2026-11-26T10:15:00Z")), "", written), "accepted");
  const later = Date.parse("2126-01-01T00:00:00Z");
  assert.equal(agg.addLine("orders", line(order(iso(later))), "", later), "accepted");
  // No timestamp to compare with (Kafka's -1, none read, 0, a value that is no time): no check.
  for (const none of [-1, 0, NaN, undefined]) {
    assert.equal(agg.addLine("orders", line(order(iso(later + 1))), "", none), "accepted");
  }
  const snap = agg.snapshot();
  assert.deepEqual([snap.totals.future, snap.totals.accepted, snap.totals.late], [3, 6, 0]);
  assert.equal(snap.maxEventTime, iso(later + 1));
  assert.equal(snap.options.futureClock, "record");
  // The same records against the wall clock (a live run at 10:00): the far one is future too.
  const live = createAggregator({ maxFuture: 15 * MIN, now: () => written });
  assert.equal(live.addLine("orders", line(order(iso(later))), "", later), "future");
  assert.throws(
    () => createAggregator({ futureClock: "kafka" as "record" }),
    /futureClock must be "wall" or "record", got kafka/,
  );
});

Deno.test("a snapshot never throws: silent sources, no events, far-off times", () => {
  const agg = createAggregator();
  assert.equal(agg.snapshot().watermark, null);
  agg.expectSources(["orders/0", "orders/1"]);
  agg.add("orders", order("2026-11-26T10:00:00.000Z"), "orders/0");
  // orders/1 has said nothing: the watermark is not known yet, the max event time is.
  const snap = agg.snapshot();
  assert.equal(snap.watermark, null);
  assert.equal(snap.maxEventTime, "2026-11-26T10:00:00.000Z");
  agg.add("clickstream", click("0001-01-01T00:00:00.000Z"), "clickstream/0");
  agg.add("clickstream", click("9999-12-31T23:59:59.999Z"), "clickstream/0");
  assert.doesNotThrow(() => JSON.stringify(agg.snapshot()));
});

Deno.test("with retention, final windows are dropped: a day of events holds an hour of windows", () => {
  const agg = createAggregator({ lateness: MIN, retention: HOUR });
  const t0 = Date.parse("2026-11-26T00:00:00Z");
  let most = 0;
  for (let i = 0; i < 24 * 60 * 6; i++) {
    agg.add("clickstream", click(iso(t0 + i * 10_000), { user_id: `u${i % 50}` }));
    if (i % 600 === 0) most = Math.max(most, agg.snapshot().memory.closedWindows);
  }
  const snap = agg.snapshot();
  // The windows of the last hour (plus the open ones), nothing older.
  assert.ok(most <= 2 * 70, `kept ${most} final windows`);
  const first = Date.parse(snap.windows.events[0].window);
  assert.ok(first >= t0 + 23 * HOUR - 2 * MIN, snap.windows.events[0].window);
  assert.equal(snap.windows.events.at(-1)!.window, "2026-11-26T23:59:00.000Z");
  // The counts are not windows: they cover the whole day.
  assert.equal(snap.totals.accepted, 24 * 60 * 6);
});

Deno.test("delivery state is final once the watermark passes it, and gone past the horizon", () => {
  const agg = createAggregator({ lateness: MIN, deliveryHorizon: 24 * HOUR });
  const t0 = Date.parse("2026-11-26T00:00:00Z");
  let most = 0;
  // Three days: an order every minute, picked up at once and delivered 30 min later; every
  // tenth order is never delivered (it must not stay in memory).
  for (let i = 0; i < 3 * 24 * 60; i++) {
    const t = t0 + i * MIN;
    agg.add("delivery-status", delivery(iso(t), { order_id: `o${i}`, status: "picked_up" }));
    if (i >= 30 && (i - 30) % 10 !== 0) {
      agg.add("delivery-status", delivery(iso(t), { order_id: `o${i - 30}`, status: "delivered" }));
    }
    if (i % 60 === 0) {
      const m = agg.snapshot().memory;
      most = Math.max(most, m.deliveries + m.timedDeliveries);
    }
  }
  const memory = agg.snapshot().memory;
  // Waiting orders: the last half hour's plus the undelivered ones of the last day.
  assert.ok(memory.deliveries <= 30 + 24 * 6 + 2, `${memory.deliveries} waiting`);
  // Final times: a day's worth (the horizon), not three.
  assert.ok(memory.timedDeliveries <= 24 * 60, `${memory.timedDeliveries} final times`);
  assert.ok(most <= 24 * 60 + 30 + 24 * 6 + 10, `at most ${most}`);
  const france = agg.snapshot().deliveries.countries[0];
  assert.deepEqual([france.p50Minutes, france.p90Minutes], [30, 30]);
  // Timed: the final ones plus those of the last minute, whose time is known but not final.
  assert.ok(france.timed >= memory.timedDeliveries && france.timed <= memory.timedDeliveries + 2);
});

Deno.test("the live bounds are set and a replay keeps everything", () => {
  const replay = createAggregator();
  assert.deepEqual(
    [replay.options.maxFuture, replay.options.retention, replay.options.deliveryHorizon],
    [0, 0, 0],
  );
  const live = createAggregator({ ...LIVE_DEFAULTS });
  assert.deepEqual(
    [live.options.maxFuture, live.options.retention, live.options.deliveryHorizon],
    [15 * MIN, HOUR, 7 * 24 * HOUR],
  );
  assert.throws(() => createAggregator({ maxFuture: -1 }), /maxFuture/);
});
