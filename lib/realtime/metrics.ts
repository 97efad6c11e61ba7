/**
 * The real-time metrics: what is computed from accepted events (decoded, on time, first seen)
 * and exactly how each metric treats null or unexpected field values.
 *
 * Windowed metrics use event time (the record's `timestamp`) and half-open windows
 * `[start, start + window)` aligned on the epoch (see `windows.ts`):
 *
 * - **events**: accepted events per tumbling window and topic;
 * - **clicks**: clickstream events per tumbling window, `event` and `device`; a null (or
 *   non-string) `event` or `device` is grouped as `"unknown"`;
 * - **activity**: distinct `user_id` and distinct non-null `session_id` of clickstream events per
 *   tumbling window; **activeUsers**: the same over sliding windows (`slidingWindow` long,
 *   advancing by `slide`);
 * - **revenue**: per tumbling window with at least one order, orders whose `status` is
 *   `completed` or `pending` and whose `total_amount` is a finite number (JSON's `1e400` reads as
 *   infinite: no amount); revenue is the sum of `total_amount` rounded to cents per order
 *   (summed in integer cents, so the result does not depend on arrival order);
 *   `aov = revenue / orders` (null when no order). Canceled orders and orders with a null status
 *   or amount are left out of revenue (they still count in `orders.byStatus`).
 *
 * Final windows are kept for `retention` of event time behind the watermark (0: all of them),
 * so a long live run holds a bounded number of windows.
 *
 * Cumulative metrics (over every accepted event):
 *
 * - **funnel**: per `session_id` (clickstream joined with orders), the steps page_view
 *   (`event = page_view`) → product page (`page = product_page`) → add_to_cart
 *   (`event = add_to_cart`) → checkout (`event = checkout`) → order (an order with that
 *   `session_id`). `reached` counts sessions with the step; `sessions` counts sessions with the
 *   step and every step before it. Events with a null `session_id` are left out; a null `event` or
 *   `page` simply marks no step. A session whose events are further apart than `sessionTimeout`
 *   (in event time, after the watermark passed) is counted as two.
 * - **orders**: orders per `status` × `payment_method` (null → `"unknown"`) and the overall
 *   revenue and average order value under the revenue rule above;
 * - **deliveries**: delivery events per country × status, where country is the part of
 *   `current_location` after the first `", "` (`"unknown"` when null or without a country) and a
 *   null status is `"unknown"`; per country the delivered, failed and returned rates are shares of
 *   the terminal events (delivered + failed + returned) of that country; the delivery time of an
 *   order is `min(delivered time) − min(picked_up time)`, in minutes, for orders with both, by the
 *   country of its (earliest) delivered event; p50 and p90 are nearest-rank percentiles. Once
 *   the watermark has passed both events an order's time is final and kept as one number; an
 *   order still waiting for its delivered (or picked_up) event is forgotten once the watermark is
 *   `deliveryHorizon` past its first event, and, with a horizon, final times too once their
 *   delivered event is that far behind (0: keep everything, as a replay needs);
 * - **topProducts**: the top N `product_id`s by views (`event = click` with a product_id), by
 *   add-to-cart (`event = add_to_cart` with a product_id), and by units ordered (the `quantity` of
 *   each item with a string product_id and a positive whole quantity, in orders counted in revenue
 *   as above), count descending then id ascending.
 *
 * Some metrics need fields that not every producer writes: the original producers' records have
 * no `session_id` and their clicks no `product_id`. **available** says which metrics the data
 * seen so far can fill: `sessions` and `funnel` once a clickstream event carried a string
 * `session_id`, `productViews` once one carried a string `product_id`. Until then the snapshot
 * says "not available" instead of showing zeros: `sessions` is null in the activity rows, the
 * funnel has no rows, and the views and add-to-cart lists are empty (every other metric fills
 * from such records: events, clicks, users, orders, revenue, products ordered, deliveries).
 *
 * @module
 */
import { TOPICS } from "../schema/events.ts";
import type { Topic } from "../schema/events.ts";
import { isoOrNull } from "./iso.ts";
import { compareKeys, topN } from "./topn.ts";
import { RowCache, tumblingWindow, WindowStore } from "./windows.ts";
import { type FunnelRow, Sessions } from "./sessions.ts";
import { bump, bumpPair, label, type PairCounts, pairs } from "./_counts.ts";
import { type CountryDeliveryRow, Deliveries, type DeliveryStatusRow } from "./deliveries.ts";

export { type CountryDeliveryRow, countryOf, type DeliveryStatusRow } from "./deliveries.ts";
export { FUNNEL_STEPS, type FunnelRow, type FunnelStep } from "./sessions.ts";

/** Accepted events of one topic in one window. */
export interface TopicWindowRow {
  window: string;
  topic: Topic;
  events: number;
}

/** Clickstream events of one window, event type and device. */
export interface ClickWindowRow {
  window: string;
  event: string;
  device: string;
  events: number;
}

/** Distinct users and sessions active in one window. */
export interface ActivityRow {
  window: string;
  users: number;
  /** Null while sessions are not available for this data (no clickstream `session_id` yet). */
  sessions: number | null;
}

/** Orders and revenue of one window. */
export interface RevenueRow {
  window: string;
  orders: number;
  revenue: number;
  aov: number | null;
}

/** Orders per status and payment method. */
export interface OrderStatusRow {
  status: string;
  payment_method: string;
  orders: number;
}

/** A product and its count. */
export interface ProductCount {
  product_id: string;
  count: number;
}

/** What the metrics hold in memory (counts of entries). */
export interface MetricsMemory {
  /** Sessions still open (their id and steps kept until the session timeout). */
  sessions: number;
  /** Tumbling and sliding windows still open. */
  openWindows: number;
  /** Orders whose delivery time is not final yet. */
  deliveries: number;
  /** Final tumbling and sliding windows kept. */
  closedWindows: number;
  /** Final delivery times kept (one number each). */
  timedDeliveries: number;
}

/** Every metric, as plain JSON-ready data with a deterministic order. */
export interface MetricsSnapshot {
  windows: {
    events: TopicWindowRow[];
    clicks: ClickWindowRow[];
    activity: ActivityRow[];
    activeUsers: ActivityRow[];
    revenue: RevenueRow[];
  };
  funnel: FunnelRow[];
  orders: {
    byStatus: OrderStatusRow[];
    orders: number;
    revenueOrders: number;
    revenue: number;
    aov: number | null;
  };
  deliveries: { byStatus: DeliveryStatusRow[]; countries: CountryDeliveryRow[] };
  topProducts: { views: ProductCount[]; addToCart: ProductCount[]; ordered: ProductCount[] };
  /**
   * Which metrics this data can fill (see the module doc): false means "not available for this
   * data", shown as null sessions, no funnel rows, empty view lists.
   */
  available: { sessions: boolean; funnel: boolean; productViews: boolean };
}

/** Settings the metrics need (resolved by the aggregator). */
export interface MetricsSettings {
  window: number;
  slidingWindow: number;
  slide: number;
  topN: number;
  sessionTimeout: number;
  /** Event time final windows are kept behind the watermark, ms; 0 keeps all. */
  retention?: number;
  /** Event time delivery state is kept behind the watermark, ms; 0 keeps all. */
  deliveryHorizon?: number;
}

/** Each topic's place in `TOPICS`. */
const TOPIC_SLOT = Object.fromEntries(TOPICS.map((t, i) => [t, i])) as { [T in Topic]: number };

interface Activity {
  users: Set<string>;
  sessions: Set<string>;
}

interface Revenue {
  orders: number;
  cents: number;
}

const newActivity = (): Activity => ({ users: new Set(), sessions: new Set() });
const countActivity = (a: Activity) => ({ users: a.users.size, sessions: a.sessions.size });
const identity = <T>(x: T) => x;

/**
 * The metric state, fed accepted events only (decoding, lateness and de-duplication happen in
 * the aggregator). Deterministic: the same events give the same snapshot in any order.
 */
export class Metrics {
  readonly #s: MetricsSettings;
  /** Events per window, by the topic's place in `TOPICS` (an array: no map look-up per event). */
  readonly #events: WindowStore<number[], number[]>;
  readonly #clicks: WindowStore<PairCounts, PairCounts>;
  readonly #activity: WindowStore<Activity, { users: number; sessions: number }>;
  readonly #sliding: WindowStore<Activity, { users: number; sessions: number }>;
  readonly #revenue: WindowStore<Revenue, Revenue>;
  /** Open sessions and the funnel (`sessions.ts`). */
  readonly #sessions: Sessions;
  readonly #orderStatus: PairCounts = new Map();
  #orders = 0;
  readonly #deliveries: Deliveries;
  #revenueOrders = 0;
  #revenueCents = 0;
  readonly #views = new Map<string, number>();
  readonly #carts = new Map<string, number>();
  readonly #ordered = new Map<string, number>();
  /** Whether any clickstream event carried a session_id / a product_id. */
  #sessionSeen = false;
  #productSeen = false;
  /**
   * The pane each user was last added in since the last `advance` (a cache of the users of the
   * last minute or so, kept small: on `advance` it becomes `#userPaneBefore` and starts empty;
   * sessions keep theirs in their state).
   */
  #userPane = new Map<string, number>();
  /** The same as of the `advance` before (the last pane each user was added in, before it). */
  #userPaneBefore = new Map<string, number>();
  readonly #grid: number;
  /** Rows of closed windows, rendered once (see `RowCache`). */
  readonly #rowCaches = {
    events: new RowCache<TopicWindowRow>(),
    clicks: new RowCache<ClickWindowRow>(),
    activity: new RowCache<ActivityRow>(),
    activeUsers: new RowCache<ActivityRow>(),
    revenue: new RowCache<RevenueRow>(),
  };

  constructor(settings: MetricsSettings) {
    this.#s = settings;
    const w = settings.window;
    this.#events = new WindowStore(w, () => [0, 0, 0, 0], identity);
    this.#clicks = new WindowStore(w, () => new Map(), identity);
    this.#activity = new WindowStore(w, newActivity, countActivity);
    this.#sliding = new WindowStore(settings.slidingWindow, newActivity, countActivity);
    this.#revenue = new WindowStore(w, () => ({ orders: 0, cents: 0 }), identity);
    this.#grid = gcd(w, settings.slide);
    this.#sessions = new Sessions(this.#grid, settings.sessionTimeout);
    this.#deliveries = new Deliveries(this.#grid, settings.deliveryHorizon ?? 0);
  }

  /** Adds one accepted event at event time `t`. */
  add(topic: Topic, e: Record<string, unknown>, t: number): void {
    const start = tumblingWindow(t, this.#s.window);
    this.#events.at(start)[TOPIC_SLOT[topic]]++;
    if (topic === "clickstream") this.#click(e, t, start);
    else if (topic === "orders") this.#order(e, t, start);
    else if (topic === "delivery-status") this.#deliveries.add(e, t);
  }

  #click(e: Record<string, unknown>, t: number, start: number): void {
    const event = e.event, session = e.session_id, product = e.product_id;
    const user = e.user_id as string;
    bumpPair(this.#clicks.at(start), label(event), label(e.device));
    const hasSession = typeof session === "string";
    if (hasSession) this.#sessionSeen = true;
    // Users and sessions go into every window holding `t`. Which windows those are depends only
    // on the pane (t on the grid of gcd(window, slide)), so a user or session already added in
    // this pane is skipped: most clicks of a session fall in the same minute; the windows
    // holding the pane it was added in before are skipped too (`#addActive`).
    const pane = Math.floor(t / this.#grid);
    const seen = this.#userPane.get(user);
    if (seen !== pane) {
      this.#userPane.set(user, pane);
      this.#addActive("users", user, t, start, seen ?? this.#userPaneBefore.get(user));
    }
    if (hasSession) {
      let mask = 0;
      if (event === "page_view") mask |= 1;
      if (e.page === "product_page") mask |= 2;
      if (event === "add_to_cart") mask |= 4;
      if (event === "checkout") mask |= 8;
      // The session's state remembers its pane too: one look-up per click. The windows holding
      // the pane are open (they hold t, at or after the watermark), so the skip stays right
      // across ticks.
      const state = this.#sessions.step(session, mask, t);
      if (state.pane !== pane) {
        const before = state.pane;
        state.pane = pane;
        this.#addActive("sessions", session, t, start, before);
      }
    }
    if (typeof product === "string") {
      this.#productSeen = true;
      if (event === "click") bump(this.#views, product);
      else if (event === "add_to_cart") bump(this.#carts, product);
    }
  }

  /**
   * Adds a user or session seen at `t` to the activity sets of every window holding `t`, but
   * those holding pane `before` (one it was added in already, if known: each window holding that
   * pane has it). A user active minute after minute goes into two sets per minute (its tumbling
   * window and the one sliding window starting that minute) instead of six.
   */
  #addActive(
    kind: "users" | "sessions",
    key: string,
    t: number,
    start: number,
    before: number | undefined,
  ): void {
    // NaN when unknown: no window holds it.
    const at = before === undefined ? NaN : before * this.#grid;
    if (!(at >= start && at < start + this.#s.window)) this.#activity.at(start)[kind].add(key);
    const { slide, slidingWindow } = this.#s;
    for (let s = this.#firstSlide(t); s <= t; s += slide) {
      if (!(at >= s && at < s + slidingWindow)) this.#sliding.at(s)[kind].add(key);
    }
  }

  /** The start of the earliest sliding window holding `t`. */
  #firstSlide(t: number): number {
    const { slide, slidingWindow } = this.#s;
    return Math.floor(t / slide) * slide - slidingWindow + slide;
  }

  #order(e: Record<string, unknown>, t: number, start: number): void {
    this.#orders++;
    bumpPair(this.#orderStatus, label(e.status), label(e.payment_method));
    const amount = e.total_amount;
    // Every order opens its window's row, so a minute of canceled orders shows a revenue of 0.
    const r = this.#revenue.at(start);
    // An amount JSON reads as infinite (1e400), or one whose cents are, is no amount: one such
    // record would make the revenue infinite for good.
    const cents = typeof amount === "number" ? Math.round(amount * 100) : NaN;
    if ((e.status === "completed" || e.status === "pending") && Number.isFinite(cents)) {
      r.orders++;
      r.cents += cents;
      this.#revenueOrders++;
      this.#revenueCents += cents;
      if (Array.isArray(e.items)) {
        for (const item of e.items) {
          const p = (item as Record<string, unknown> | null)?.product_id;
          const q = (item as Record<string, unknown> | null)?.quantity;
          if (typeof p === "string" && Number.isSafeInteger(q) && (q as number) > 0) {
            bump(this.#ordered, p, q as number);
          }
        }
      }
    }
    if (typeof e.session_id === "string") {
      this.#sessions.step(e.session_id, 16, t);
    }
  }

  /**
   * Closes windows that end at or before `watermark` and folds sessions idle for longer than
   * the session timeout into the funnel's final counts.
   */
  advance(watermark: number): void {
    const before = this.#userPaneBefore;
    before.clear();
    this.#userPaneBefore = this.#userPane;
    this.#userPane = before;
    const stores = [this.#events, this.#clicks, this.#activity, this.#sliding, this.#revenue];
    for (const store of stores) store.close(watermark);
    const retention = this.#s.retention ?? 0;
    if (retention > 0) { for (const store of stores) store.drop(watermark - retention); }
    this.#deliveries.advance(watermark);
    this.#sessions.advance(watermark);
  }

  /** Sessions, open and kept windows, and delivery state held in memory. */
  get memory(): MetricsMemory {
    return {
      sessions: this.#sessions.size,
      openWindows: this.#events.openCount + this.#sliding.openCount,
      deliveries: this.#deliveries.openCount,
      closedWindows: this.#events.closedCount + this.#sliding.closedCount,
      timedDeliveries: this.#deliveries.timedCount,
    };
  }

  /** Every metric as plain data. */
  snapshot(): MetricsSnapshot {
    const sessions = this.#sessionSeen, productViews = this.#productSeen;
    const top = (counts: Map<string, number>) =>
      topN(counts, this.#s.topN).map(({ key, count }) => ({ product_id: key, count }));
    return {
      windows: this.#windows(sessions),
      funnel: sessions ? this.#sessions.funnel() : [],
      orders: {
        byStatus: [...pairs(this.#orderStatus)].map(([status, payment_method, orders]) => {
          return { status, payment_method, orders };
        }).sort((a, b) =>
          compareKeys(a.status, b.status) || compareKeys(a.payment_method, b.payment_method)
        ),
        orders: this.#orders,
        revenueOrders: this.#revenueOrders,
        revenue: this.#revenueCents / 100,
        aov: this.#revenueOrders ? this.#revenueCents / this.#revenueOrders / 100 : null,
      },
      deliveries: this.#deliveries.snapshot(),
      topProducts: {
        views: top(this.#views),
        addToCart: top(this.#carts),
        ordered: top(this.#ordered),
      },
      available: { sessions, funnel: sessions, productViews },
    };
  }

  #windows(sessions: boolean): MetricsSnapshot["windows"] {
    const c = this.#rowCaches;
    // The stores share their window starts: each start's ISO text is made once per snapshot.
    const names = new Map<number, string>();
    const isoOf = (start: number) => {
      let name = names.get(start);
      if (name === undefined) names.set(start, name = isoOrNull(start)!);
      return name;
    };
    const events = this.#events.rows(c.events, (start, counts) => {
      const window = isoOf(start), rows: TopicWindowRow[] = [];
      TOPICS.forEach((topic, i) => {
        if (counts[i]) rows.push({ window, topic, events: counts[i] });
      });
      return rows;
    });
    const clicks = this.#clicks.rows(c.clicks, (start, counts) => {
      const window = isoOf(start);
      return [...pairs(counts)].map(([event, device, n]) => {
        return { window, event, device, events: n };
      }).sort((a, b) => compareKeys(a.event, b.event) || compareKeys(a.device, b.device));
    });
    const row = (s: number, a: { users: number; sessions: number }): ActivityRow[] => [{
      window: isoOf(s),
      users: a.users,
      sessions: sessions ? a.sessions : null,
    }];
    const activity = this.#activity.rows(c.activity, row, sessions);
    const activeUsers = this.#sliding.rows(c.activeUsers, row, sessions);
    const revenue = this.#revenue.rows(c.revenue, (s, r) => [{
      window: isoOf(s),
      orders: r.orders,
      revenue: r.cents / 100,
      aov: r.orders ? r.cents / r.orders / 100 : null,
    }]);
    return { events, clicks, activity, activeUsers, revenue };
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
