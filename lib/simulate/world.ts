/**
 * The simulated world's shared state: the generator, the catalogue, the people, the counters,
 * and the one way things happen — {@linkcode World.schedule}, which puts a future record on the
 * timeline. Sessions, orders and deliveries (one file each) act on a World.
 *
 * @module
 */

import { Catalog } from "./catalog.ts";
import type { Pools } from "./pools.ts";
import { Random } from "./random.ts";

/** Topic index: position in `TOPICS` (clickstream, orders, user-profiles, delivery-status). */
export const CLICKSTREAM = 0;
/** Topic index of `orders`. */
export const ORDERS = 1;
/** Topic index of `user-profiles`. */
export const PROFILES = 2;
/** Topic index of `delivery-status`. */
export const DELIVERIES = 3;

/** A registered shopper. */
export interface User {
  /** 1-based number: `user_<n>`. */
  readonly n: number;
  /** `user_<n>`. */
  readonly id: string;
  /** When the profile was created (epoch ms). */
  readonly createdAt: number;
  /** Index into the name pool (may change on profile updates). */
  name: number;
  /** Preferred category index (may change on profile updates). */
  category: number;
}

/** One visit: a device, a referrer and a funnel of clicks. */
export interface Session {
  /** The session id: a UUID, as the four 32-bit words it is formatted from (see `Line#uuid`). */
  readonly id: readonly number[];
  readonly user: User;
  /** Index into DEVICES. */
  readonly device: number;
  /** Index into REFERRERS. */
  readonly referrer: number;
}

/** An order placed at checkout. */
export interface Order {
  /** 1-based number: `order_<n>`. */
  readonly n: number;
  /** `order_<n>`. */
  readonly id: string;
  readonly user: User;
  readonly session: Session;
  /** Product indices, one per line. */
  readonly products: readonly number[];
  /** Quantity per line. */
  readonly quantities: readonly number[];
  /** Index into PAYMENT_METHODS. */
  readonly payment: number;
  /** Index into ORDER_STATUSES. */
  readonly status: number;
  /** Index into CITIES (completed orders) or -1. */
  city: number;
  /** Delivery person number (`dp_<n>`) or 0. */
  courier: number;
}

/**
 * A record waiting on the timeline. One class for all topics keeps the hot path monomorphic;
 * `type`, `a` and `b` mean different things per topic (see each scheduler).
 */
export class Scheduled {
  constructor(
    /** Event time, epoch ms (integer). */
    public t: number,
    /** Tie-breaker: scheduling order. */
    public seq: number,
    /** Topic index. */
    public topic: number,
    /** Event type index (click event, profile action, delivery status; 0 for orders). */
    public type: number,
    public user: User | null,
    public session: Session | null,
    public order: Order | null,
    /** Click: page; profile: name index; delivery: city index. */
    public a: number,
    /** Click: product index or -1; profile: category index; delivery: courier number. */
    public b: number,
    /** Click: search query index (into `Catalog#queries`) or -1; delivery: order number. */
    public query: number,
  ) {}
}

/** Where scheduled records go: the timeline (a heap) or, for calibration, a counter. */
export type Timeline = (item: Scheduled) => void;

/** The state every actor shares. */
export class World {
  /** The world's generator: every draw that shapes events (not faults) comes from here. */
  readonly random: Random;
  readonly catalog: Catalog;
  readonly pools: Pools;
  /** Users by number - 1. */
  readonly users: User[] = [];
  /** Orders placed so far. */
  orders = 0;
  /** Completed orders (each gets a delivery). */
  completed = 0;
  /** Sessions started so far. */
  sessions = 0;
  #seq = 0;
  readonly #timeline: Timeline;

  constructor(seed: number, pools: Pools, stream: number, timeline: Timeline) {
    this.random = new Random(seed, stream);
    this.catalog = new Catalog(this.random.fork(), pools);
    this.pools = pools;
    this.#timeline = timeline;
  }

  /** Puts a record on the timeline at time `t` (rounded to the millisecond). */
  schedule(
    t: number,
    topic: number,
    type: number,
    user: User | null,
    session: Session | null,
    order: Order | null,
    a = 0,
    b = -1,
    query = -1,
  ): void {
    this.#timeline(
      new Scheduled(Math.round(t), this.#seq++, topic, type, user, session, order, a, b, query),
    );
  }
}
