/**
 * Faults injected on purpose, so the raw layer looks like a real one: duplicate sends, nulls in
 * original fields, late (out-of-order) records, malformed non-JSON lines, unknown extra fields,
 * and delivery locations without a country. Each record gets at most one fault.
 *
 * Faults draw from their own generator, so the same seed gives the same world (same events,
 * same ids) under every preset; only the faults on top differ.
 *
 * @module
 */

import type { Topic } from "../schema/events.ts";
import { UsageError } from "../errors.ts";
import { CITY_JSON, CITY_ONLY_JSON } from "./deliveries.ts";
import type { Random } from "./random.ts";
import { MINUTE } from "./time.ts";
import { DELIVERIES, PROFILES, type Scheduled } from "./world.ts";

/** The fault presets. */
export const FAULT_PRESETS = ["none", "default", "heavy"] as const;
/** A fault preset name. */
export type FaultPreset = typeof FAULT_PRESETS[number];

/** Probability of each fault per record (they are exclusive: their sum must stay below 1). */
export interface FaultRates {
  /** The record is sent twice: identical line, same event_id, right after the first. */
  duplicate: number;
  /** One original non-key field is null (never the key, event_id or timestamp). */
  nullField: number;
  /** The record is held back and sent after later records of its topic (not profile_creation). */
  late: number;
  /** The line is not JSON (truncated, or a Python dict repr). */
  malformed: number;
  /** The record has an extra field the contract does not name. */
  unknownField: number;
  /** Delivery records only: current_location is the city alone, without ", Country". */
  noCountry: number;
}

/** The rates behind each preset. */
export const FAULT_RATES: { readonly [P in FaultPreset]: Readonly<FaultRates> } = {
  none: { duplicate: 0, nullField: 0, late: 0, malformed: 0, unknownField: 0, noCountry: 0 },
  default: {
    duplicate: 0.01,
    nullField: 0.01,
    late: 0.01,
    malformed: 0.005,
    unknownField: 0.01,
    noCountry: 0.02,
  },
  heavy: {
    duplicate: 0.05,
    nullField: 0.05,
    late: 0.05,
    malformed: 0.03,
    unknownField: 0.05,
    noCountry: 0.08,
  },
};

/** Fault kinds, as decided per record. */
export const Fault = {
  None: 0,
  Duplicate: 1,
  NullField: 2,
  Late: 3,
  Malformed: 4,
  UnknownField: 5,
  NoCountry: 6,
  /** Not a decision: marks the second send of a Duplicate when it is counted. */
  Copy: 7,
} as const;
/** A fault kind. */
export type Fault = typeof Fault[keyof typeof Fault];

/**
 * Original fields that may be nulled, per topic: not the key, and not `timestamp` (the lake
 * partitions by it and the Kafka record timestamp mirrors it).
 */
export const NULLABLE_FIELDS: { readonly [T in Topic]: readonly string[] } = {
  "clickstream": ["event", "page", "referrer", "device"],
  "orders": ["user_id", "items", "total_amount", "payment_method", "status"],
  "user-profiles": ["action", "details"],
  "delivery-status": ["delivery_person_id", "status", "current_location"],
};

/** Extra fields a careless producer might add, with their JSON values. */
const UNKNOWN_FIELDS: readonly string[] = [
  '"coupon_code":"SAVE10"',
  '"app_version":"3.14.2"',
  '"ab_test_group":"B"',
  '"_debug":true',
  '"retry_count":1',
];

/** Chooses each record's fault and applies it to its line. */
export class FaultInjector {
  readonly rates: Readonly<FaultRates>;
  readonly #random: Random;
  readonly #cumulative: number[];
  readonly #active: boolean;

  constructor(preset: FaultPreset, random: Random) {
    const rates = FAULT_RATES[preset];
    if (!rates) throw new UsageError(`Unknown fault preset "${preset}" (none, default, heavy)`);
    this.rates = rates;
    this.#random = random;
    let sum = 0;
    this.#cumulative = [
      rates.duplicate,
      rates.nullField,
      rates.late,
      rates.malformed,
      rates.unknownField,
    ].map((r) => sum += r);
    this.#active = sum > 0 || rates.noCountry > 0;
  }

  /** The fault for `item` (Fault.None most of the time). */
  decide(item: Scheduled): Fault {
    if (!this.#active) return Fault.None;
    const u = this.#random.float();
    const c = this.#cumulative;
    if (u < c[4]) {
      if (u < c[0]) return Fault.Duplicate;
      if (u < c[1]) return Fault.NullField;
      if (u < c[2]) {
        // Users must exist before they act: a profile_creation is never held back.
        return item.topic === PROFILES && item.type === 0 ? Fault.None : Fault.Late;
      }
      if (u < c[3]) return Fault.Malformed;
      return Fault.UnknownField;
    }
    if (item.topic === DELIVERIES && this.#random.float() < this.rates.noCountry) {
      return Fault.NoCountry;
    }
    return Fault.None;
  }

  /** How long a late record is held back at least (1–10 min of event time). */
  lateDelay(): number {
    return MINUTE + Math.floor(this.#random.float() * 9 * MINUTE);
  }

  /** The line with one nullable original field set to null. */
  nullify(topic: Topic, line: string): string {
    const event = JSON.parse(line) as Record<string, unknown>;
    const fields = NULLABLE_FIELDS[topic];
    event[fields[Math.floor(this.#random.float() * fields.length)]] = null;
    return JSON.stringify(event);
  }

  /** The line with an extra field appended. */
  addUnknown(line: string): string {
    const extra = UNKNOWN_FIELDS[Math.floor(this.#random.float() * UNKNOWN_FIELDS.length)];
    return line.slice(0, -1) + "," + extra + "}";
  }

  /**
   * A non-JSON version of the line: mostly truncated (cut after the event_id, so two malformed
   * lines never coincide), sometimes a Python dict repr like the original producers printed.
   */
  malform(line: string): string {
    if (this.#random.float() < 0.2) {
      return line.replaceAll('"', "'").replaceAll(":null", ":None").replaceAll(":true", ":True");
    }
    const min = Math.max(60, Math.floor(line.length / 3));
    return line.slice(0, min + Math.floor(this.#random.float() * (line.length - 1 - min)));
  }

  /** The delivery line with its location reduced to the city. */
  bareCity(item: Scheduled, line: string): string {
    return line.slice(0, line.length - CITY_JSON[item.a].length - 1) + CITY_ONLY_JSON[item.a] + "}";
  }
}
