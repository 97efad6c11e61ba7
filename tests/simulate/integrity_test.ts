import assert from "node:assert/strict";
import type { Topic } from "../../lib/schema/events.ts";
import { clean, run } from "./_fixtures.ts";

type Event = Record<string, unknown>;

// One world, checked from several sides: faults default, so consistency must survive them.
const { lines } = run({ seed: 21, events: 30000 });
const events = (topic: Topic) => clean(topic, lines[topic]);
const clicks = events("clickstream");
const orders = events("orders");
const profiles = events("user-profiles");
const deliveries = events("delivery-status");
function creations(profileLines: readonly string[]): Map<string, string> {
  const created = new Map<string, string>();
  for (const e of clean("user-profiles", profileLines)) {
    if (e.action === "profile_creation") created.set(e.user_id as string, e.timestamp as string);
  }
  return created;
}

Deno.test("every user who acts was created before, by a profile_creation", () => {
  // Without faults, strictly; with them, a creation line may itself be faulty (≈4%).
  const pure = run({ seed: 21, events: 10000, faults: "none" }).lines;
  const pureCreated = creations(pure["user-profiles"]);
  for (const topic of ["clickstream", "orders", "user-profiles"] as const) {
    for (const e of clean(topic, pure[topic])) {
      const at = pureCreated.get(e.user_id as string);
      assert.ok(at !== undefined, `${e.user_id} never created`);
      assert.ok(at <= (e.timestamp as string), `${e.user_id} acts at ${e.timestamp}, before ${at}`);
    }
  }
  const created = creations(lines["user-profiles"]);
  const actors = [...clicks, ...orders, ...profiles];
  let missing = 0;
  for (const e of actors) {
    const at = created.get(e.user_id as string);
    if (at === undefined) missing++;
    else assert.ok(at <= (e.timestamp as string));
  }
  assert.ok(missing < 0.1 * actors.length, `${missing} of ${actors.length}`);
});

Deno.test("each user is created once, with a userN@example.com address and a name", () => {
  const creations = profiles.filter((e) => e.action === "profile_creation");
  assert.equal(new Set(creations.map((e) => e.user_id)).size, creations.length);
  for (const e of profiles) {
    const n = (e.user_id as string).slice("user_".length);
    const details = e.details as Event;
    assert.equal(details.email, `user${n}@example.com`);
    assert.match(details.name as string, /^\S.* \S+$/);
  }
});

Deno.test("every order comes from a checkout in its session, by the same user", () => {
  const checkouts = new Map<string, Event>();
  for (const e of clicks) if (e.event === "checkout") checkouts.set(e.session_id as string, e);
  let matched = 0;
  for (const order of orders) {
    const checkout = checkouts.get(order.session_id as string);
    if (checkout === undefined) continue; // the checkout line itself may carry a fault
    matched++;
    assert.equal(checkout.user_id, order.user_id);
    assert.ok((checkout.timestamp as string) <= (order.timestamp as string));
  }
  assert.ok(matched > 0.95 * orders.length, `${matched} of ${orders.length}`);
});

Deno.test("ordered products were added to the cart in the order's session", () => {
  const added = new Set<string>();
  for (const e of clicks) {
    if (e.event === "add_to_cart") added.add(`${e.session_id} ${e.product_id}`);
  }
  let found = 0, total = 0;
  for (const order of orders) {
    for (const item of order.items as Event[]) {
      total++;
      if (added.has(`${order.session_id} ${item.product_id}`)) found++;
      assert.match(item.product_id as string, /^prod_([1-9]\d{0,2}|1000)$/);
    }
  }
  assert.ok(found > 0.95 * total, `${found} of ${total}`);
});

Deno.test("every order total equals the sum of quantity times price, to the cent", () => {
  for (const order of orders) {
    const cents = (order.items as Event[]).reduce(
      (sum, i) => sum + (i.quantity as number) * Math.round((i.price as number) * 100),
      0,
    );
    assert.equal(Math.round((order.total_amount as number) * 100), cents);
  }
});

Deno.test("every delivery follows a completed order, later in time", () => {
  const byId = new Map<string, Event>();
  for (const line of lines.orders) {
    try {
      const e = JSON.parse(line);
      byId.set(e.order_id, e);
    } catch { /* malformed: skip */ }
  }
  let known = 0;
  for (const d of deliveries) {
    const order = byId.get(d.order_id as string);
    if (order === undefined) continue; // the order line itself may be malformed
    known++;
    if (order.status !== null) assert.equal(order.status, "completed");
    assert.ok((order.timestamp as string) < (d.timestamp as string));
  }
  assert.ok(known > 0.97 * deliveries.length);
});

Deno.test("a delivery starts with picked_up and keeps one courier and one city", () => {
  const byOrder = new Map<string, Event[]>();
  for (const d of deliveries) {
    const list = byOrder.get(d.order_id as string) ?? [];
    list.push(d);
    byOrder.set(d.order_id as string, list);
  }
  let starts = 0;
  for (const list of byOrder.values()) {
    list.sort((a, b) => (a.timestamp as string) < (b.timestamp as string) ? -1 : 1);
    if (list[0].status === "picked_up") starts++;
    assert.equal(new Set(list.map((d) => d.delivery_person_id)).size, 1);
    assert.equal(new Set(list.map((d) => d.current_location)).size, 1);
    const finals = list.filter((d) => d.status === "delivered" || d.status === "returned");
    assert.ok(finals.length <= 1);
  }
  // Not all: the first status line of an order may carry a fault.
  assert.ok(starts > 0.95 * byOrder.size);
});

Deno.test("profile_creation records are never displaced late", () => {
  let max = "";
  for (const line of lines["user-profiles"]) {
    try {
      const e = JSON.parse(line);
      if (e.action === "profile_creation") assert.ok(e.timestamp >= max);
      if (e.timestamp > max) max = e.timestamp;
    } catch { /* malformed: skip */ }
  }
});
