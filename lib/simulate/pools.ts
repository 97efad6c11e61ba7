/**
 * Word pools drawn once from faker at start-up: people's names and product adjectives.
 *
 * Faker makes about 50k objects per second, far too slow for the hot path, so the simulator asks
 * it for a few hundred words, seeded and with a fixed reference date, and then draws from these
 * arrays with its own generator. Strings are stored JSON-escaped, ready to splice into a line.
 *
 * @module
 */

import { faker } from "@faker-js/faker/locale/en";

/** The pools the simulator draws from. */
export interface Pools {
  /** Full names ("Ada Lovelace"), JSON-encoded with their quotes. */
  readonly names: readonly string[];
  /** Lower-case product adjectives ("ergonomic"). */
  readonly adjectives: readonly string[];
}

const cache = new Map<number, Pools>();

/**
 * Builds (or returns the cached) pools for `seed`: the same seed always gives the same words.
 *
 * @example
 * ```ts
 * import { buildPools } from "./pools.ts";
 * const pools = buildPools(42);
 * if (pools.names.length === 0 || !pools.names[0].startsWith('"')) throw new Error("bad pool");
 * ```
 */
export function buildPools(seed: number): Pools {
  const hit = cache.get(seed);
  if (hit) return hit;
  // faker's singleton is shared: seed it and draw everything synchronously, in one go.
  faker.seed(seed);
  faker.setDefaultRefDate(new Date("2026-01-01T00:00:00.000Z"));
  const names = new Set<string>();
  for (let i = 0; i < 1200 && names.size < 1000; i++) {
    names.add(`${faker.person.firstName()} ${faker.person.lastName()}`);
  }
  const adjectives = new Set<string>();
  for (let i = 0; i < 300 && adjectives.size < 60; i++) {
    adjectives.add(faker.commerce.productAdjective().toLowerCase());
  }
  const pools: Pools = {
    names: [...names].map((n) => JSON.stringify(n)),
    adjectives: [...adjectives],
  };
  cache.set(seed, pools);
  return pools;
}
