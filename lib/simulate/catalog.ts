/**
 * The shop's catalogue: products across the five categories, with Zipf-like popularity inside
 * each category, plausible prices, and the search terms shoppers type.
 *
 * @module
 */

import { CATEGORIES } from "../schema/events.ts";
import { cumulative, Random, zipfWeights } from "./random.ts";
import type { Pools } from "./pools.ts";

/** Index into {@linkcode CATEGORIES}. */
export type CategoryIndex = number;

/** Share of products and of shoppers' interest per category (same order as CATEGORIES). */
export const CATEGORY_MIX: readonly number[] = [0.24, 0.28, 0.14, 0.18, 0.16];

/** Log-normal price model per category: median, spread (σ of ln) and bounds, in currency units. */
const PRICE_MODEL: readonly { median: number; sigma: number; min: number; max: number }[] = [
  { median: 120, sigma: 0.9, min: 9.99, max: 2499 }, // electronics
  { median: 35, sigma: 0.6, min: 4.99, max: 400 }, // fashion
  { median: 80, sigma: 0.8, min: 14.99, max: 1500 }, // home_appliances
  { median: 40, sigma: 0.8, min: 4.99, max: 800 }, // sports
  { median: 18, sigma: 0.6, min: 2.99, max: 150 }, // beauty
];

/** What shoppers search for, per category. */
const SEARCH_TERMS: readonly (readonly string[])[] = [
  [
    "headphones",
    "laptop",
    "phone case",
    "usb c cable",
    "smartwatch",
    "monitor",
    "keyboard",
    "tablet",
    "charger",
    "speaker",
    "camera",
    "earbuds",
  ],
  [
    "sneakers",
    "jeans",
    "dress",
    "t-shirt",
    "jacket",
    "hoodie",
    "boots",
    "handbag",
    "sunglasses",
    "scarf",
    "socks",
    "belt",
  ],
  [
    "coffee maker",
    "blender",
    "vacuum",
    "air fryer",
    "toaster",
    "kettle",
    "microwave",
    "fan",
    "heater",
    "iron",
    "dishwasher",
    "mixer",
  ],
  [
    "yoga mat",
    "dumbbells",
    "running shoes",
    "bike helmet",
    "tennis racket",
    "football",
    "water bottle",
    "tent",
    "backpack",
    "jump rope",
    "gloves",
    "treadmill",
  ],
  [
    "lipstick",
    "moisturizer",
    "shampoo",
    "perfume",
    "sunscreen",
    "face mask",
    "mascara",
    "serum",
    "nail polish",
    "conditioner",
    "cleanser",
    "eyeliner",
  ],
];

/** Number of products (`prod_1` … `prod_1000`, as the original producers). */
export const PRODUCT_COUNT = 1000;

/** The catalogue: parallel arrays indexed by product index (0-based; `prod_<index+1>`). */
export class Catalog {
  /** `prod_<n>` per product. */
  readonly ids: readonly string[];
  /** Category index per product. */
  readonly category: Uint8Array;
  /** Price in cents per product. */
  readonly priceCents: Int32Array;
  /** JSON-encoded search queries, category by category. */
  readonly queries: readonly string[];
  /** Per category: where its queries start in `queries`, and how many there are. */
  readonly #queryStart: readonly number[];
  readonly #queryCount: readonly number[];
  readonly #members: Int32Array[];
  readonly #popularity: Float64Array[];
  readonly #categoryCdf: Float64Array;

  /** Builds the catalogue from `random` (its draws fix categories, prices and popularity). */
  constructor(random: Random, pools: Pools) {
    this.#categoryCdf = cumulative(CATEGORY_MIX);
    this.ids = Array.from({ length: PRODUCT_COUNT }, (_, i) => `prod_${i + 1}`);
    this.category = new Uint8Array(PRODUCT_COUNT);
    this.priceCents = new Int32Array(PRODUCT_COUNT);
    const members: number[][] = CATEGORIES.map(() => []);
    for (let i = 0; i < PRODUCT_COUNT; i++) {
      const c = random.weighted(this.#categoryCdf);
      this.category[i] = c;
      this.priceCents[i] = drawPriceCents(random, c);
      members[c].push(i);
    }
    // Popularity rank is a random permutation inside each category: prod_1 is not the best seller.
    this.#members = members.map((list) => {
      const shuffled = Int32Array.from(list);
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      return shuffled;
    });
    this.#popularity = this.#members.map((list) => cumulative(zipfWeights(list.length, 1.07)));
    const perCategory = SEARCH_TERMS.map((terms) => {
      const out: string[] = [];
      for (const term of terms) {
        out.push(JSON.stringify(term));
        for (let k = 0; k < 3; k++) {
          out.push(JSON.stringify(`${random.pick(pools.adjectives)} ${term}`));
        }
      }
      return out;
    });
    this.queries = perCategory.flat();
    this.#queryCount = perCategory.map((list) => list.length);
    this.#queryStart = perCategory.map((_, c) =>
      perCategory.slice(0, c).reduce((sum, list) => sum + list.length, 0)
    );
  }

  /** A category drawn from the overall interest mix. */
  drawCategory(random: Random): CategoryIndex {
    return random.weighted(this.#categoryCdf);
  }

  /** A product of category `c`, popular ones far more often (Zipf, s = 1.07). */
  drawProduct(random: Random, c: CategoryIndex): number {
    return this.#members[c][random.weighted(this.#popularity[c])];
  }

  /** A search query for category `c`: its index in `queries`. */
  drawQuery(random: Random, c: CategoryIndex): number {
    return this.#queryStart[c] + random.int(this.#queryCount[c]);
  }
}

function drawPriceCents(random: Random, c: CategoryIndex): number {
  const m = PRICE_MODEL[c];
  const raw = Math.min(m.max, Math.max(m.min, m.median * Math.exp(m.sigma * random.normal())));
  // Most shop prices end in .99; the rest keep their cents.
  const cents = random.chance(0.6) ? Math.floor(raw) * 100 + 99 : Math.round(raw * 100);
  return Math.max(100, cents);
}
