/** Hand-made events for the real-time tests: small builders with every original field set. */

let next = 0;
/** A fresh event id. */
export const id = (): string => `ev-${++next}`;

/** A clickstream event (overrides win). */
export function click(
  timestamp: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    event_id: id(),
    event: "page_view",
    user_id: "user_1",
    timestamp,
    page: "home_page",
    referrer: "direct",
    device: "mobile",
    session_id: "s1",
    product_id: null,
    search_query: null,
    ...fields,
  };
}

/** An order (overrides win). */
export function order(
  timestamp: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    event_id: id(),
    order_id: `order_${next}`,
    user_id: "user_1",
    timestamp,
    items: [{ product_id: "prod_1", quantity: 1, price: 10 }],
    total_amount: 10,
    payment_method: "paypal",
    status: "completed",
    session_id: "s1",
    ...fields,
  };
}

/** A delivery status change (overrides win). */
export function delivery(
  timestamp: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    event_id: id(),
    order_id: "order_1",
    delivery_person_id: "dp_1",
    timestamp,
    status: "picked_up",
    current_location: "Paris, France",
    ...fields,
  };
}
