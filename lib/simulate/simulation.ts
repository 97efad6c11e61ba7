/**
 * A simulation as a lazy, repeatable iterable of Kafka-ready records, and the calibration that
 * makes the requested number of records fill the requested span.
 *
 * @module
 */

import { type Topic, TOPICS } from "../schema/events.ts";
import { Line } from "./_line.ts";
import { PILOT_STREAM, Run, type Sink } from "./_run.ts";
import { eventTypeOf, keyOf } from "./encode.ts";
import { FAULT_RATES } from "./faults.ts";
import { type Manifest, ManifestBuilder } from "./manifest.ts";
import { type ResolvedOptions, resolveOptions, type SimulateOptions } from "./options.ts";
import { buildPools, type Pools } from "./pools.ts";
import { Arrivals, playSession } from "./sessions.ts";
import { weightedSpan } from "./time.ts";
import { OriginalSimulation } from "./original.ts";
import { Population } from "./users.ts";
import { type Scheduled, World } from "./world.ts";

/** One record to produce: what Kafka needs, and the exact bytes of its value. */
export interface SimRecord {
  /** Topic base name. */
  topic: Topic;
  /**
   * Record key: the KEY_FIELD's value (user_id or order_id); null for the original producers'
   * clickstream, which they sent without a key.
   */
  key: string | null;
  /** The exact JSON line (no newline), or a malformed non-JSON string. */
  value: string;
  /** For the `event-type` header: click event, "order", profile action or delivery status. */
  eventType: string;
  /** Event time in epoch ms, for the Kafka record timestamp. */
  timestamp: number;
  /**
   * `original` for the original producers' records (sent without headers, as they were);
   * absent for ours.
   */
  format?: "original";
}

/** Sessions the calibration run plays to learn how many records a session yields. */
const PILOT_SESSIONS = 4000;

/**
 * A deterministic simulation: iterate it for its records, in emission order. Each iteration
 * starts over and yields the same records; `manifest` describes the records yielded so far by
 * the latest iteration (complete once it has finished).
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * const sim = new Simulation({ seed: 7, events: 50, start: new Date("2026-11-26T00:00:00Z") });
 * const records = [...sim];
 * if (records.length !== 50 || sim.manifest.totals.records !== 50) throw new Error("count");
 * ```
 */
export class Simulation implements Iterable<SimRecord> {
  /** The options, defaults filled in. */
  readonly options: ResolvedOptions;
  #builder: ManifestBuilder;
  #rate = NaN;

  constructor(options: SimulateOptions = {}) {
    this.options = resolveOptions(options);
    this.#builder = new ManifestBuilder(this.options, FAULT_RATES[this.options.faults]);
  }

  /** The manifest of the records yielded so far by the latest iteration. */
  get manifest(): Manifest {
    return this.#builder.build();
  }

  /** Sessions per ms (at daily weight 1) that make `events` records fill the span. */
  get sessionRate(): number {
    if (Number.isNaN(this.#rate)) {
      this.#rate = calibrate(this.options, buildPools(this.options.seed));
    }
    return this.#rate;
  }

  /** Yields the records one by one, in emission order. */
  *[Symbol.iterator](): Generator<SimRecord, void, undefined> {
    for (const batch of this.batches(64)) yield* batch;
  }

  /**
   * Yields the records in emission order, in fresh arrays of about `size` records (the last
   * may be shorter). Cheaper than one-by-one for bulk work (files, `sendBatch`). Keep batches
   * small: records held in a large batch survive garbage collections and slow everything down.
   */
  *batches(size = 256): Generator<SimRecord[], void, undefined> {
    const run = new Run(this.options, this.sessionRate);
    this.#builder = run.builder;
    const sink = new RecordSink();
    while (run.emitted < this.options.events) {
      run.step(sink, this.options.events);
      if (sink.records.length >= size) {
        yield sink.records;
        sink.records = [];
      }
    }
    if (sink.records.length > 0) yield sink.records;
  }
}

/** Makes the records of a run into {@linkcode SimRecord}s. */
class RecordSink implements Sink {
  records: SimRecord[] = [];
  readonly #line = new Line();

  lineFor(): Line {
    this.#line.begin(this.#line.bytes, 0);
    return this.#line;
  }

  bytes(item: Scheduled, line: Line): void {
    this.text(item, line.text());
  }

  text(item: Scheduled, text: string): void {
    this.records.push({
      topic: TOPICS[item.topic],
      key: keyOf(item),
      value: text,
      eventType: eventTypeOf(item),
      timestamp: item.t,
    });
  }
}

/**
 * Plays a pilot run of the same model (its own seed, no output) and returns the session rate
 * that makes `events` records fill the span, counting only records that fall inside it.
 */
function calibrate(o: ResolvedOptions, pools: Pools): number {
  const effective = weightedSpan(o.start, o.end);
  let records = 0;
  const world = new World(o.seed, pools, PILOT_STREAM, (item) => {
    if (item.t < o.end) records++;
  });
  const population = new Population(world);
  const arrivals = new Arrivals(world, o.start, PILOT_SESSIONS / effective);
  let sessions = 0;
  while (arrivals.next < o.end) {
    playSession(world, population, arrivals.next);
    arrivals.advance();
    sessions++;
  }
  const perSession = sessions > 0 && records > 0 ? records / sessions : 8;
  return Math.max(o.events, 1) / (perSession * effective);
}

/**
 * A lazy, deterministic simulation of the shop (see {@linkcode SimulateOptions}). Iterate it to
 * get {@linkcode SimRecord}s in emission order; a live producer can pace the iteration. With
 * `format: "original"`, the original producers' records instead (`original.ts`).
 *
 * @example
 * ```ts
 * import { simulate } from "./simulation.ts";
 * const start = new Date("2026-11-26T00:00:00Z");
 * const a = [...simulate({ seed: 1, events: 20, start })].map((r) => r.value).join("\n");
 * const b = [...simulate({ seed: 1, events: 20, start })].map((r) => r.value).join("\n");
 * if (a !== b) throw new Error("not deterministic");
 * ```
 */
export function simulate(options: SimulateOptions = {}): Simulation | OriginalSimulation {
  return options.format === "original" ? new OriginalSimulation(options) : new Simulation(options);
}

/**
 * Runs a simulation to the end without keeping its records and returns its manifest.
 *
 * @example
 * ```ts
 * import { manifest } from "./simulation.ts";
 * const m = manifest({ events: 100, faults: "none", start: new Date("2026-11-26T00:00:00Z") });
 * if (m.totals.records !== 100 || m.totals.valid !== 100) throw new Error("count");
 * ```
 */
export function manifest(options: SimulateOptions = {}): Manifest {
  const sim = simulate(options);
  for (const _ of sim) { /* drain */ }
  return sim.manifest;
}
