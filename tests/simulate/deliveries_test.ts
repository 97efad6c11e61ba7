/**
 * A completed order's delivery records wait on the timeline for up to a day: they must hold
 * numbers only, so that the order (its session, products, user) is garbage once its own record
 * is written. A live run at thousands of events per second holds millions of them.
 */
import assert from "node:assert/strict";
import { scheduleDelivery } from "../../lib/simulate/deliveries.ts";
import { Encoder, keyOf } from "../../lib/simulate/encode.ts";
import { Line } from "../../lib/simulate/_line.ts";
import { buildPools } from "../../lib/simulate/pools.ts";
import { Random } from "../../lib/simulate/random.ts";
import { type Order, type Scheduled, World } from "../../lib/simulate/world.ts";

Deno.test("delivery records hold the order's numbers, not the order, and encode them", () => {
  const scheduled: Scheduled[] = [];
  const world = new World(7, buildPools(7), 0, (item) => scheduled.push(item));
  const user = { n: 12, id: "user_12", createdAt: 0, name: 0, category: 0 };
  const session = { id: [1, 2, 3, 4], user, device: 0, referrer: 0 };
  const t = Date.UTC(2026, 10, 26, 10);
  for (let n = 1; n <= 50; n++) {
    const order: Order = {
      n,
      id: `order_${n}`,
      user,
      session,
      products: [3],
      quantities: [1],
      payment: 0,
      status: 0,
      city: -1,
      courier: 0,
    };
    const before = scheduled.length;
    scheduleDelivery(world, order, t);
    assert.ok(scheduled.length - before >= 3, "picked up, in transit, an outcome");
    for (const item of scheduled.slice(before)) {
      assert.equal(item.order, null);
      assert.equal(item.user, null);
      assert.equal(item.session, null);
      assert.deepEqual([item.a, item.b, item.query], [order.city, order.courier, n]);
      assert.ok(item.t > t);
      assert.equal(keyOf(item), `order_${n}`);
    }
  }
  // The record written from those numbers names the order, courier and city.
  const encoder = new Encoder(world.catalog, world.pools);
  const item = scheduled.at(-1)!;
  const line = JSON.parse(encoder.encode(item, new Random(1, 1), new Line()).text());
  assert.equal(line.order_id, `order_${item.query}`);
  assert.equal(line.delivery_person_id, `dp_${item.b}`);
  assert.equal(typeof line.current_location, "string");
  assert.equal(line.timestamp, new Date(item.t).toISOString());
});
