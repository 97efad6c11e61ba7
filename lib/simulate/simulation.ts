/**
 * The simulation loop: sessions arrive, their records go on a timeline, and records leave it in
 * event-time order as JSON lines — with faults applied and late ones displaced on purpose —
 * until the requested number of records has been emitted.
 *
 * @module
 */

import { type Topic, TOPICS } from "../schema/events.ts";
import { Timeline } from "./_heap.ts";
import { Encoder, eventTypeOf, keyOf } from "./encode.ts";
import { Fault, FAULT_RATES, FaultInjector } from "./faults.ts";
import { type Manifest, ManifestBuilder } from "./manifest.ts";
import { type ResolvedOptions, resolveOptions, type SimulateOptions } from "./options.ts";
import { buildPools, type Pools } from "./pools.ts";
import { Random } from "./random.ts";
import { Arrivals, playSession } from "./sessions.ts";
import { MINUTE, weightedSpan } from "./time.ts";
import { Population } from "./users.ts";
import { type Scheduled, World } from "./world.ts";

/** One record to produce: what Kafka needs, and the exact bytes of its value. */
export interface SimRecord {
  /** Topic base name. */
  topic: Topic;
  /** Record key: the KEY_FIELD's value (user_id or order_id). */
  key: string;
  /** The exact JSON line (no newline), or a malformed non-JSON string. */
  value: string;
  /** For the `event-type` header: click event, "order", profile action or delivery status. */
  eventType: string;
  /** Event time in epoch ms, for the Kafka record timestamp. */
  timestamp: number;
}

/** A late record held back until later records of its topic have gone. */
interface Held {
  item: Scheduled;
  line: string;
  releaseAt: number;
  forceAt: number;
}

/** Late records are released at the latest this long after their event time. */
const MAX_HOLD = 20 * MINUTE;
/** Generator streams per seed: the world, the faults, the calibration run, the event ids. */
const WORLD_STREAM = 0, FAULT_STREAM = 1, PILOT_STREAM = 2, ID_STREAM = 3;
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

/** One pass of the simulation loop, emitting records into the caller's arrays. */
class Run {
  readonly builder: ManifestBuilder;
  emitted = 0;
  readonly #timeline = new Timeline();
  readonly #world: World;
  readonly #population: Population;
  readonly #arrivals: Arrivals;
  readonly #encoder: Encoder;
  readonly #ids: Random;
  readonly #faults: FaultInjector;
  readonly #held: Held[] = [];
  /** Earliest forceAt among held records. */
  #nextForce = Infinity;
  /** Earliest releaseAt among held records, per topic. */
  readonly #nextRelease = [Infinity, Infinity, Infinity, Infinity];

  constructor(o: ResolvedOptions, sessionRate: number) {
    const pools = buildPools(o.seed);
    const timeline = this.#timeline;
    const world = this.#world = new World(o.seed, pools, WORLD_STREAM, (i) => timeline.push(i));
    this.#population = new Population(world);
    this.#arrivals = new Arrivals(world, o.start, sessionRate);
    this.#encoder = new Encoder(world.catalog, pools);
    this.#ids = new Random(o.seed, ID_STREAM);
    this.#faults = new FaultInjector(o.faults, new Random(o.seed, FAULT_STREAM));
    this.builder = new ManifestBuilder(o, this.#faults.rates);
    this.builder.worldCounts = () => ({
      users: world.users.length,
      sessions: world.sessions,
      orders: world.orders,
      completedOrders: world.completed,
    });
  }

  /** Takes the next record off the timeline and appends what it emits (0–3 records). */
  step(out: SimRecord[], target: number): void {
    const timeline = this.#timeline;
    const arrivals = this.#arrivals;
    let next = timeline.peek();
    while (next === undefined || arrivals.next <= next.t) {
      playSession(this.#world, this.#population, arrivals.next);
      arrivals.advance();
      next = timeline.peek();
    }
    const item = timeline.pop()!;
    // Ids are drawn in timeline order, which no fault changes: same world, same ids.
    const line = this.#encoder.encode(item, this.#ids.uuid());
    const fault = this.#faults.decide(item);
    // Overdue late records go first, so nothing arrives before what it depends on.
    if (item.t >= this.#nextForce) this.#release(out, target, item.t, -1);
    if (fault === Fault.Late) {
      const releaseAt = item.t + this.#faults.lateDelay();
      const forceAt = item.t + MAX_HOLD;
      this.#held.push({ item, line, releaseAt, forceAt });
      if (forceAt < this.#nextForce) this.#nextForce = forceAt;
      if (releaseAt < this.#nextRelease[item.topic]) this.#nextRelease[item.topic] = releaseAt;
      return;
    }
    this.#emit(out, target, item, line, fault);
    // Late records of this topic whose delay has passed now follow a later record.
    if (item.t >= this.#nextRelease[item.topic]) this.#release(out, target, item.t, item.topic);
  }

  #emit(out: SimRecord[], target: number, item: Scheduled, line: string, fault: Fault): void {
    if (this.emitted >= target) return;
    const faults = this.#faults;
    const value = fault === Fault.None || fault === Fault.Duplicate
      ? line
      : fault === Fault.NullField
      ? faults.nullify(TOPICS[item.topic], line)
      : fault === Fault.UnknownField
      ? faults.addUnknown(line)
      : fault === Fault.Malformed
      ? faults.malform(line)
      : faults.bareCity(item, line);
    const eventType = eventTypeOf(item);
    const record: SimRecord = {
      topic: TOPICS[item.topic],
      key: keyOf(item),
      value,
      eventType,
      timestamp: item.t,
    };
    out.push(record);
    this.emitted++;
    this.builder.count(item.topic, item.t, eventType, fault);
    if (fault === Fault.Duplicate && this.emitted < target) {
      out.push({ ...record });
      this.emitted++;
      this.builder.count(item.topic, item.t, eventType, Fault.Copy);
    }
  }

  /** Emits held records that are overdue at `t`, or due and of `topic`, in holding order. */
  #release(out: SimRecord[], target: number, t: number, topic: number): void {
    const held = this.#held;
    const nextRelease = this.#nextRelease;
    this.#nextForce = Infinity;
    nextRelease.fill(Infinity);
    for (let i = 0; i < held.length;) {
      const h = held[i];
      if (t >= h.forceAt || (h.item.topic === topic && t >= h.releaseAt)) {
        held.splice(i, 1);
        this.#emit(out, target, h.item, h.line, Fault.None);
      } else {
        if (h.forceAt < this.#nextForce) this.#nextForce = h.forceAt;
        if (h.releaseAt < nextRelease[h.item.topic]) nextRelease[h.item.topic] = h.releaseAt;
        i++;
      }
    }
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
 * get {@linkcode SimRecord}s in emission order; a live producer can pace the iteration.
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
export function simulate(options: SimulateOptions = {}): Simulation {
  return new Simulation(options);
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
  const sim = new Simulation(options);
  for (const _ of sim) { /* drain */ }
  return sim.manifest;
}
