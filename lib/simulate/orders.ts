/**
 * Orders: made at checkout from the session's cart. The total is Σ quantity × price, computed
 * in cents so it is exact to 2 decimals. Completed orders go on to be delivered.
 *
 * @module
 */

import { cumulative } from "./random.ts";
import { scheduleDelivery } from "./deliveries.ts";
import { type Order, ORDERS, type Session, type World } from "./world.ts";

/** Payment shares (credit_card, debit_card, paypal, cash_on_delivery). */
export const PAYMENT_MIX: readonly number[] = [0.45, 0.25, 0.2, 0.1];
/** Status shares (completed, pending, canceled). */
export const STATUS_MIX: readonly number[] = [0.85, 0.1, 0.05];
/** Index of `completed` in ORDER_STATUSES. */
export const COMPLETED = 0;

const PAYMENT_CDF = cumulative(PAYMENT_MIX);
const STATUS_CDF = cumulative(STATUS_MIX);

/** Places the order of `session`'s cart at time `t`, and its delivery if completed. */
export function placeOrder(
  world: World,
  session: Session,
  products: readonly number[],
  quantities: readonly number[],
  t: number,
): Order {
  const random = world.random;
  const n = ++world.orders;
  const order: Order = {
    n,
    id: `order_${n}`,
    user: session.user,
    session,
    products,
    quantities,
    payment: random.weighted(PAYMENT_CDF),
    status: random.weighted(STATUS_CDF),
    city: -1,
    courier: 0,
  };
  world.schedule(t, ORDERS, 0, session.user, session, order);
  if (order.status === COMPLETED) {
    world.completed++;
    scheduleDelivery(world, order, t);
  }
  return order;
}

/** The order's total in cents: Σ quantity × price. */
export function totalCents(order: Order, priceCents: Int32Array): number {
  let total = 0;
  for (let i = 0; i < order.products.length; i++) {
    total += order.quantities[i] * priceCents[order.products[i]];
  }
  return total;
}
