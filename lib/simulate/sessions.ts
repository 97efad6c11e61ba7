/**
 * Sessions: arrivals with a daily cycle, each a shopping funnel
 * page_view(home) → search(search_results) → click(product_page) → add_to_cart → checkout,
 * with device and referrer mixes. A checkout turns the cart into an order.
 *
 * @module
 */

import { cumulative } from "./random.ts";
import { dailyWeight, PEAK_WEIGHT, SECOND } from "./time.ts";
import { placeOrder } from "./orders.ts";
import type { Population } from "./users.ts";
import { CLICKSTREAM, type Session, type World } from "./world.ts";

// Indices into CLICK_EVENTS and PAGES (events.ts order).
const PAGE_VIEW = 0, SEARCH = 1, CLICK = 2, ADD_TO_CART = 3, CHECKOUT = 4;
const HOME_PAGE = 0, PRODUCT_PAGE = 1, SEARCH_RESULTS = 2, CHECKOUT_PAGE = 3;

/** Device shares (mobile, desktop, tablet). */
export const DEVICE_MIX: readonly number[] = [0.55, 0.35, 0.10];
/** Referrer shares (google.com, facebook.com, email_campaign, direct). */
export const REFERRER_MIX: readonly number[] = [0.38, 0.20, 0.15, 0.27];
/** Chance a browsing round starts with a search (otherwise from the home page). */
const SEARCH_SHARE = 0.7;
/** Chance a viewed product goes into the cart. */
const ADD_SHARE = 0.3;
/** Chance a session with a non-empty cart checks out. */
const CHECKOUT_SHARE = 0.65;
/** Quantity shares for 1..5 of an item. */
const QUANTITY_CDF = cumulative([0.72, 0.18, 0.06, 0.03, 0.01]);
/** At most this many distinct products per order (as the original producer). */
const MAX_LINES = 5;

const DEVICE_CDF = cumulative(DEVICE_MIX);
const REFERRER_CDF = cumulative(REFERRER_MIX);

/**
 * Session arrivals: a Poisson process whose rate follows the daily cycle (by thinning).
 * `rate` is sessions per ms at daily weight 1.
 */
export class Arrivals {
  #t: number;
  readonly #rate: number;
  readonly #world: World;

  constructor(world: World, start: number, rate: number) {
    this.#world = world;
    this.#t = start;
    this.#rate = rate;
    this.advance();
  }

  /** The start of the next session (epoch ms, fractional). */
  get next(): number {
    return this.#t;
  }

  /** Moves to the following arrival. */
  advance(): void {
    const random = this.#world.random;
    const peak = this.#rate * PEAK_WEIGHT;
    do {
      this.#t += random.exponential(1 / peak);
    } while (random.float() * PEAK_WEIGHT > dailyWeight(this.#t));
  }
}

/** Gap between two clicks of a session: a few seconds of reading, sometimes much longer. */
function gap(world: World): number {
  return 2 * SECOND + world.random.exponential(25 * SECOND);
}

/**
 * Plays one session starting at `t`: schedules its clickstream (and profile events, and the
 * order if it checks out) on the world's timeline. Every scheduled time is ≥ `t`.
 */
export function playSession(world: World, population: Population, t: number): void {
  const random = world.random;
  const catalog = world.catalog;
  const { user, begin } = population.visitor(t);
  world.sessions++;
  const session: Session = {
    // The draws of `random.uuid()`, kept as numbers: the encoder formats them.
    id: [random.uint32(), random.uint32(), random.uint32(), random.uint32()],
    user,
    device: random.weighted(DEVICE_CDF),
    referrer: random.weighted(REFERRER_CDF),
  };
  let now = begin;
  world.schedule(now, CLICKSTREAM, PAGE_VIEW, user, session, null, HOME_PAGE);
  const products: number[] = [];
  const quantities: number[] = [];
  const rounds = 1 + random.geometric(0.45, 5);
  for (let r = 0; r < rounds; r++) {
    const category = random.chance(0.5) ? user.category : catalog.drawCategory(random);
    if (random.chance(SEARCH_SHARE)) {
      now += gap(world);
      const query = catalog.drawQuery(random, category);
      world.schedule(now, CLICKSTREAM, SEARCH, user, session, null, SEARCH_RESULTS, -1, query);
    }
    const clicks = 1 + random.geometric(0.5, 3);
    for (let c = 0; c < clicks; c++) {
      now += gap(world);
      const product = catalog.drawProduct(random, category);
      world.schedule(now, CLICKSTREAM, CLICK, user, session, null, PRODUCT_PAGE, product);
      if (random.chance(ADD_SHARE)) {
        now += gap(world);
        world.schedule(now, CLICKSTREAM, ADD_TO_CART, user, session, null, PRODUCT_PAGE, product);
        const quantity = 1 + random.weighted(QUANTITY_CDF);
        const line = products.indexOf(product);
        if (line >= 0) quantities[line] = Math.min(5, quantities[line] + quantity);
        else if (products.length < MAX_LINES) {
          products.push(product);
          quantities.push(quantity);
        }
      }
    }
    population.maybeUpdate(user, now);
  }
  if (products.length > 0 && random.chance(CHECKOUT_SHARE)) {
    now += gap(world);
    world.schedule(now, CLICKSTREAM, CHECKOUT, user, session, null, CHECKOUT_PAGE);
    placeOrder(world, session, products, quantities, now + SECOND + random.exponential(4 * SECOND));
  }
}
