/**
 * The real-time aggregator: a pure, deterministic object, separate from Kafka. Feed it events
 * (`add`) or raw record values (`addLine`) in arrival order; read every metric with `snapshot()`.
 *
 * Each event goes through five gates, in this order, and lands in exactly one outcome:
 *
 * 1. **malformed** — not a valid raw record (the one rule, `lib/schema/raw.ts`: UTF-8, JSON, an
 *    object, one line, under the size limit), or without a string key field or a `timestamp` with
 *    an event time (wall-clock times read in the `eventTimeZone` option), or with an `event_id`
 *    that is not a non-empty string (see `decode.ts`): counted per topic and per reason, skipped.
 * 2. **future** — event time more than `maxFuture` ahead of the wall clock (`now`; a live run), or,
 *    with `futureClock: "record"` (a replay, whose result must depend on the log only), ahead of
 *    the record's own Kafka timestamp (when it has one): a producer with a wrong clock (off unless
 *    set). Counted per topic, not added, and it does not move the watermark, which one such event
 *    would otherwise push ahead for good (every later event would count as late).
 * 3. **late** — event time strictly before the watermark (the smallest of the sources' max event
 *    times − allowed lateness; a source is a Kafka partition, see `watermark.ts`): counted per
 *    topic, reported with the latest ones, not added.
 * 4. **duplicate** — an identity already accepted: the `event_id`, or for a record without one
 *    (the original producers') its content key, a hash of its canonical JSON
 *    (`lib/schema/identity.ts`). Identities are remembered until the watermark passes them, when
 *    any copy would be late anyway (see `dedupe.ts`): counted per topic, not added again.
 * 5. **accepted** — added to every metric (see `metrics.ts`), in event time: an out-of-order
 *    event within the allowed lateness lands in the window it belongs to, so the result does not
 *    depend on arrival order as long as no event is late.
 *
 * State is bounded where a live run needs it: event ids by the lateness, sessions by the session
 * timeout, final windows by `retention`, delivery state by `deliveryHorizon` (both 0, keep all,
 * by default: a replay is bounded by its input; {@linkcode LIVE_DEFAULTS} bounds a live run).
 *
 * Accepted events with a null in an original field are counted (`nullFields`) and kept: each
 * metric treats the null as documented in `metrics.ts` (grouped as "unknown", or left out of
 * that one metric). Unknown extra fields are ignored.
 *
 * @module
 */
import { type Topic, TOPICS } from "../schema/events.ts";
import { checkTimeZone, DEFAULT_EVENT_TIME_ZONE } from "../schema/event_time.ts";
import { UsageError } from "../errors.ts";
import { type Decoded, decodeEvent, decodeLine, hasNullField, type Malformed } from "./decode.ts";
import { Deduper } from "./dedupe.ts";
import { isoOrNull } from "./iso.ts";
import { Metrics, type MetricsMemory, type MetricsSnapshot } from "./metrics.ts";
import { Watermark } from "./watermark.ts";

/** Options of {@linkcode createAggregator}. */
export interface AggregatorOptions {
  /** Tumbling window length in ms. @default 60000 (1 min) */
  window?: number;
  /** Allowed lateness in ms. @default 300000 (5 min) */
  lateness?: number;
  /** Sliding window length in ms (active users), a multiple of `slide`. @default 5 × window */
  slidingWindow?: number;
  /** Sliding window step in ms. @default window */
  slide?: number;
  /** Products in each top list. @default 10 */
  topN?: number;
  /** Idle event time after which a session's funnel counts are final, in ms. @default 1800000 */
  sessionTimeout?: number;
  /** Late events kept for the report (the latest ones). @default 20 */
  keepLate?: number;
  /**
   * The IANA zone of wall-clock timestamps without a zone (`EVENT_TIME_ZONE`), such as the
   * original producers' `2026-11-26 10:15:30`. @default "UTC"
   */
  eventTimeZone?: string;
  /**
   * Events more than this far ahead of the wall clock (`now`) count as "future", ms; 0: no such
   * check. @default 0 (see {@linkcode LIVE_DEFAULTS})
   */
  maxFuture?: number;
  /**
   * What `maxFuture` measures from: `"wall"`, the wall clock (`now`), or `"record"`, the Kafka
   * timestamp handed in with each record (`addLine`'s `recordTime`; a record without one, or
   * with none above 0, is not checked). A replay uses `"record"`: its result depends on the log
   * only, and a record's time far ahead of when its producer wrote it is a wrong clock however
   * long ago that was. @default "wall"
   */
  futureClock?: FutureClock;
  /**
   * Final windows kept this far behind the watermark (event time), ms; 0 keeps all.
   * @default 0 (see {@linkcode LIVE_DEFAULTS})
   */
  retention?: number;
  /**
   * Delivery state (orders waiting for their delivered event, final delivery times) kept this far
   * behind the watermark (event time), ms; 0 keeps all. @default 0 (see {@linkcode LIVE_DEFAULTS})
   */
  deliveryHorizon?: number;
  /** The wall clock for `maxFuture`. @default Date.now */
  now?: () => number;
}

/**
 * Bounds for a live run, whose stream has no end: future events beyond 15 min, final windows
 * kept for an hour, delivery state for a week. The `realtime` CLI's live mode uses them.
 */
export const LIVE_DEFAULTS = {
  maxFuture: 900_000,
  retention: 3_600_000,
  deliveryHorizon: 7 * 86_400_000,
} as const;

/** What `maxFuture` measures from (see {@linkcode AggregatorOptions.futureClock}). */
export type FutureClock = "wall" | "record";

/** The options with every default filled in (the clock left out: it is no setting to show). */
export type ResolvedAggregatorOptions = Required<Omit<AggregatorOptions, "now">>;

/** Malformed records of one topic for one reason. */
export interface MalformedCount {
  topic: Topic;
  /** One of `MALFORMED_REASONS` (`decode.ts`). */
  reason: string;
  count: number;
}

/** What happened to one event. */
export type Outcome = "accepted" | "malformed" | "future" | "late" | "duplicate";

/** Counts of one topic (or all). */
export interface Counts {
  /** Every record handed in. */
  received: number;
  accepted: number;
  malformed: number;
  late: number;
  duplicates: number;
  /** Accepted events with a null in an original field. */
  nullFields: number;
  /** Events too far ahead of the wall clock (`maxFuture`): not added. */
  future: number;
}

/** A late event, as reported. */
export interface LateEvent {
  topic: Topic;
  event_id: string;
  timestamp: string;
  /** The watermark it missed (ISO). */
  watermark: string;
}

/** Everything the aggregator knows, as JSON-ready data. */
export interface Snapshot extends MetricsSnapshot {
  options: ResolvedAggregatorOptions;
  /** Max event time seen (ISO), null before any event. */
  maxEventTime: string | null;
  /** The watermark (ISO): windows ending at or before it are final. Null before any event. */
  watermark: string | null;
  totals: Counts;
  topics: { [T in Topic]: Counts };
  /** The latest late events (at most `keepLate`). */
  lateEvents: LateEvent[];
  /** Malformed records per topic and reason, topic order then most frequent first. */
  malformedReasons: MalformedCount[];
  /** What is held in memory (ids for de-duplication, sessions, windows, deliveries). */
  memory: { eventIds: number } & MetricsMemory;
}

const DEFAULTS = {
  window: 60_000,
  lateness: 300_000,
  topN: 10,
  sessionTimeout: 1_800_000,
  keepLate: 20,
  eventTimeZone: DEFAULT_EVENT_TIME_ZONE,
  maxFuture: 0,
  futureClock: "wall",
  retention: 0,
  deliveryHorizon: 0,
} as const;

/** Fills in defaults and checks every option; throws `UsageError` naming the bad one. */
export function resolveAggregatorOptions(
  options: AggregatorOptions = {},
): ResolvedAggregatorOptions {
  const window = options.window ?? DEFAULTS.window;
  const numbers = {
    window,
    lateness: options.lateness ?? DEFAULTS.lateness,
    slidingWindow: options.slidingWindow ?? 5 * window,
    slide: options.slide ?? window,
    topN: options.topN ?? DEFAULTS.topN,
    sessionTimeout: options.sessionTimeout ?? DEFAULTS.sessionTimeout,
    keepLate: options.keepLate ?? DEFAULTS.keepLate,
    maxFuture: options.maxFuture ?? DEFAULTS.maxFuture,
    retention: options.retention ?? DEFAULTS.retention,
    deliveryHorizon: options.deliveryHorizon ?? DEFAULTS.deliveryHorizon,
  };
  const zeroOk = ["lateness", "keepLate", "maxFuture", "retention", "deliveryHorizon"];
  for (const [name, value] of Object.entries(numbers)) {
    const min = zeroOk.includes(name) ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new UsageError(`Option ${name} must be a whole number ≥ ${min}, got ${value}`);
    }
  }
  if (numbers.slidingWindow % numbers.slide !== 0) {
    throw new UsageError(
      `Option slidingWindow (${numbers.slidingWindow}) must be a multiple of slide (${numbers.slide})`,
    );
  }
  let eventTimeZone: string;
  try {
    eventTimeZone = checkTimeZone(options.eventTimeZone ?? DEFAULTS.eventTimeZone);
  } catch (error) {
    throw new UsageError(`Option eventTimeZone: ${(error as Error).message}`);
  }
  const futureClock = options.futureClock ?? DEFAULTS.futureClock;
  if (futureClock !== "wall" && futureClock !== "record") {
    throw new UsageError(`Option futureClock must be "wall" or "record", got ${futureClock}`);
  }
  return { ...numbers, eventTimeZone, futureClock };
}

const zero = (): Counts => ({
  received: 0,
  accepted: 0,
  malformed: 0,
  late: 0,
  duplicates: 0,
  nullFields: 0,
  future: 0,
});

/**
 * Real-time aggregates over the four topics: see the module doc for how each event is handled.
 *
 * @example
 * ```ts
 * import { Aggregator } from "./aggregator.ts";
 * const agg = new Aggregator({ lateness: 60_000 });
 * const click = (id: string, ts: string) =>
 *   JSON.stringify({ event_id: id, event: "page_view", user_id: "u1", timestamp: ts,
 *     page: "home_page", referrer: "direct", device: "mobile", session_id: "s1" });
 * agg.addLine("clickstream", click("a", "2026-11-26T10:05:00.000Z")); // "accepted"
 * agg.addLine("clickstream", click("a", "2026-11-26T10:05:00.000Z")); // "duplicate"
 * agg.addLine("clickstream", click("b", "2026-11-26T10:03:59.999Z")); // "late"
 * agg.addLine("clickstream", "{oops"); // "malformed"
 * agg.snapshot().totals; // { received: 4, accepted: 1, malformed: 1, late: 1, duplicates: 1, nullFields: 0, future: 0 }
 * ```
 */
export class Aggregator {
  /** The options, defaults filled in. */
  readonly options: ResolvedAggregatorOptions;
  readonly #watermark: Watermark;
  readonly #dedupe: Deduper;
  readonly #metrics: Metrics;
  readonly #counts = Object.fromEntries(TOPICS.map((t) => [t, zero()])) as {
    [T in Topic]: Counts;
  };
  /** The latest late events, their watermark as a number (written out by a snapshot only). */
  readonly #late: Array<Omit<LateEvent, "watermark"> & { watermark: number }> = [];
  /** Malformed counts per `topic \0 reason`. */
  readonly #malformed = new Map<string, number>();
  #tick = -Infinity;
  /** Event time between two housekeeping passes (closing windows, forgetting ids, sessions). */
  readonly #tickMs: number;
  readonly #now: () => number;
  /** The wall clock as last read: refreshed only when an event looks ahead of it. */
  #nowSeen = -Infinity;
  /** `maxFuture` measures from each record's Kafka timestamp (`futureClock: "record"`). */
  readonly #recordClock: boolean;

  constructor(options: AggregatorOptions = {}) {
    this.options = resolveAggregatorOptions(options);
    this.#now = options.now ?? Date.now;
    this.#recordClock = this.options.futureClock === "record";
    this.#watermark = new Watermark(this.options.lateness);
    this.#dedupe = new Deduper({ bucket: this.options.window });
    this.#metrics = new Metrics(this.options);
    // Windows end on multiples of the slide (or window): nothing can close in between.
    this.#tickMs = Math.min(this.options.window, this.options.slide);
  }

  /**
   * Adds one raw record value (the bytes a producer sent, or a JSON line as text) of `topic`,
   * read from `source` (e.g. `"orders/2"`: a partition, read in order; see `watermark.ts`), with
   * its Kafka record timestamp in ms (`recordTime`; only `futureClock: "record"` reads it).
   */
  addLine(
    topic: Topic,
    line: Uint8Array | string | null | undefined,
    source?: string,
    recordTime?: number,
  ): Outcome {
    const decoded = decodeLine(topic, line, this.options.eventTimeZone);
    return this.#add(topic, decoded, source, recordTime);
  }

  /** Adds one parsed event of `topic` (validated the same way as {@linkcode addLine}). */
  add(topic: Topic, event: unknown, source?: string, recordTime?: number): Outcome {
    const decoded = decodeEvent(topic, event, this.options.eventTimeZone);
    return this.#add(topic, decoded, source, recordTime);
  }

  /**
   * Announces the sources (partitions) events will come from, before reading them: the watermark
   * waits until each has delivered an event, so a replay that reads one partition's backlog
   * before another's does not make the other's events late.
   */
  expectSources(sources: Iterable<string>): void {
    this.#watermark.expect(sources);
  }

  #add(topic: Topic, decoded: Decoded | Malformed, source = "", recordTime?: number): Outcome {
    const counts = this.#counts[topic];
    if (counts === undefined) throw new UsageError(`Unknown topic "${topic}"`);
    counts.received++;
    if (!decoded.ok) {
      counts.malformed++;
      const key = topic + "\u0000" + decoded.reason;
      this.#malformed.set(key, (this.#malformed.get(key) ?? 0) + 1);
      return "malformed";
    }
    const { event, time, id } = decoded;
    if (this.#isFuture(time, recordTime)) {
      counts.future++;
      return "future";
    }
    const watermark = this.#watermark;
    if (watermark.isLate(time)) {
      counts.late++;
      const late = this.#late;
      late.push({
        topic,
        event_id: id,
        timestamp: String(event.timestamp),
        watermark: watermark.value,
      });
      if (late.length > this.options.keepLate) late.shift();
      return "late";
    }
    if (!this.#dedupe.firstSeen(id, time)) {
      counts.duplicates++;
      return "duplicate";
    }
    counts.accepted++;
    if (hasNullField(topic, event)) counts.nullFields++;
    this.#metrics.add(topic, event, time);
    watermark.observe(time, source);
    this.#housekeep();
    return "accepted";
  }

  /** Whether an event at `time` is too far ahead of its clock (see `maxFuture`). */
  #isFuture(time: number, recordTime: number | undefined): boolean {
    const maxFuture = this.options.maxFuture;
    if (maxFuture === 0) return false;
    if (this.#recordClock) {
      // No timestamp (-1 is Kafka's "none"), or one that is no time: nothing to check against.
      return recordTime !== undefined && recordTime > 0 && time > recordTime + maxFuture;
    }
    if (time <= this.#nowSeen + maxFuture) return false;
    this.#nowSeen = this.#now();
    return time > this.#nowSeen + maxFuture;
  }

  /** Closes windows and forgets ids once the watermark has passed another tick. */
  #housekeep() {
    const watermark = this.#watermark.value;
    const tick = Math.floor(watermark / this.#tickMs);
    if (tick > this.#tick) {
      this.#tick = tick;
      this.#metrics.advance(watermark);
      this.#dedupe.forgetBefore(watermark);
    }
  }

  /**
   * Marks a source idle: it no longer holds the watermark back until its next event (see
   * `watermark.ts`), so windows the other sources have passed close. The consumer calls it for a
   * partition read to its end and quiet for `idleTimeoutMs`. Returns whether the watermark moved.
   */
  markIdle(source: string): boolean {
    const moved = this.#watermark.setIdle(source);
    if (moved) this.#housekeep();
    return moved;
  }

  /** The current watermark (epoch ms), `-Infinity` before any event. */
  get watermark(): number {
    return this.#watermark.value;
  }

  /**
   * Every metric and count, as JSON-ready data (a fresh object each call). Never throws: a
   * watermark not yet known (a source announced but silent) is null.
   */
  snapshot(): Snapshot {
    const totals = zero();
    const topics = {} as { [T in Topic]: Counts };
    for (const t of TOPICS) {
      topics[t] = { ...this.#counts[t] };
      for (const k of Object.keys(totals) as Array<keyof Counts>) totals[k] += topics[t][k];
    }
    return {
      options: { ...this.options },
      maxEventTime: isoOrNull(this.#watermark.maxEventTime),
      watermark: isoOrNull(this.#watermark.value),
      totals,
      topics,
      lateEvents: this.#late.map((e) => ({ ...e, watermark: isoOrNull(e.watermark) ?? "" })),
      malformedReasons: [...this.#malformed].map(([key, count]) => {
        const [topic, reason] = key.split("\u0000") as [Topic, string];
        return { topic, reason, count };
      }).sort((a, b) =>
        TOPICS.indexOf(a.topic) - TOPICS.indexOf(b.topic) || b.count - a.count ||
        (a.reason < b.reason ? -1 : 1)
      ),
      memory: { eventIds: this.#dedupe.size, ...this.#metrics.memory },
      ...this.#metrics.snapshot(),
    };
  }
}

/**
 * Creates an {@linkcode Aggregator}.
 *
 * @example
 * ```ts
 * import { createAggregator } from "./aggregator.ts";
 * const agg = createAggregator({ window: 60_000, lateness: 300_000 });
 * agg.snapshot().totals.received; // 0
 * ```
 */
export function createAggregator(options: AggregatorOptions = {}): Aggregator {
  return new Aggregator(options);
}
