/**
 * The original project's four Python producers, reproduced: records exactly as they sent them
 * (ORIGINAL.md "Producers"), for `simulate --format original` and `produce --format original`.
 *
 * - Each topic is its own producer, sending at the same steady pace (a sleep between sends), with
 *   every field drawn independently and uniformly: an order's user and a delivery's order are
 *   random ids, unrelated to any other record; `order_id` counts up from 1.
 * - Field names, order and value formats are the producers': no `event_id`, no `session_id`;
 *   `timestamp` is the wall-clock time `YYYY-MM-DD HH:MM:SS` in the producers' zone (`zone`,
 *   i.e. `EVENT_TIME_ZONE`); the JSON is what Python's `json.dumps` writes (`", "` and `": "`
 *   separators, non-ASCII escaped as `\u00e3`, floats with a `.0` when whole).
 * - Keys: clickstream none, orders and deliveries `order_id`, user-profiles `user_id`; no headers.
 * - Faults (`--faults`) are applied as in our format: duplicate sends, a null in an original
 *   non-key field, a late record (its timestamp 1–10 minutes behind), a non-JSON line (cut, or a
 *   printed Python dict), an unknown extra field, a delivery location without a country.
 *
 * Deterministic: same seed and options (with a fixed `start`) ⇒ the same records, byte for byte.
 *
 * @module
 */

import {
  CATEGORIES,
  CLICK_EVENTS,
  DELIVERY_STATUSES,
  DEVICES,
  ORDER_STATUSES,
  PAGES,
  PAYMENT_METHODS,
  PROFILE_ACTIONS,
  REFERRERS,
  type Topic,
  TOPICS,
} from "../schema/events.ts";
import { formatWallTime, parseEventTime } from "../schema/event_time.ts";
import { CITIES } from "./deliveries.ts";
import { Fault, FAULT_RATES, type FaultRates, NULLABLE_FIELDS } from "./faults.ts";
import { type Manifest, ManifestBuilder } from "./manifest.ts";
import { type ResolvedOptions, resolveOptions, type SimulateOptions } from "./options.ts";
import { Random } from "./random.ts";
import type { SimRecord } from "./simulation.ts";
import { MINUTE } from "./time.ts";

/** Users the original producers drew from (`user_1` … `user_100000`). */
export const ORIGINAL_USERS = 100_000;
/** Products (`prod_1` … `prod_1000`). */
export const ORIGINAL_PRODUCTS = 1000;
/** Orders a delivery refers to (`order_1` … `order_50000`). */
export const ORIGINAL_DELIVERY_ORDERS = 50_000;
/** Delivery people (`dp_1` … `dp_1000`). */
export const ORIGINAL_COURIERS = 1000;
/** The cities of the delivery producer, drawn uniformly. */
export const ORIGINAL_CITIES: readonly string[] = CITIES.map(([name]) => name);

/** Generator streams of the original format (apart from the v1 simulation's). */
const TIME_STREAM = 40, FAULT_STREAM = 41, TOPIC_STREAM = 42;

/** Extra fields a careless producer might add (Python's spacing). */
const UNKNOWN_FIELDS = [
  ['"coupon_code"', '"SAVE10"'],
  ['"app_version"', '"3.14.2"'],
  ['"ab_test_group"', '"B"'],
  ['"_debug"', "true"],
  ['"retry_count"', "1"],
] as const;

/** A JSON string as Python's `json.dumps` writes it (ASCII only: `\uXXXX` escapes, lower case). */
export function pythonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** A float as Python's `json.dumps` writes it (`50.0`, `12.5`). */
export function pythonFloat(x: number): string {
  const text = String(x);
  return Number.isInteger(x) && !text.includes("e") ? text + ".0" : text;
}

/** Python's `round(x, 2)` for the amounts at hand (no exact ties occur in them). */
function round2(x: number): number {
  return Number(x.toFixed(2));
}

/** A record's fields in producer order, values already JSON (Python style). */
type Fields = Array<[name: string, json: string]>;

function toJson(fields: Fields): string {
  return "{" + fields.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ") + "}";
}

/** What a Python dict printed with `print(event)` looks like: the malformed-line fault. */
function pythonRepr(fields: Fields): string {
  return "{" +
    fields.map(([k, v]) =>
      `'${k}': ${
        v.replaceAll('"', "'").replace(/^null$/, "None").replace(/^true$/, "True").replaceAll(
          ": null",
          ": None",
        )
      }`
    ).join(", ") + "}";
}

/** One producer: its topic, its own random draws, its next send time and its counter. */
interface Producer {
  topic: Topic;
  index: number;
  random: Random;
  next: number;
  count: number;
}

/**
 * The original producers' records as a lazy, deterministic iterable (see the module doc), with
 * the same surface as the simulation of our format: iterate it, or take `batches`; `manifest`
 * describes what the latest iteration yielded.
 *
 * @example
 * ```ts
 * import { OriginalSimulation } from "./original.ts";
 * const sim = new OriginalSimulation({ seed: 1, events: 8, start: new Date("2026-11-26T00:00:00Z") });
 * const click = [...sim].find((r) => r.topic === "clickstream")!;
 * click.key; // null: the clickstream producer sent no key
 * JSON.parse(click.value).timestamp; // e.g. "2026-11-26 00:00:41"
 * ```
 */
export class OriginalSimulation implements Iterable<SimRecord> {
  /** The options, defaults filled in. */
  readonly options: ResolvedOptions;
  #builder: ManifestBuilder;

  constructor(options: SimulateOptions = {}) {
    this.options = resolveOptions({ ...options, format: "original" });
    this.#builder = new ManifestBuilder(this.options, FAULT_RATES[this.options.faults]);
  }

  /** The manifest of the records yielded so far by the latest iteration. */
  get manifest(): Manifest {
    return this.#builder.build();
  }

  /** Yields the records one by one, in emission (send) order. */
  *[Symbol.iterator](): Generator<SimRecord, void, undefined> {
    for (const batch of this.batches(64)) yield* batch;
  }

  /** Yields the records in emission order, in fresh arrays of about `size` records. */
  *batches(size = 256): Generator<SimRecord[], void, undefined> {
    const run = new OriginalRun(this.options);
    this.#builder = run.builder;
    let batch: SimRecord[] = [];
    while (run.emitted < this.options.events) {
      run.step(batch, this.options.events);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}

/** One pass of the four producers. */
class OriginalRun {
  readonly builder: ManifestBuilder;
  emitted = 0;
  readonly #o: ResolvedOptions;
  readonly #rates: FaultRates;
  readonly #faults: Random;
  readonly #producers: Producer[];
  /** Mean time between two sends of one producer, ms. */
  readonly #gap: number;
  readonly #users = new Set<number>();
  #orders = 0;
  #completed = 0;

  constructor(o: ResolvedOptions) {
    this.#o = o;
    this.#rates = FAULT_RATES[o.faults];
    this.builder = new ManifestBuilder(o, this.#rates);
    this.builder.worldCounts = () => ({
      users: this.#users.size,
      sessions: 0,
      orders: this.#orders,
      completedOrders: this.#completed,
    });
    this.#faults = new Random(o.seed, FAULT_STREAM);
    // Four producers at the same pace share the records: each sends every `gap` ms on average.
    this.#gap = o.span * TOPICS.length / Math.max(o.events, 1);
    const time = new Random(o.seed, TIME_STREAM);
    this.#producers = TOPICS.map((topic, index) => ({
      topic,
      index,
      random: new Random(o.seed, TOPIC_STREAM + index),
      next: o.start + time.float() * this.#gap,
      count: 0,
    }));
  }

  /** Emits the next send (one record, two for a duplicate) into `out`, up to `target` records. */
  step(out: SimRecord[], target: number): void {
    let p = this.#producers[0];
    for (const q of this.#producers) if (q.next < p.next) p = q;
    const t = Math.round(p.next);
    // A steady loop: the send, then a sleep, with a little jitter.
    p.next += this.#gap * (0.75 + 0.5 * p.random.float());
    p.count++;
    const fields = this.#draw(p);
    const key = keyOf(p.topic, fields);
    const eventType = typeOf(p.topic, fields);
    const fault = this.#decide(p.topic);
    let time = t;
    if (fault === Fault.Late) time = t - MINUTE - Math.floor(this.#faults.float() * 9 * MINUTE);
    const wall = formatWallTime(time, this.#o.zone);
    fields.splice(timestampAt(p.topic), 0, ["timestamp", `"${wall}"`]);
    // The instant the pipeline will read back (seconds cut; an ambiguous hour read early).
    const eventTime = parseEventTime(wall, this.#o.zone) ?? time;
    let value: string;
    if (fault === Fault.NullField) {
      const nullable = NULLABLE_FIELDS[p.topic];
      const name = nullable[Math.floor(this.#faults.float() * nullable.length)];
      fields.find((f) => f[0] === name)![1] = "null";
      value = toJson(fields);
    } else if (fault === Fault.UnknownField) {
      const [k, v] = UNKNOWN_FIELDS[Math.floor(this.#faults.float() * UNKNOWN_FIELDS.length)];
      value = toJson(fields).slice(0, -1) + `, ${k}: ${v}}`;
    } else if (fault === Fault.NoCountry) {
      const location = fields.find((f) => f[0] === "current_location")!;
      location[1] = pythonString(JSON.parse(location[1]).split(", ")[0]);
      value = toJson(fields);
    } else if (fault === Fault.Malformed) {
      const text = toJson(fields);
      value = this.#faults.float() < 0.2
        ? pythonRepr(fields)
        : text.slice(0, Math.floor(text.length / 3) + this.#faults.int(text.length / 2));
    } else value = toJson(fields);
    const record: SimRecord = {
      topic: p.topic,
      key,
      value,
      eventType,
      timestamp: time,
      format: "original",
    };
    this.#emit(out, target, record, p.index, eventTime, fault);
    if (fault === Fault.Duplicate) {
      this.#emit(out, target, { ...record }, p.index, eventTime, Fault.Copy);
    }
  }

  #emit(
    out: SimRecord[],
    target: number,
    record: SimRecord,
    topic: number,
    t: number,
    fault: Fault,
  ) {
    if (this.emitted >= target) return;
    out.push(record);
    this.emitted++;
    this.builder.count(topic, t, record.eventType, fault);
  }

  /** The fault of one send (at most one, as in our format). */
  #decide(topic: Topic): Fault {
    const r = this.#rates;
    const u = this.#faults.float();
    let sum = r.duplicate;
    if (u < sum) return Fault.Duplicate;
    if (u < (sum += r.nullField)) return Fault.NullField;
    if (u < (sum += r.late)) return Fault.Late;
    if (u < (sum += r.malformed)) return Fault.Malformed;
    if (u < (sum += r.unknownField)) return Fault.UnknownField;
    if (topic === "delivery-status" && r.noCountry > 0 && this.#faults.float() < r.noCountry) {
      return Fault.NoCountry;
    }
    return Fault.None;
  }

  /** The fields of one record but its timestamp, drawn as the topic's producer drew them. */
  #draw(p: Producer): Fields {
    const r = p.random;
    const q = JSON.stringify;
    const user = () => {
      const n = r.range(1, ORIGINAL_USERS);
      this.#users.add(n);
      return n;
    };
    switch (p.topic) {
      case "clickstream":
        return [
          ["event", q(r.pick(CLICK_EVENTS))],
          ["user_id", q(`user_${user()}`)],
          ["page", q(r.pick(PAGES))],
          ["referrer", q(r.pick(REFERRERS))],
          ["device", q(r.pick(DEVICES))],
        ];
      case "orders": {
        const items: string[] = [];
        let total = 0;
        for (let i = r.range(1, 5); i > 0; i--) {
          const quantity = r.range(1, 5);
          const price = round2(10 + r.float() * 90);
          total += quantity * price;
          items.push(
            `{"product_id": "prod_${
              r.range(1, ORIGINAL_PRODUCTS)
            }", "quantity": ${quantity}, "price": ${pythonFloat(price)}}`,
          );
        }
        const status = r.pick(ORDER_STATUSES);
        this.#orders++;
        if (status === "completed") this.#completed++;
        return [
          ["order_id", q(`order_${p.count}`)],
          ["user_id", q(`user_${user()}`)],
          ["items", `[${items.join(", ")}]`],
          ["total_amount", pythonFloat(round2(total))],
          ["payment_method", q(r.pick(PAYMENT_METHODS))],
          ["status", q(status)],
        ];
      }
      case "user-profiles": {
        const n = user();
        return [
          ["user_id", q(`user_${n}`)],
          ["action", q(r.pick(PROFILE_ACTIONS))],
          [
            "details",
            `{"email": "user${n}@example.com", "name": "User${n}", "preferred_category": ${
              q(r.pick(CATEGORIES))
            }}`,
          ],
        ];
      }
      default:
        return [
          ["order_id", q(`order_${r.range(1, ORIGINAL_DELIVERY_ORDERS)}`)],
          ["delivery_person_id", q(`dp_${r.range(1, ORIGINAL_COURIERS)}`)],
          ["status", q(r.pick(DELIVERY_STATUSES))],
          ["current_location", pythonString(r.pick(ORIGINAL_CITIES))],
        ];
    }
  }
}

/** Where `timestamp` goes among a topic's fields (the producers' order). */
function timestampAt(topic: Topic): number {
  return topic === "user-profiles" ? 1 : 2;
}

function keyOf(topic: Topic, fields: Fields): string | null {
  if (topic === "clickstream") return null;
  const name = topic === "user-profiles" ? "user_id" : "order_id";
  return JSON.parse(fields.find((f) => f[0] === name)![1]);
}

function typeOf(topic: Topic, fields: Fields): string {
  const field = topic === "clickstream"
    ? "event"
    : topic === "user-profiles"
    ? "action"
    : topic === "delivery-status"
    ? "status"
    : undefined;
  return field === undefined ? "order" : JSON.parse(fields.find((f) => f[0] === field)![1]);
}
