/**
 * A small, fast, seeded pseudo-random generator (sfc32) and the draws the simulator needs.
 *
 * `Math.random()` cannot be seeded, and faker is far too slow for the hot path, so every random
 * choice in the simulator goes through one of these. Same seed, same sequence, on every machine.
 *
 * @module
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const TWO_POW_32 = 4294967296;

/** splitmix32: spreads an arbitrary integer seed over a well-mixed 32-bit word. */
function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded generator (sfc32: 128-bit state, passes PractRand to 2^40 bytes, ~1 ns per draw).
 *
 * @example
 * ```ts
 * import { Random } from "./random.ts";
 * const a = new Random(42), b = new Random(42);
 * if (a.uuid() !== b.uuid()) throw new Error("not deterministic");
 * ```
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /**
   * Seeds with any safe integer; `stream` picks one of many independent sequences per seed.
   */
  constructor(seed: number, stream = 0) {
    const hi = Math.floor(seed / TWO_POW_32);
    const mix = splitmix32(
      (seed >>> 0) ^ Math.imul(hi | 0, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1),
    );
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix() | 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const a = this.#a, b = this.#b, c = this.#c, d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A uniform integer in [min, max] (both included). */
  range(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** An exponentially distributed duration with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** A standard normal draw (Box–Muller; one of the pair is thrown away for simplicity). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** The number of failures before the first success, each trial succeeding with `p`, capped. */
  geometric(p: number, cap: number): number {
    let n = 0;
    while (n < cap && this.float() >= p) n++;
    return n;
  }

  /** A uniform element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** An index drawn from cumulative weights (as built by {@linkcode cumulative}). */
  weighted(cdf: Float64Array): number {
    const x = this.float() * cdf[cdf.length - 1];
    let lo = 0, hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A random (version 4) UUID drawn from this generator, lower-case. */
  uuid(): string {
    const a = this.uint32(), b = this.uint32(), c = this.uint32(), d = this.uint32();
    return HEX[a >>> 24] + HEX[(a >>> 16) & 255] + HEX[(a >>> 8) & 255] + HEX[a & 255] + "-" +
      HEX[b >>> 24] + HEX[(b >>> 16) & 255] + "-" +
      HEX[0x40 | ((b >>> 8) & 15)] + HEX[b & 255] + "-" +
      HEX[0x80 | ((c >>> 24) & 63)] + HEX[(c >>> 16) & 255] + "-" +
      HEX[(c >>> 8) & 255] + HEX[c & 255] +
      HEX[d >>> 24] + HEX[(d >>> 16) & 255] + HEX[(d >>> 8) & 255] + HEX[d & 255];
  }

  /** A new generator whose sequence is independent of this one's future draws. */
  fork(): Random {
    return new Random(this.uint32() * 65536 + (this.uint32() >>> 16));
  }
}

/**
 * Cumulative sums of `weights`, for {@linkcode Random.weighted}.
 *
 * @example
 * ```ts
 * import { cumulative, Random } from "./random.ts";
 * const cdf = cumulative([1, 0, 3]);
 * const i = new Random(1).weighted(cdf);
 * if (i === 1) throw new Error("weight 0 drawn");
 * ```
 */
export function cumulative(weights: readonly number[]): Float64Array {
  const cdf = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) cdf[i] = sum += weights[i];
  return cdf;
}

/** Weights 1/rank^s for ranks 1..n: the Zipf-like skew of product popularity. */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}
