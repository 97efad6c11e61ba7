/**
 * The four event types and their enumerations: the contract of DESIGN.md ("Topics and events").
 *
 * The *original fields* are the ones the original Python producers emitted; cleaning "as the
 * original notebooks do" drops rows with a null in any of them. Added fields may be null.
 *
 * @module
 */

/** The four topic base names (before `KAFKA_TOPIC_PREFIX`). */
export const TOPICS = ["clickstream", "orders", "user-profiles", "delivery-status"] as const;
/** A topic base name. */
export type Topic = typeof TOPICS[number];

/** Version carried in the `schema-version` header of every produced record. */
export const SCHEMA_VERSION = "1";

export const CLICK_EVENTS = ["page_view", "search", "click", "add_to_cart", "checkout"] as const;
export const PAGES = ["home_page", "product_page", "search_results", "checkout_page"] as const;
export const REFERRERS = ["google.com", "facebook.com", "email_campaign", "direct"] as const;
export const DEVICES = ["mobile", "desktop", "tablet"] as const;
export const PAYMENT_METHODS = ["credit_card", "debit_card", "paypal", "cash_on_delivery"] as const;
export const ORDER_STATUSES = ["completed", "pending", "canceled"] as const;
export const PROFILE_ACTIONS = [
  "profile_creation",
  "profile_update",
  "password_reset",
  "email_verification",
] as const;
export const CATEGORIES = [
  "electronics",
  "fashion",
  "home_appliances",
  "sports",
  "beauty",
] as const;
export const DELIVERY_STATUSES = [
  "picked_up",
  "in_transit",
  "delivered",
  "failed",
  "returned",
] as const;

/** A clickstream event, keyed by user_id. */
export interface ClickEvent {
  event_id: string;
  event: typeof CLICK_EVENTS[number];
  user_id: string;
  timestamp: string;
  page: typeof PAGES[number];
  referrer: typeof REFERRERS[number];
  device: typeof DEVICES[number];
  session_id: string | null;
  product_id: string | null;
  search_query: string | null;
}

/** One line of an order. */
export interface OrderItem {
  product_id: string;
  quantity: number;
  price: number;
}

/** An order, keyed by order_id. */
export interface OrderEvent {
  event_id: string;
  order_id: string;
  user_id: string;
  timestamp: string;
  items: OrderItem[];
  total_amount: number;
  payment_method: typeof PAYMENT_METHODS[number];
  status: typeof ORDER_STATUSES[number];
  session_id: string | null;
}

/** A user-profile action, keyed by user_id. */
export interface ProfileEvent {
  event_id: string;
  user_id: string;
  timestamp: string;
  action: typeof PROFILE_ACTIONS[number];
  details: {
    email: string;
    name: string;
    preferred_category: typeof CATEGORIES[number];
  };
}

/** A delivery status change, keyed by order_id. */
export interface DeliveryEvent {
  event_id: string;
  order_id: string;
  delivery_person_id: string;
  timestamp: string;
  status: typeof DELIVERY_STATUSES[number];
  current_location: string;
}

/** Event type per topic. */
export interface EventOf {
  "clickstream": ClickEvent;
  "orders": OrderEvent;
  "user-profiles": ProfileEvent;
  "delivery-status": DeliveryEvent;
}

/** Any event. */
export type AnyEvent = EventOf[Topic];

/** The field whose value is the record key, per topic. */
export const KEY_FIELD: { [T in Topic]: keyof EventOf[T] & string } = {
  "clickstream": "user_id",
  "orders": "order_id",
  "user-profiles": "user_id",
  "delivery-status": "order_id",
};

/** Every top-level field per topic, in contract order (the order of each event type above). */
export const FIELDS: { readonly [T in Topic]: readonly (keyof EventOf[T] & string)[] } = {
  "clickstream": [
    "event_id",
    "event",
    "user_id",
    "timestamp",
    "page",
    "referrer",
    "device",
    "session_id",
    "product_id",
    "search_query",
  ],
  "orders": [
    "event_id",
    "order_id",
    "user_id",
    "timestamp",
    "items",
    "total_amount",
    "payment_method",
    "status",
    "session_id",
  ],
  "user-profiles": ["event_id", "user_id", "timestamp", "action", "details"],
  "delivery-status": [
    "event_id",
    "order_id",
    "delivery_person_id",
    "timestamp",
    "status",
    "current_location",
  ],
};

/** The fields of one order item. */
export const ITEM_FIELDS: readonly (keyof OrderItem)[] = ["product_id", "quantity", "price"];

/** The fields of a profile's `details`. */
export const DETAIL_FIELDS: readonly (keyof ProfileEvent["details"])[] = [
  "email",
  "name",
  "preferred_category",
];

/** The fields the original producers emitted, per topic (top level). */
export const ORIGINAL_FIELDS: { [T in Topic]: readonly string[] } = {
  "clickstream": ["event", "user_id", "timestamp", "page", "referrer", "device"],
  "orders": [
    "order_id",
    "user_id",
    "timestamp",
    "items",
    "total_amount",
    "payment_method",
    "status",
  ],
  "user-profiles": ["user_id", "timestamp", "action", "details"],
  "delivery-status": [
    "order_id",
    "delivery_person_id",
    "timestamp",
    "status",
    "current_location",
  ],
};
