/** The live view and the live feed: what the browsers get, per filter, and when. */
import assert from "node:assert/strict";
import { LiveFeed, liveView, parseFilter } from "../../lib/dashboard/mod.ts";
import { createAggregator } from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";

const START = new Date("2026-11-26T00:00:00.000Z");
const filter = (query = "") => parseFilter(new URLSearchParams(query));

function fed(events = 4000, span = 3 * 3600_000) {
  const agg = createAggregator();
  for (const r of simulate({ seed: 8, events, start: START, span })) agg.addLine(r.topic, r.value);
  return agg;
}

const decoder = new TextDecoder();
/** The `live` events in SSE frames, parsed. */
function liveEvents(frames: Uint8Array[]) {
  return frames.map((f) => decoder.decode(f)).filter((t) => t.startsWith("event: live\n"))
    .map((t) => JSON.parse(t.slice("event: live\ndata: ".length)));
}

Deno.test("without a range the windowed panels hold the latest windows", () => {
  const snap = fed().snapshot();
  const view = liveView(snap, filter(), { now: 0, maxWindows: 10 });
  const starts = [...new Set(view.events.map((e) => e.window))];
  assert.equal(starts.length, 10);
  assert.equal(starts.at(-1), snap.windows.events.at(-1)!.window);
  assert.equal(view.windowsCapped, true);
  assert.ok(view.revenue.length <= 10 && view.revenue.length > 0);
  assert.deepEqual(view.counts, snap.totals);
  assert.equal(view.watermark, snap.watermark);
  assert.deepEqual(view.funnel, { available: true, steps: snap.funnel });
  assert.deepEqual(view.deliveries, snap.deliveries.byStatus);
});

Deno.test("a range and topics select the panels' data; `last` follows the clock", () => {
  const snap = fed().snapshot();
  const now = Date.parse("2026-11-26T02:00:00.000Z");
  const view = liveView(snap, filter("last=30m&topics=orders"), { now });
  assert.deepEqual(view.range, {
    from: "2026-11-26T01:30:00.000Z",
    to: "2026-11-26T02:00:00.000Z",
  });
  assert.ok(view.events.length > 0);
  assert.ok(view.events.every((e) => e.topic === "orders" && e.window >= "2026-11-26T01:30"));
  assert.ok(view.events.every((e) => e.window < "2026-11-26T02:00"));
  assert.deepEqual(view.counts, snap.topics.orders);
  assert.deepEqual(view.countsByTopic, [{ topic: "orders", counts: snap.topics.orders }]);
  assert.deepEqual(view.deliveries, []);
  assert.deepEqual(view.funnel, {
    available: false,
    reason: "clickstream is not in the topic filter",
  });
  const later = liveView(snap, filter("last=30m&topics=orders"), { now: now + 3600_000 });
  assert.ok(later.events.every((e) => e.window >= "2026-11-26T02:30"));
});

Deno.test("the funnel is 'not available for this data' when clicks carry no session_id", () => {
  const agg = createAggregator();
  for (const r of simulate({ seed: 8, events: 2000, start: START })) {
    if (r.topic !== "clickstream") continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(r.value);
    } catch {
      continue;
    }
    agg.add("clickstream", { ...event, session_id: undefined });
  }
  const view = liveView(agg.snapshot(), filter(), { now: 0 });
  assert.ok(view.counts.accepted > 0);
  assert.equal(view.funnel.available, false);
  assert.match(
    (view.funnel as { reason: string }).reason,
    /^not available for this data: .*session_id/,
  );
});

Deno.test("lag rows follow the topic filter", () => {
  const lag = [
    { topic: "orders", partition: 0, nextOffset: 5, end: 9, lag: 4 },
    { topic: "clickstream", partition: 1, nextOffset: 0, end: 0, lag: 0 },
  ] as const;
  const view = liveView(createAggregator().snapshot(), filter("topics=orders"), {
    now: 0,
    lag: [...lag],
  });
  assert.deepEqual(view.lag, [lag[0]]);
});

Deno.test("the feed sends the current view at once, then only when something changed", () => {
  let now = 1_000;
  const feed = new LiveFeed(fed(500), { now: () => now, keepAlive: 60_000 });
  const all: Uint8Array[] = [], orders: Uint8Array[] = [], orders2: Uint8Array[] = [];
  feed.subscribe(filter(), (f) => all.push(f));
  const stop = feed.subscribe(filter("topics=orders"), (f) => orders.push(f));
  feed.subscribe(filter("topics=orders"), (f) => orders2.push(f));
  assert.equal(liveEvents(all).length, 1);
  assert.deepEqual(liveEvents(orders)[0].topics, ["orders"]);

  // First tick: the feed has not sent a tick's views yet: one view per distinct filter.
  assert.equal(feed.tick().views, 2);
  assert.equal(orders.at(-1), orders2.at(-1), "subscribers with one filter share one frame");
  // Nothing changed: nothing built or sent.
  const sent = all.length;
  assert.equal(feed.tick().views, 0);
  assert.equal(all.length, sent);
  // Records taken: the next tick sends again.
  feed.aggregator.addLine(
    "orders",
    JSON.stringify({
      event_id: "new-1",
      order_id: "o-new",
      user_id: "u1",
      timestamp: "2026-11-26T02:00:00.000Z",
      items: [],
      total_amount: 10,
      payment_method: "paypal",
      status: "completed",
      session_id: null,
    }),
  );
  feed.changed();
  assert.equal(feed.tick().views, 2);
  assert.equal(liveEvents(all).at(-1).counts.received, liveEvents(all)[0].counts.received + 1);
  // An unsubscribed client gets nothing more.
  stop();
  const before = orders.length;
  feed.changed();
  assert.equal(feed.tick().views, 2);
  assert.equal(orders.length, before);
  // Quiet for the keep-alive time: a comment line.
  now += 60_000;
  feed.tick();
  assert.equal(decoder.decode(all.at(-1)!), ": keep-alive\n\n");
  feed.stop();
});

Deno.test("views of a `last` range are rebuilt every tick (the range moves)", () => {
  const feed = new LiveFeed(fed(500), { now: () => Date.now() });
  const frames: Uint8Array[] = [];
  feed.subscribe(filter("last=1h"), (f) => frames.push(f));
  assert.equal(feed.tick().views, 1);
  assert.equal(feed.tick().views, 1);
  feed.stop();
});

Deno.test("building views never takes more than the budget's share of the time", () => {
  // A three-day history makes each snapshot slow enough to matter.
  const feed = new LiveFeed(fed(60_000, 72 * 3600_000), { interval: 50, budget: 0.1 });
  feed.subscribe(filter(), () => {});
  const { views, wait } = feed.tick();
  assert.equal(views, 1);
  assert.ok(feed.stats.lastBuildMs > 0);
  assert.equal(wait, Math.max(50, Math.ceil(feed.stats.lastBuildMs * 9)));
  feed.stop();
});

Deno.test("the original producers' records in another zone: windows and ranges by the UTC instant", () => {
  const zone = "Asia/Kolkata"; // UTC+05:30 all year: an independent reading is a fixed shift
  const records = [
    ...simulate({
      seed: 9,
      events: 3000,
      start: START,
      span: 3 * 3600_000,
      format: "original",
      zone,
      faults: "none",
    }),
  ];
  const agg = createAggregator({ eventTimeZone: zone, lateness: 24 * 3600_000 });
  for (const r of records) agg.addLine(r.topic, r.value);
  const now = Date.parse("2026-11-26T02:00:00.000Z");
  const view = liveView(agg.snapshot(), filter("last=60m&topics=orders"), { now });
  // Independently: an order's wall-clock "YYYY-MM-DD HH:MM:SS" in Kolkata, 5 h 30 min ahead of UTC.
  const utc = (wall: string) => Date.parse(`${wall.replace(" ", "T")}Z`) - 5.5 * 3600_000;
  const inRange = records.filter((r) => r.topic === "orders").map((r) => JSON.parse(r.value))
    .filter((o) => {
      const t = utc(o.timestamp);
      return t >= now - 3600_000 && t < now;
    });
  assert.ok(inRange.length > 0, "orders in the last hour");
  assert.equal(view.events.reduce((sum, e) => sum + e.events, 0), inRange.length);
  assert.ok(
    view.events.every((e) => e.window >= "2026-11-26T01:00" && e.window < "2026-11-26T02:00"),
  );
  assert.equal(view.funnel.available, false, "the original clicks carry no session_id");
});
