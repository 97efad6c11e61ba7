import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { createAggregator, MALFORMED_REASONS, type Snapshot } from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { click, delivery, order } from "./_events.ts";

const MIN = 60_000;

Deno.test("malformed records are counted and skipped, never a crash", () => {
  const agg = createAggregator();
  const bad = [
    "{'event': 'click'}", // a Python dict
    '{"event_id":"x","user_id":"u","timestamp":"2026-11-26T10:0', // truncated
    "null",
    "[1,2]",
    JSON.stringify({ event_id: "x", timestamp: "2026-11-26T10:00:00.000Z" }), // no key
    JSON.stringify({ event_id: "x", user_id: "u", timestamp: "yesterday" }),
    JSON.stringify({ event_id: "x", user_id: "u", timestamp: "2026-02-30 10:00:00" }),
    JSON.stringify({ event_id: "x", user_id: "u", timestamp: null }),
    JSON.stringify({ event_id: 7, user_id: "u", timestamp: "2026-11-26T10:00:00.000Z" }),
  ];
  for (const line of bad) assert.equal(agg.addLine("clickstream", line), "malformed");
  assert.equal(agg.addLine("orders", null), "malformed");
  const snap = agg.snapshot();
  assert.equal(snap.totals.malformed, bad.length + 1);
  assert.equal(snap.totals.accepted, 0);
  assert.equal(snap.watermark, null);
  // Each counted with its reason.
  const R = MALFORMED_REASONS;
  assert.deepEqual(snap.malformedReasons, [
    { topic: "clickstream", reason: R.notJson, count: 2 },
    { topic: "clickstream", reason: R.notObject, count: 2 },
    { topic: "clickstream", reason: R.badTimestamp, count: 2 },
    { topic: "clickstream", reason: R.badEventId, count: 1 },
    { topic: "clickstream", reason: R.noTimestamp, count: 1 },
    { topic: "clickstream", reason: R.noUserId, count: 1 },
    { topic: "orders", reason: R.noValue, count: 1 },
  ]);
});

Deno.test("the original producers' records are accepted: wall-clock times in the zone, identity by content", () => {
  const v0 = (ts: string, extra = "") =>
    `{"event": "click", "user_id": "user_7", "timestamp": "${ts}", "page": "home_page", ` +
    `"referrer": "direct", "device": "tablet"${extra}}`;
  const agg = createAggregator({ lateness: 5 * MIN, eventTimeZone: "Asia/Kolkata" });
  assert.equal(agg.addLine("clickstream", v0("2026-11-26 15:45:30")), "accepted");
  // The same record again, with other spacing and key order: a duplicate by content.
  const same = JSON.stringify(Object.fromEntries(
    Object.entries(JSON.parse(v0("2026-11-26 15:45:30"))).reverse(),
  ));
  assert.equal(agg.addLine("clickstream", same), "duplicate");
  assert.equal(agg.addLine("clickstream", v0("2026-11-26 15:45:31")), "accepted");
  assert.equal(agg.addLine("clickstream", v0("2026-11-26 15:45:31", ', "x": 1')), "accepted");
  // Epoch ms and offsets are event times too.
  assert.equal(agg.addLine("clickstream", v0("2026-11-26T10:16:00Z")), "accepted");
  assert.equal(
    agg.add("clickstream", { ...JSON.parse(v0("")), timestamp: 1795688190000 }),
    "accepted",
  );
  const snap = agg.snapshot();
  // 15:45:30 in Kolkata is 10:15:30 UTC.
  assert.deepEqual(snap.windows.events.map((w) => w.window), [
    "2026-11-26T10:15:00.000Z",
    "2026-11-26T10:16:00.000Z",
  ]);
  assert.equal(snap.options.eventTimeZone, "Asia/Kolkata");
  // No session_id or product_id in these records: those metrics are not available.
  assert.deepEqual(snap.available, { sessions: false, funnel: false, productViews: false });
  assert.deepEqual(snap.funnel, []);
  assert.ok(snap.windows.activity.every((a) => a.sessions === null && a.users === 1));
  assert.deepEqual(snap.windows.clicks.map((c) => c.device), ["tablet", "tablet"]);
  assert.throws(() => createAggregator({ eventTimeZone: "+05:30" }), UsageError);
});

Deno.test("top products by units ordered fill from orders of either format", () => {
  const agg = createAggregator();
  const v0 = (n: number, status: string, items: string) =>
    `{"order_id": "order_${n}", "user_id": "user_1", "timestamp": "2026-11-26 10:00:0${n}", ` +
    `"items": [${items}], "total_amount": 10.0, "payment_method": "paypal", "status": "${status}"}`;
  const item = (p: number, q: number) =>
    `{"product_id": "prod_${p}", "quantity": ${q}, "price": 5.0}`;
  agg.addLine("orders", v0(1, "completed", `${item(1, 2)}, ${item(2, 1)}`));
  agg.addLine("orders", v0(2, "pending", item(2, 3)));
  agg.addLine("orders", v0(3, "canceled", item(3, 5)));
  const snap = agg.snapshot();
  assert.deepEqual(snap.topProducts.ordered, [
    { product_id: "prod_2", count: 4 },
    { product_id: "prod_1", count: 2 },
  ]);
  assert.equal(snap.orders.revenue, 20);
});

Deno.test("events later than the allowed lateness are counted and reported, not added", () => {
  const agg = createAggregator({ lateness: 5 * MIN });
  assert.equal(agg.add("orders", order("2026-11-26T10:10:00.000Z")), "accepted");
  const late = order("2026-11-26T10:04:59.999Z");
  assert.equal(agg.add("orders", late), "late");
  // Exactly at the watermark is on time, however late it arrives.
  assert.equal(agg.add("orders", order("2026-11-26T10:05:00.000Z")), "accepted");
  const snap = agg.snapshot();
  assert.equal(snap.watermark, "2026-11-26T10:05:00.000Z");
  assert.equal(snap.topics.orders.late, 1);
  assert.deepEqual(snap.lateEvents, [{
    topic: "orders",
    event_id: late.event_id,
    timestamp: "2026-11-26T10:04:59.999Z",
    watermark: "2026-11-26T10:05:00.000Z",
  }]);
  assert.deepEqual(snap.windows.revenue.map((r) => [r.window, r.orders]), [
    ["2026-11-26T10:05:00.000Z", 1],
    ["2026-11-26T10:10:00.000Z", 1],
  ]);
  assert.equal(snap.orders.orders, 2);
});

Deno.test("a duplicate event_id is counted once; a copy arriving after the watermark passed it is late", () => {
  const agg = createAggregator({ lateness: MIN });
  const first = order("2026-11-26T10:00:00.000Z", { total_amount: 25.5 });
  assert.equal(agg.add("orders", first), "accepted");
  assert.equal(agg.add("orders", { ...first }), "duplicate");
  assert.equal(agg.addLine("orders", JSON.stringify(first)), "duplicate");
  agg.add("orders", order("2026-11-26T10:30:00.000Z"));
  // The id is forgotten (bounded memory); its copy is now before the watermark.
  assert.equal(agg.add("orders", { ...first }), "late");
  const snap = agg.snapshot();
  assert.equal(snap.topics.orders.duplicates, 2);
  assert.equal(snap.topics.orders.late, 1);
  assert.equal(snap.orders.orders, 2);
  assert.equal(snap.orders.revenue, 35.5);
  assert.equal(snap.memory.eventIds, 1);
});

Deno.test("out-of-order events within the lateness give the same aggregates as in order", () => {
  const start = new Date("2026-11-26T10:00:00Z");
  const records = [
    ...simulate({ seed: 3, events: 3000, faults: "none", start, span: 2 * 3600_000 }),
  ]
    .map((r) => ({ ...r }));
  const sorted = [...records].sort((a, b) => a.timestamp - b.timestamp);
  // A deterministic shuffle within blocks of 50 records (a few minutes of event time).
  const shuffled = sorted.map((r, i) => ({ r, k: Math.floor(i / 50) * 1000 + ((i * 7919) % 50) }))
    .sort((a, b) => a.k - b.k).map((x) => x.r);
  const run = (list: typeof records): Snapshot => {
    const agg = createAggregator({ lateness: 3600_000 });
    for (const r of list) assert.equal(agg.addLine(r.topic, r.value), "accepted");
    return agg.snapshot();
  };
  const a = run(sorted), b = run(shuffled);
  assert.notDeepEqual(shuffled.map((r) => r.value), sorted.map((r) => r.value));
  const metrics = (s: Snapshot) => ({ ...s, lateEvents: [], memory: null });
  assert.deepEqual(metrics(b), metrics(a));
  assert.ok(a.funnel[4].sessions > 0 && a.windows.activeUsers.length > 0);
});

Deno.test("null fields are kept, grouped as unknown or left out of the one metric that needs them", () => {
  const agg = createAggregator();
  agg.add("clickstream", click("2026-11-26T10:00:01.000Z", { device: null }));
  agg.add("clickstream", click("2026-11-26T10:00:02.000Z", { event: null, page: null }));
  agg.add("orders", order("2026-11-26T10:00:03.000Z", { total_amount: null }));
  agg.add("orders", order("2026-11-26T10:00:04.000Z", { status: null }));
  agg.add(
    "orders",
    order("2026-11-26T10:00:05.000Z", { payment_method: null, total_amount: 12.34 }),
  );
  agg.add("delivery-status", delivery("2026-11-26T10:00:06.000Z", { current_location: null }));
  agg.add("delivery-status", delivery("2026-11-26T10:00:07.000Z", { current_location: "Lyon" }));
  const snap = agg.snapshot();
  assert.equal(snap.totals.accepted, 7);
  assert.equal(snap.totals.nullFields, 6);
  assert.deepEqual(snap.windows.clicks.map((c) => [c.event, c.device, c.events]), [
    ["page_view", "unknown", 1],
    ["unknown", "mobile", 1],
  ]);
  assert.deepEqual(snap.orders.byStatus.map((r) => [r.status, r.payment_method, r.orders]), [
    ["completed", "paypal", 1],
    ["completed", "unknown", 1],
    ["unknown", "paypal", 1],
  ]);
  assert.equal(snap.orders.orders, 3);
  assert.equal(snap.orders.revenueOrders, 1);
  assert.equal(snap.orders.revenue, 12.34);
  assert.deepEqual(snap.deliveries.byStatus, [
    { country: "unknown", status: "picked_up", events: 2 },
  ]);
  // The page_view with no device still starts the funnel; the event-less one marks no step.
  assert.equal(snap.funnel[0].reached, 1);
});

Deno.test("window boundaries: 10:01:00.000 counts in [10:01, 10:02), 10:00:59.999 in [10:00, 10:01)", () => {
  const agg = createAggregator();
  agg.add("orders", order("2026-11-26T10:00:59.999Z", { total_amount: 1 }));
  agg.add("orders", order("2026-11-26T10:01:00.000Z", { total_amount: 2 }));
  agg.add("clickstream", click("2026-11-26T10:01:00.000Z", { user_id: "a" }));
  agg.add("clickstream", click("2026-11-26T10:01:59.999Z", { user_id: "b" }));
  agg.add("clickstream", click("2026-11-26T10:02:00.000Z", { user_id: "c" }));
  const snap = agg.snapshot();
  assert.deepEqual(snap.windows.revenue.map((r) => [r.window.slice(11, 23), r.revenue]), [
    ["10:00:00.000", 1],
    ["10:01:00.000", 2],
  ]);
  assert.deepEqual(snap.windows.activity.map((r) => [r.window.slice(11, 16), r.users]), [
    ["10:01", 2],
    ["10:02", 1],
  ]);
});

Deno.test("the funnel follows each session from page_view to order, strictly and by step", () => {
  const agg = createAggregator();
  const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, s)).toISOString();
  agg.add("clickstream", click(at(1), { session_id: "A" }));
  agg.add("clickstream", click(at(2), { session_id: "A", event: "click", page: "product_page" }));
  agg.add(
    "clickstream",
    click(at(3), { session_id: "A", event: "add_to_cart", page: "product_page", product_id: "p1" }),
  );
  agg.add(
    "clickstream",
    click(at(4), { session_id: "A", event: "checkout", page: "checkout_page" }),
  );
  agg.add("orders", order(at(5), { session_id: "A" }));
  // B skips the page_view: it reaches add_to_cart but is not in the strict funnel.
  agg.add(
    "clickstream",
    click(at(6), { session_id: "B", event: "add_to_cart", page: "product_page", product_id: "p1" }),
  );
  agg.add("clickstream", click(at(7), { session_id: "C" }));
  agg.add("clickstream", click(at(8), { session_id: null }));
  const funnel = agg.snapshot().funnel;
  assert.deepEqual(funnel.map((f) => [f.step, f.sessions, f.reached]), [
    ["page_view", 2, 2],
    ["product_page", 1, 2],
    ["add_to_cart", 1, 2],
    ["checkout", 1, 1],
    ["order", 1, 1],
  ]);
  assert.equal(funnel[4].conversion, 0.5);
  assert.deepEqual(agg.snapshot().topProducts.addToCart, [{ product_id: "p1", count: 2 }]);
});

Deno.test("sessions idle past the timeout are folded into the funnel and leave memory", () => {
  const agg = createAggregator({ lateness: MIN, sessionTimeout: 10 * MIN });
  agg.add("clickstream", click("2026-11-26T10:00:00.000Z", { session_id: "old" }));
  agg.add("clickstream", click("2026-11-26T11:00:00.000Z", { session_id: "new" }));
  const snap = agg.snapshot();
  assert.equal(snap.memory.sessions, 1);
  assert.equal(snap.funnel[0].sessions, 2);
});

Deno.test("delivery rates and times are per country, times from picked_up to delivered", () => {
  const agg = createAggregator({ lateness: 24 * 3600_000 });
  const d = (iso: string, order_id: string, status: string, where = "Paris, France") =>
    agg.add("delivery-status", delivery(iso, { order_id, status, current_location: where }));
  d("2026-11-26T10:00:00.000Z", "o1", "picked_up");
  d("2026-11-26T12:00:00.000Z", "o1", "delivered");
  d("2026-11-26T10:00:00.000Z", "o2", "picked_up");
  d("2026-11-26T10:30:00.000Z", "o2", "delivered");
  d("2026-11-26T09:00:00.000Z", "o3", "failed", "Berlin, Germany");
  // A delivered event that arrives before its picked_up (out of order) still times the order.
  d("2026-11-26T15:00:00.000Z", "o4", "delivered", "Paris, France");
  d("2026-11-26T11:00:00.000Z", "o4", "picked_up");
  d("2026-11-26T11:00:00.000Z", "o5", "returned");
  const countries = agg.snapshot().deliveries.countries;
  assert.deepEqual(countries.map((c) => c.country), ["France", "Germany"]);
  const [fr, de] = countries;
  assert.deepEqual(
    [fr.events, fr.delivered, fr.returned, fr.timed, fr.p50Minutes, fr.p90Minutes],
    [7, 3, 1, 3, 120, 240],
  );
  assert.equal(fr.deliveredRate, 0.75);
  assert.equal(fr.returnedRate, 0.25);
  assert.deepEqual([de.failed, de.failedRate, de.timed, de.p50Minutes], [1, 1, 0, null]);
});

Deno.test("memory for de-duplication stays bounded by the allowed lateness", () => {
  const agg = createAggregator({ lateness: 5 * MIN });
  const t0 = Date.parse("2026-11-26T00:00:00Z");
  let most = 0;
  for (let i = 0; i < 20_000; i++) {
    agg.add("orders", order(new Date(t0 + i * 1000).toISOString()));
    if (i % 1000 === 0) most = Math.max(most, agg.snapshot().memory.eventIds);
  }
  // 5 min of lateness + one 1-min bucket, at one event per second.
  assert.ok(most <= 7 * 60, `remembered ${most} ids`);
});

Deno.test("replaying one partition's backlog before another's makes nothing late", () => {
  const agg = createAggregator({ lateness: MIN });
  agg.expectSources(["orders/0", "orders/1"]);
  for (const m of [0, 10, 20, 30]) {
    const ts = new Date(Date.UTC(2026, 10, 26, 10, m)).toISOString();
    assert.equal(agg.add("orders", order(ts), "orders/0"), "accepted");
  }
  for (const m of [1, 11, 21]) {
    const ts = new Date(Date.UTC(2026, 10, 26, 10, m)).toISOString();
    assert.equal(agg.add("orders", order(ts), "orders/1"), "accepted");
  }
  // Within a partition, lateness still applies: 10:19 is more than a minute behind 10:21.
  assert.equal(agg.add("orders", order("2026-11-26T10:19:00.000Z"), "orders/1"), "late");
  assert.equal(agg.snapshot().watermark, "2026-11-26T10:20:00.000Z");
});

Deno.test("a snapshot before every announced source has spoken shows no watermark (no crash)", () => {
  const agg = createAggregator({ lateness: MIN });
  agg.expectSources(["orders/0", "orders/1"]);
  agg.add("orders", order("2026-11-26T10:00:00.000Z"), "orders/0");
  const snap = agg.snapshot();
  assert.equal(snap.watermark, null);
  assert.equal(snap.maxEventTime, "2026-11-26T10:00:00.000Z");
  agg.add("orders", order("2026-11-26T10:05:00.000Z"), "orders/1");
  assert.equal(agg.snapshot().watermark, "2026-11-26T09:59:00.000Z");
});

Deno.test("an amount JSON reads as infinite counts the order but not in revenue, which stays finite", () => {
  const agg = createAggregator({ eventTimeZone: "UTC" });
  const t = "2026-11-26T10:00:00.000Z";
  const line = (id: string, amount: string) =>
    JSON.stringify(order(t, { event_id: id, total_amount: 0 })).replace(
      '"total_amount":0',
      `"total_amount":${amount}`,
    );
  assert.equal(agg.addLine("orders", line("a", "19.99")), "accepted");
  assert.equal(agg.addLine("orders", line("b", "1e400")), "accepted");
  assert.equal(agg.addLine("orders", line("c", "-1e400")), "accepted");
  assert.equal(agg.addLine("orders", line("d", "1.7e307")), "accepted"); // finite, its cents not
  assert.equal(agg.addLine("orders", line("e", "0.01")), "accepted");
  const snap = agg.snapshot();
  assert.equal(snap.orders.orders, 5);
  assert.equal(snap.orders.revenueOrders, 2);
  assert.equal(snap.orders.revenue, 20);
  assert.deepEqual(snap.windows.revenue.map((r) => [r.orders, r.revenue]), [[2, 20]]);
});
