import assert from "node:assert/strict";
import {
  CITIES,
  DEVICE_MIX,
  PAYMENT_MIX,
  REFERRER_MIX,
  STATUS_MIX,
} from "../../lib/simulate/mod.ts";
import { DEVICES, ORDER_STATUSES, PAYMENT_METHODS, REFERRERS } from "../../lib/schema/events.ts";
import { clean, run } from "./_fixtures.ts";

type Event = Record<string, unknown>;

const { lines } = run({ seed: 31, events: 60000, faults: "none" });
const clicks = clean("clickstream", lines.clickstream);
const orders = clean("orders", lines.orders);
const deliveries = clean("delivery-status", lines["delivery-status"]);

function shares(events: Event[], field: string, values: readonly string[]): number[] {
  const counts = values.map((v) => events.filter((e) => e[field] === v).length);
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

function assertNear(
  actual: number[],
  expected: readonly number[],
  tolerance: number,
  what: string,
) {
  actual.forEach((a, i) => {
    assert.ok(
      Math.abs(a - expected[i]) <= tolerance,
      `${what}[${i}]: ${a.toFixed(3)} vs ${expected[i]}`,
    );
  });
}

Deno.test("devices and referrers follow their stated mixes within 3 points", () => {
  const sessions = clicks.filter((e) => e.event === "page_view" && e.page === "home_page");
  assertNear(shares(sessions, "device", DEVICES), DEVICE_MIX, 0.03, "device");
  assertNear(shares(sessions, "referrer", REFERRERS), REFERRER_MIX, 0.03, "referrer");
});

Deno.test("order statuses and payment methods follow their stated mixes within 4 points", () => {
  assertNear(shares(orders, "status", ORDER_STATUSES), STATUS_MIX, 0.04, "status");
  assertNear(shares(orders, "payment_method", PAYMENT_METHODS), PAYMENT_MIX, 0.04, "payment");
});

Deno.test("the funnel narrows from page views to checkouts", () => {
  const count = (event: string) => clicks.filter((e) => e.event === event).length;
  assert.ok(count("click") > count("add_to_cart"));
  assert.ok(count("add_to_cart") > count("checkout"));
  assert.ok(count("page_view") > count("checkout"));
  const rate = count("checkout") / count("page_view");
  assert.ok(rate > 0.2 && rate < 0.6, `checkout rate ${rate}`);
  assert.equal(count("checkout"), orders.length);
});

Deno.test("events follow a page with the matching event type", () => {
  const pages: Record<string, string[]> = {
    page_view: ["home_page"],
    search: ["search_results"],
    click: ["product_page"],
    add_to_cart: ["product_page"],
    checkout: ["checkout_page"],
  };
  for (const e of clicks) {
    assert.ok(pages[e.event as string].includes(e.page as string));
    assert.equal(e.search_query !== null, e.event === "search");
    assert.equal(e.product_id !== null, e.event === "click" || e.event === "add_to_cart");
  }
});

Deno.test("the evening is far busier than the small hours", () => {
  const byHour = new Array(24).fill(0);
  for (const e of clicks) byHour[new Date(e.timestamp as string).getUTCHours()]++;
  assert.ok(byHour[20] > 3 * byHour[4], `20h ${byHour[20]} vs 4h ${byHour[4]}`);
});

Deno.test("product popularity is skewed: the top 10% of products draw over a third of clicks", () => {
  const counts = new Map<string, number>();
  for (const e of clicks) {
    if (e.event === "click") {
      counts.set(e.product_id as string, (counts.get(e.product_id as string) ?? 0) + 1);
    }
  }
  const sorted = [...counts.values()].sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  const top = sorted.slice(0, 100).reduce((a, b) => a + b, 0);
  assert.ok(top / total > 0.35, `top share ${top / total}`);
});

Deno.test("prices are plausible and items number one to five", () => {
  for (const order of orders) {
    const items = order.items as Event[];
    assert.ok(items.length >= 1 && items.length <= 5);
    for (const item of items) {
      assert.ok((item.price as number) >= 1 && (item.price as number) <= 2500);
      assert.ok((item.quantity as number) >= 1 && (item.quantity as number) <= 5);
    }
  }
});

Deno.test("deliveries use about fifty 'City, Country' places and include returns from the USA", () => {
  assert.ok(CITIES.length >= 45 && CITIES.length <= 60);
  const places = new Set(deliveries.map((d) => d.current_location as string));
  for (const place of places) assert.match(place, /^[^,]+, [^,]+$/);
  assert.ok(places.size > 40);
  const usaReturns = deliveries.filter((d) =>
    d.status === "returned" && (d.current_location as string).endsWith(", USA")
  );
  assert.ok(usaReturns.length > 0);
  const statuses = new Set(deliveries.map((d) => d.status));
  for (const s of ["picked_up", "in_transit", "delivered", "failed", "returned"]) {
    assert.ok(statuses.has(s), s);
  }
});

Deno.test("ids follow the original formats", () => {
  for (const e of clicks) assert.match(e.user_id as string, /^user_\d+$/);
  for (const d of deliveries) {
    assert.match(d.delivery_person_id as string, /^dp_([1-9]\d{0,2}|1000)$/);
  }
  const ids = orders.map((o) => Number((o.order_id as string).slice(6))).sort((a, b) => a - b);
  assert.equal(ids[0], 1);
});
