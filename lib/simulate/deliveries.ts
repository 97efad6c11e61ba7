/**
 * Deliveries: every completed order is picked up, travels (one or more in_transit updates) and
 * ends delivered — or failed, or returned — with plausible delays. One city per order, from
 * about fifty world cities written "City, Country" (US cities as "<City>, USA", weighted so
 * returns from the USA always turn up).
 *
 * @module
 */

import { cumulative } from "./random.ts";
import { HOUR, MINUTE } from "./time.ts";
import { DELIVERIES, type Order, type World } from "./world.ts";

/** Cities ("City, Country") with a relative weight. */
export const CITIES: readonly (readonly [string, number])[] = [
  ["New York, USA", 4],
  ["Los Angeles, USA", 3],
  ["Chicago, USA", 2.5],
  ["Houston, USA", 2],
  ["Phoenix, USA", 1.5],
  ["Seattle, USA", 1.5],
  ["Miami, USA", 1.5],
  ["Boston, USA", 1.5],
  ["San Francisco, USA", 1.5],
  ["Atlanta, USA", 1.2],
  ["Toronto, Canada", 1.5],
  ["Vancouver, Canada", 1],
  ["Mexico City, Mexico", 1.5],
  ["São Paulo, Brazil", 1.5],
  ["Rio de Janeiro, Brazil", 1],
  ["Buenos Aires, Argentina", 1],
  ["Bogotá, Colombia", 0.8],
  ["Lima, Peru", 0.8],
  ["Santiago, Chile", 0.8],
  ["London, UK", 2.5],
  ["Manchester, UK", 1],
  ["Paris, France", 2],
  ["Berlin, Germany", 2],
  ["Munich, Germany", 1],
  ["Madrid, Spain", 1.5],
  ["Barcelona, Spain", 1],
  ["Rome, Italy", 1.2],
  ["Milan, Italy", 1],
  ["Amsterdam, Netherlands", 1],
  ["Stockholm, Sweden", 0.8],
  ["Warsaw, Poland", 0.8],
  ["Istanbul, Turkey", 1.2],
  ["Dubai, UAE", 1.2],
  ["Riyadh, Saudi Arabia", 0.8],
  ["Tel Aviv, Israel", 0.6],
  ["Cairo, Egypt", 1],
  ["Lagos, Nigeria", 1],
  ["Nairobi, Kenya", 0.8],
  ["Johannesburg, South Africa", 0.8],
  ["Mumbai, India", 2],
  ["Delhi, India", 2],
  ["Bangalore, India", 1.5],
  ["Singapore, Singapore", 1.2],
  ["Tokyo, Japan", 2],
  ["Osaka, Japan", 1],
  ["Seoul, South Korea", 1.5],
  ["Shanghai, China", 1.5],
  ["Beijing, China", 1.2],
  ["Bangkok, Thailand", 1],
  ["Jakarta, Indonesia", 1],
  ["Manila, Philippines", 0.8],
  ["Sydney, Australia", 1.2],
  ["Melbourne, Australia", 1],
  ["Auckland, New Zealand", 0.6],
];

/** Each city "City, Country" as a JSON string. */
export const CITY_JSON: readonly string[] = CITIES.map(([name]) => JSON.stringify(name));
/** Each city's name alone (no country) as a JSON string: the bare-city fault. */
export const CITY_ONLY_JSON: readonly string[] = CITIES.map(([name]) =>
  JSON.stringify(name.split(", ")[0])
);

/** Number of delivery people (`dp_1` … `dp_1000`, as the original producer). */
export const COURIERS = 1000;

// Indices into DELIVERY_STATUSES.
const PICKED_UP = 0, IN_TRANSIT = 1, DELIVERED = 2, FAILED = 3, RETURNED = 4;

/** Final outcome shares (delivered, failed, returned). */
export const OUTCOME_MIX: readonly number[] = [0.88, 0.06, 0.06];

const CITY_CDF = cumulative(CITIES.map(([, w]) => w));
const OUTCOME_CDF = cumulative(OUTCOME_MIX);

/**
 * Schedules the delivery lifecycle of a completed order placed at `t`: picked_up after 30 min
 * or more, 1–3 in_transit updates hours apart, then delivered, failed (half of them retried
 * and delivered a day later) or returned.
 *
 * Its records wait on the timeline for up to a day, so they hold numbers only (city, courier,
 * order number), not the order: its session, products and user are free once the order's own
 * record is written (a live run at 5,000 events/s holds millions of them).
 */
export function scheduleDelivery(world: World, order: Order, t: number): void {
  const random = world.random;
  order.city = random.weighted(CITY_CDF);
  order.courier = 1 + random.int(COURIERS);
  // Numbers only (city, courier, order number): see above.
  const status = (at: number, type: number) =>
    world.schedule(at, DELIVERIES, type, null, null, null, order.city, order.courier, order.n);
  let now = t + 30 * MINUTE + random.exponential(90 * MINUTE);
  status(now, PICKED_UP);
  const hops = 1 + random.geometric(0.55, 2);
  for (let i = 0; i < hops; i++) {
    now += HOUR + random.exponential(5 * HOUR);
    status(now, IN_TRANSIT);
  }
  now += HOUR + random.exponential(4 * HOUR);
  const outcome = [DELIVERED, FAILED, RETURNED][random.weighted(OUTCOME_CDF)];
  status(now, outcome);
  if (outcome === FAILED && random.chance(0.5)) {
    now += 12 * HOUR + random.exponential(6 * HOUR);
    status(now, IN_TRANSIT);
    now += 2 * HOUR + random.exponential(3 * HOUR);
    status(now, DELIVERED);
  }
}
