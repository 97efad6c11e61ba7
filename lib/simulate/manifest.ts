/**
 * The manifest: what a simulation emitted, per topic, with every fault counted by a rule a
 * reader can re-apply to the output alone (the tests do exactly that):
 *
 * - `records`: lines; `malformed`: lines that are not JSON;
 * - `duplicates`: lines identical to an earlier line of the topic (the extra copies);
 * - `nulls`: records with a null in an original non-key field;
 * - `unknownField`: records with a field the contract does not name;
 * - `noCountry`: delivery records whose current_location has no ", Country";
 * - `late`: records whose timestamp is earlier than that of an earlier (JSON) line of the topic;
 * - `valid`: records passing strict validation (`validateEvent` of `tests/schema/_validate.ts`,
 *   which checks these counts, with default options); for the
 *   original format, records holding exactly the original fields, none null, a delivery location
 *   with a country (and copies of them).
 *
 * `format` says which records these are (`v1` or `original`, see `options.ts`); an original
 * format manifest also names the `zone` its wall-clock timestamps are written in.
 *
 * @module
 */

import { SCHEMA_VERSION, type Topic, TOPICS } from "../schema/events.ts";
import { Fault, type FaultPreset, type FaultRates } from "./faults.ts";
import type { Format, ResolvedOptions } from "./options.ts";
import { isoTime } from "./time.ts";

/** Counts for one topic. */
export interface TopicCounts {
  records: number;
  valid: number;
  duplicates: number;
  nulls: number;
  late: number;
  malformed: number;
  unknownField: number;
  noCountry: number;
  /** Earliest event time emitted (ISO), or null when none. */
  first: string | null;
  /** Latest event time emitted (ISO), or null when none. */
  last: string | null;
  /** Records per event type (click event, "order", profile action, delivery status). */
  types: Record<string, number>;
}

/** Counts of the simulated world behind the records (including what was not emitted yet). */
export interface WorldCounts {
  users: number;
  sessions: number;
  orders: number;
  completedOrders: number;
}

/** What a simulation emitted. Deterministic: no wall-clock time in it. */
export interface Manifest {
  generator: "ecom-stream simulate";
  /** `1` for our records, `0` for the original producers'. */
  schemaVersion: string;
  /** Which records: ours (`v1`) or the original producers' (`original`). */
  format: Format;
  /** Original format only: the IANA zone of its wall-clock timestamps. */
  zone?: string;
  seed: number;
  events: number;
  faults: FaultPreset;
  rates: FaultRates;
  /** Span in ms. */
  span: number;
  /** ISO start of the span. */
  start: string;
  /** ISO end of the span (start + span). */
  end: string;
  topics: { [T in Topic]: TopicCounts };
  /** Sums over topics (first/last over all). */
  totals: TopicCounts;
  world: WorldCounts;
}

function emptyCounts(): TopicCounts {
  return {
    records: 0,
    valid: 0,
    duplicates: 0,
    nulls: 0,
    late: 0,
    malformed: 0,
    unknownField: 0,
    noCountry: 0,
    first: null,
    last: null,
    types: {},
  };
}

/** Accumulates the manifest while records are emitted. */
export class ManifestBuilder {
  readonly #options: ResolvedOptions;
  readonly #rates: FaultRates;
  readonly #counts = TOPICS.map(() => emptyCounts());
  readonly #max = TOPICS.map(() => -Infinity);
  readonly #min = TOPICS.map(() => Infinity);
  readonly #hi = TOPICS.map(() => -Infinity);
  /** Reads the world's counts when the manifest is built. */
  worldCounts: () => WorldCounts = () => ({ users: 0, sessions: 0, orders: 0, completedOrders: 0 });

  constructor(options: ResolvedOptions, rates: FaultRates) {
    this.#options = options;
    this.#rates = rates;
  }

  /** Counts one emitted record of topic index `topic`, event time `t`, with its fault. */
  count(topic: number, t: number, eventType: string, fault: Fault): void {
    const c = this.#counts[topic];
    c.records++;
    c.types[eventType] = (c.types[eventType] ?? 0) + 1;
    if (t < this.#min[topic]) this.#min[topic] = t;
    if (t > this.#hi[topic]) this.#hi[topic] = t;
    if (fault === Fault.Malformed) {
      c.malformed++;
      return;
    }
    if (t < this.#max[topic]) c.late++;
    else this.#max[topic] = t;
    if (fault === Fault.Copy) c.duplicates++;
    if (fault === Fault.NullField) c.nulls++;
    else if (fault === Fault.UnknownField) c.unknownField++;
    else if (fault === Fault.NoCountry) c.noCountry++;
    else c.valid++;
  }

  /** The manifest so far. */
  build(): Manifest {
    const o = this.#options;
    const topics = {} as { [T in Topic]: TopicCounts };
    const totals = emptyCounts();
    let min = Infinity, max = -Infinity;
    TOPICS.forEach((topic, i) => {
      const c: TopicCounts = {
        ...this.#counts[i],
        first: Number.isFinite(this.#min[i]) ? isoTime(this.#min[i]) : null,
        last: Number.isFinite(this.#hi[i]) ? isoTime(this.#hi[i]) : null,
        types: sortKeys(this.#counts[i].types),
      };
      topics[topic] = c;
      for (
        const k of [
          "records",
          "valid",
          "duplicates",
          "nulls",
          "late",
          "malformed",
          "unknownField",
          "noCountry",
        ] as const
      ) totals[k] += c[k];
      for (const [type, n] of Object.entries(c.types)) totals.types[type] = n;
      min = Math.min(min, this.#min[i]);
      max = Math.max(max, this.#hi[i]);
    });
    totals.first = Number.isFinite(min) ? isoTime(min) : null;
    totals.last = Number.isFinite(max) ? isoTime(max) : null;
    return {
      generator: "ecom-stream simulate",
      schemaVersion: o.format === "original" ? "0" : SCHEMA_VERSION,
      format: o.format,
      ...(o.format === "original" ? { zone: o.zone } : {}),
      seed: o.seed,
      events: o.events,
      faults: o.faults,
      rates: { ...this.#rates },
      span: o.span,
      start: isoTime(o.start),
      end: isoTime(o.end),
      topics,
      totals,
      world: this.worldCounts(),
    };
  }
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a < b ? -1 : 1));
}
