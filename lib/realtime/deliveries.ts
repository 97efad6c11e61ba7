/**
 * The delivery metrics: delivery events per country and status, each country's delivered, failed
 * and returned rates, and order delivery times (`min(delivered) − min(picked_up)`) with their
 * percentiles, as the module doc of `metrics.ts` defines them.
 *
 * An order's times are open until the watermark passes both events; then its time is final and
 * kept as one number per country. Open orders wait in a map, filed in two time indexes
 * (`time_index.ts`): by their later time, so a tick finalises exactly the orders the watermark
 * passed, and (with a horizon) by their earlier time, so a tick forgets exactly those the horizon
 * passed; neither visits the other open orders.
 *
 * @module
 */
import { bumpPair, label, type PairCounts, pairs, UNKNOWN } from "./_counts.ts";
import { TimeIndex } from "./time_index.ts";
import { compareKeys, percentile } from "./topn.ts";

/** Delivery events per country and status. */
export interface DeliveryStatusRow {
  country: string;
  status: string;
  events: number;
}

/** Delivery outcomes and times of one country. */
export interface CountryDeliveryRow {
  country: string;
  events: number;
  delivered: number;
  failed: number;
  returned: number;
  deliveredRate: number | null;
  failedRate: number | null;
  returnedRate: number | null;
  /** Orders with both a picked_up and a delivered event (delivered in this country). */
  timed: number;
  p50Minutes: number | null;
  p90Minutes: number | null;
}

/** The country of a `"City, Country"` location (`"unknown"` when there is none). */
export function countryOf(location: unknown): string {
  if (typeof location !== "string") return UNKNOWN;
  const at = location.indexOf(", ");
  return at < 0 ? UNKNOWN : location.slice(at + 2);
}

const TERMINAL = ["delivered", "failed", "returned"] as const;

interface DeliveryTimes {
  pickedUp: number;
  delivered: number;
  country: string;
  /** The bucket of the earlier time the order is filed in (`#horizonIndex`), NaN if none. */
  bucket: number;
  /** With both times known, the bucket of the later one it is filed in (`#finalIndex`). */
  finalBucket: number;
}

/** Final delivery times of one country, in the order they became final. */
interface TimedDeliveries {
  /** Delivered time of each, epoch ms (for the horizon). */
  at: number[];
  /** Delivered − picked_up, ms. */
  ms: number[];
  /** Entries before this index are forgotten. */
  head: number;
}

/** Delivery state and counts, fed accepted delivery-status events. */
export class Deliveries {
  /** Event time open and final delivery state is kept behind the watermark, ms; 0 keeps all. */
  readonly #horizon: number;
  readonly #byStatus: PairCounts = new Map();
  /** Orders whose delivery time is not final yet. */
  readonly #open = new Map<string, DeliveryTimes>();
  /**
   * The orders of `#open` with both times known, by the later one: an order is final
   * once the watermark passes it, so a tick looks at these instead of every open order.
   */
  readonly #finalIndex: TimeIndex;
  /** Open orders by their earlier delivery time, for the horizon (only with one). */
  readonly #horizonIndex: TimeIndex;
  /** Final delivery times per country. */
  readonly #timed = new Map<string, TimedDeliveries>();

  /** `grid`: the width of the time index buckets (the metrics' tick). */
  constructor(grid: number, horizon = 0) {
    this.#horizon = horizon;
    this.#horizonIndex = new TimeIndex(grid);
    this.#finalIndex = new TimeIndex(grid);
  }

  /** Adds one accepted delivery-status event at event time `t`. */
  add(e: Record<string, unknown>, t: number): void {
    const status = label(e.status);
    const country = countryOf(e.current_location);
    bumpPair(this.#byStatus, country, status);
    if (status !== "picked_up" && status !== "delivered") return;
    const order = e.order_id as string;
    let times = this.#open.get(order);
    if (times === undefined) {
      times = {
        pickedUp: Infinity,
        delivered: Infinity,
        country: UNKNOWN,
        bucket: NaN,
        finalBucket: NaN,
      };
      this.#open.set(order, times);
    }
    if (status === "picked_up") {
      if (t < times.pickedUp) times.pickedUp = t;
    } else if (t < times.delivered) {
      times.delivered = t;
      times.country = country;
    }
    if (this.#horizon > 0) {
      const first = Math.min(times.pickedUp, times.delivered);
      times.bucket = this.#horizonIndex.file(order, first, times.bucket);
    }
    const final = Math.max(times.pickedUp, times.delivered);
    if (final !== Infinity) {
      times.finalBucket = this.#finalIndex.file(order, final, times.finalBucket);
    }
  }

  /**
   * Keeps an order's delivery time as one number once it is final (the watermark passed both
   * events: no accepted event can be earlier), and forgets what lies `deliveryHorizon` behind.
   */
  advance(watermark: number): void {
    const open = this.#open;
    this.#finalIndex.sweep(watermark, (order) => {
      const t = open.get(order);
      if (t === undefined) return undefined;
      const final = Math.max(t.pickedUp, t.delivered);
      // Infinity: filed before, then forgotten and seen again with one time only (not final).
      if (final === Infinity) return undefined;
      if (final >= watermark) return final;
      let timed = this.#timed.get(t.country);
      if (timed === undefined) this.#timed.set(t.country, timed = { at: [], ms: [], head: 0 });
      timed.at.push(t.delivered);
      timed.ms.push(t.delivered - t.pickedUp);
      open.delete(order);
    });
    const horizon = this.#horizon;
    const cutoff = watermark - horizon;
    if (horizon <= 0) return;
    this.#horizonIndex.sweep(cutoff, (order) => {
      const t = open.get(order);
      const first = t && Math.min(t.pickedUp, t.delivered);
      if (first === undefined || first >= cutoff) return first;
      open.delete(order);
    });
    for (const timed of this.#timed.values()) {
      while (timed.head < timed.at.length && timed.at[timed.head] < cutoff) timed.head++;
      if (timed.head > 1024 && timed.head * 2 > timed.at.length) {
        timed.at.splice(0, timed.head);
        timed.ms.splice(0, timed.head);
        timed.head = 0;
      }
    }
  }

  /** Orders whose delivery time is not final yet. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Final delivery times kept. */
  get timedCount(): number {
    let n = 0;
    for (const t of this.#timed.values()) n += t.at.length - t.head;
    return n;
  }

  /** Events per country and status, and each country's outcomes and times. */
  snapshot(): { byStatus: DeliveryStatusRow[]; countries: CountryDeliveryRow[] } {
    const byStatus = [...pairs(this.#byStatus)].map(([country, status, events]) => {
      return { country, status, events };
    }).sort((a, b) => compareKeys(a.country, b.country) || compareKeys(a.status, b.status));
    const durations = new Map<string, number[]>();
    for (const [country, timed] of this.#timed) {
      if (timed.head < timed.ms.length) durations.set(country, timed.ms.slice(timed.head));
    }
    for (const t of this.#open.values()) {
      if (t.pickedUp === Infinity || t.delivered === Infinity) continue;
      let list = durations.get(t.country);
      if (list === undefined) durations.set(t.country, list = []);
      list.push(t.delivered - t.pickedUp);
    }
    const countries = new Map<string, CountryDeliveryRow>();
    const row = (country: string) => {
      let r = countries.get(country);
      if (r === undefined) {
        r = {
          country,
          events: 0,
          delivered: 0,
          failed: 0,
          returned: 0,
          deliveredRate: null,
          failedRate: null,
          returnedRate: null,
          timed: 0,
          p50Minutes: null,
          p90Minutes: null,
        };
        countries.set(country, r);
      }
      return r;
    };
    for (const { country, status, events } of byStatus) {
      const r = row(country);
      r.events += events;
      if ((TERMINAL as readonly string[]).includes(status)) {
        r[status as typeof TERMINAL[number]] += events;
      }
    }
    for (const [country, list] of durations) {
      const r = row(country);
      list.sort((a, b) => a - b);
      r.timed = list.length;
      r.p50Minutes = minutes(percentile(list, 50));
      r.p90Minutes = minutes(percentile(list, 90));
    }
    for (const r of countries.values()) {
      const terminal = r.delivered + r.failed + r.returned;
      if (terminal > 0) {
        r.deliveredRate = r.delivered / terminal;
        r.failedRate = r.failed / terminal;
        r.returnedRate = r.returned / terminal;
      }
    }
    return {
      byStatus,
      countries: [...countries.values()].sort((a, b) => compareKeys(a.country, b.country)),
    };
  }
}

function minutes(ms: number | null): number | null {
  return ms === null ? null : ms / 60_000;
}
