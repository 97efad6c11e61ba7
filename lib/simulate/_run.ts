/**
 * One pass of the simulation loop: sessions arrive, their records go on a timeline, and records
 * leave it in event-time order as JSON lines — with faults applied and late ones displaced on
 * purpose — into a {@linkcode Sink}.
 *
 * @module
 */

import { TOPICS } from "../schema/events.ts";
import { Timeline } from "./_heap.ts";
import type { Line } from "./_line.ts";
import { Encoder, eventTypeOf } from "./encode.ts";
import { Fault, FaultInjector } from "./faults.ts";
import { ManifestBuilder } from "./manifest.ts";
import type { ResolvedOptions } from "./options.ts";
import { buildPools } from "./pools.ts";
import { Random } from "./random.ts";
import { Arrivals, playSession } from "./sessions.ts";
import { MINUTE } from "./time.ts";
import { Population } from "./users.ts";
import { type Scheduled, World } from "./world.ts";

/**
 * Where a run's records go, in emission order. A record's line is encoded where the sink wants
 * it (files: at the end of the topic's buffer, so it need not be copied), then the sink is told
 * to keep it, or is given a string instead: faults are applied to the text, and a late record
 * is kept as text until it is released.
 */
export interface Sink {
  /** A begun line, with LINE_ROOM bytes of room, to encode `item` into. */
  lineFor(item: Scheduled): Line;
  /** Keeps `line`, just encoded from `item`; a second call keeps a second copy. */
  bytes(item: Scheduled, line: Line): void;
  /** A record whose line is `text` (not the line last encoded, which is dropped). */
  text(item: Scheduled, text: string): void;
}

/** A late record held back until later records of its topic have gone. */
interface Held {
  item: Scheduled;
  text: string;
  releaseAt: number;
  forceAt: number;
}

/** Late records are released at the latest this long after their event time. */
const MAX_HOLD = 20 * MINUTE;
/** Generator streams per seed: the world, the faults, the calibration run, the event ids. */
export const WORLD_STREAM = 0, FAULT_STREAM = 1, PILOT_STREAM = 2, ID_STREAM = 3;

/** One pass of the simulation loop, emitting records into a sink. */
export class Run {
  readonly builder: ManifestBuilder;
  /** Records emitted so far. */
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

  /** A run of `o` at `sessionRate` sessions per ms (at daily weight 1). */
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

  /**
   * Takes the next record off the timeline and emits what it gives (0–3 records, plus late ones
   * released), stopping at `target` records in all.
   */
  step(sink: Sink, target: number): void {
    const timeline = this.#timeline;
    const arrivals = this.#arrivals;
    let next = timeline.peek();
    while (next === undefined || arrivals.next <= next.t) {
      playSession(this.#world, this.#population, arrivals.next);
      arrivals.advance();
      next = timeline.peek();
    }
    const item = timeline.pop()!;
    // Overdue late records go first, so nothing arrives before what it depends on.
    if (item.t >= this.#nextForce) this.#release(sink, target, item.t, -1);
    // Ids are drawn in timeline order, which no fault changes: same world, same ids.
    const line = this.#encoder.encode(item, this.#ids, sink.lineFor(item));
    const fault = this.#faults.decide(item);
    if (fault === Fault.Late) {
      const releaseAt = item.t + this.#faults.lateDelay();
      const forceAt = item.t + MAX_HOLD;
      this.#held.push({ item, text: line.text(), releaseAt, forceAt });
      if (forceAt < this.#nextForce) this.#nextForce = forceAt;
      if (releaseAt < this.#nextRelease[item.topic]) this.#nextRelease[item.topic] = releaseAt;
      return;
    }
    if (fault === Fault.None || fault === Fault.Duplicate) {
      this.#emitBytes(sink, target, item, line, fault);
    } else if (this.emitted < target) {
      this.#emitText(sink, target, item, this.#faulty(item, line.text(), fault), fault);
    }
    // Late records of this topic whose delay has passed now follow a later record.
    if (item.t >= this.#nextRelease[item.topic]) this.#release(sink, target, item.t, item.topic);
  }

  /** The line with `fault` applied. */
  #faulty(item: Scheduled, text: string, fault: Fault): string {
    const faults = this.#faults;
    return fault === Fault.NullField
      ? faults.nullify(TOPICS[item.topic], text)
      : fault === Fault.UnknownField
      ? faults.addUnknown(text)
      : fault === Fault.Malformed
      ? faults.malform(text)
      : faults.bareCity(item, text);
  }

  #emitBytes(sink: Sink, target: number, item: Scheduled, line: Line, fault: Fault): void {
    if (this.emitted >= target) return;
    sink.bytes(item, line);
    this.#count(item, fault);
    if (fault === Fault.Duplicate && this.emitted < target) {
      sink.bytes(item, line);
      this.#count(item, Fault.Copy);
    }
  }

  #emitText(sink: Sink, target: number, item: Scheduled, text: string, fault: Fault): void {
    if (this.emitted >= target) return;
    sink.text(item, text);
    this.#count(item, fault);
  }

  #count(item: Scheduled, fault: Fault): void {
    this.emitted++;
    this.builder.count(item.topic, item.t, eventTypeOf(item), fault);
  }

  /** Emits held records that are overdue at `t`, or due and of `topic`, in holding order. */
  #release(sink: Sink, target: number, t: number, topic: number): void {
    const held = this.#held;
    const nextRelease = this.#nextRelease;
    this.#nextForce = Infinity;
    nextRelease.fill(Infinity);
    for (let i = 0; i < held.length;) {
      const h = held[i];
      if (t >= h.forceAt || (h.item.topic === topic && t >= h.releaseAt)) {
        held.splice(i, 1);
        this.#emitText(sink, target, h.item, h.text, Fault.None);
      } else {
        if (h.forceAt < this.#nextForce) this.#nextForce = h.forceAt;
        if (h.releaseAt < nextRelease[h.item.topic]) nextRelease[h.item.topic] = h.releaseAt;
        i++;
      }
    }
  }
}
