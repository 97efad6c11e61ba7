/**
 * The live feed: the real-time aggregator's views pushed to every connected browser over
 * Server-Sent Events, once per tick.
 *
 * Each tick (every `interval` ms) takes one snapshot and builds one {@linkcode LiveView} per
 * distinct filter among the subscribers, serialised once and written to every subscriber with
 * that filter, so twenty browsers with the same filter cost one view. Nothing is built when no
 * one listens, or when nothing changed since the last tick (records read, watermark, lag) and no
 * subscriber's range moves with the clock.
 *
 * Views cost time that the aggregator then lacks: a tick that took `c` ms to build waits at least
 * `c × (1 − budget) / budget` ms before the next, so building never takes more than `budget` of
 * the time (a long history makes snapshots slower; updates then come less often, never the
 * reading of records).
 *
 * @module
 */
import type { Aggregator, Snapshot } from "../realtime/mod.ts";
import { type Filter, filterKey } from "./filter.ts";
import { LagTracker } from "./lag.ts";
import { type LiveView, liveView } from "./view.ts";

/** Where reading Kafka stands, for the status line. */
export interface FeedStatus {
  /** `starting` before the consumer joined, `reading`, or `error` (retrying). */
  state: "starting" | "reading" | "error";
  /** Why, for `error` (one line, no secrets: the Kafka client's message). */
  message?: string;
  /** While `reading`: topics gone from the broker (deleted), whose panels stand still. */
  gone?: string[];
}

/** A live view with where reading Kafka stands: what each `live` event carries. */
export type FeedView = LiveView & { kafka: FeedStatus };

/** Options of {@linkcode LiveFeed}. */
export interface LiveFeedOptions {
  /** Time between two ticks, ms. @default 500 */
  interval?: number;
  /** Largest share of the time spent building views (0–1]. @default 0.1 */
  budget?: number;
  /** Windows kept per windowed panel when the filter has no range. @default 60 */
  maxWindows?: number;
  /** A comment line sent when nothing else went out for this long, ms (keeps proxies open). @default 15000 */
  keepAlive?: number;
  /** Wall clock, epoch ms. @default Date.now */
  now?: () => number;
}

/** The options with every default filled in. */
export type ResolvedLiveFeedOptions = Required<LiveFeedOptions>;

const DEFAULTS = { interval: 500, budget: 0.1, maxWindows: 60, keepAlive: 15_000 } as const;

/** Fills in defaults; throws `RangeError` naming a bad option. */
export function resolveLiveFeedOptions(options: LiveFeedOptions = {}): ResolvedLiveFeedOptions {
  const resolved = {
    interval: options.interval ?? DEFAULTS.interval,
    budget: options.budget ?? DEFAULTS.budget,
    maxWindows: options.maxWindows ?? DEFAULTS.maxWindows,
    keepAlive: options.keepAlive ?? DEFAULTS.keepAlive,
    now: options.now ?? Date.now,
  };
  for (const name of ["interval", "maxWindows", "keepAlive"] as const) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Option ${name} must be a whole number ≥ 1, got ${value}`);
    }
  }
  if (!(resolved.budget > 0 && resolved.budget <= 1)) {
    throw new RangeError(`Option budget must be in (0, 1], got ${resolved.budget}`);
  }
  return resolved;
}

/** One Server-Sent Events frame, as bytes. */
export function sseFrame(event: string, data: string): Uint8Array {
  return ENCODER.encode(`event: ${event}\ndata: ${data}\n\n`);
}

const ENCODER = new TextEncoder();
const KEEP_ALIVE = ENCODER.encode(": keep-alive\n\n");

interface Subscriber {
  filter: Filter;
  key: string;
  send: (frame: Uint8Array) => void;
}

/** What the feed did so far (for tests, benchmarks and the status line). */
export interface FeedStats {
  /** Ticks that built views. */
  builds: number;
  /** Views built (one per distinct filter per build). */
  views: number;
  /** Milliseconds the last build took. */
  lastBuildMs: number;
}

/**
 * Pushes live views of an aggregator to subscribers (see the module doc).
 *
 * @example
 * ```ts
 * import { createAggregator } from "../realtime/mod.ts";
 * import { LiveFeed } from "./feed.ts";
 * import { parseFilter } from "./filter.ts";
 * const feed = new LiveFeed(createAggregator(), { now: () => 0 });
 * const frames: Uint8Array[] = [];
 * const stop = feed.subscribe(parseFilter(new URLSearchParams()), (f) => frames.push(f));
 * frames.length; // 1: the current view, at once
 * stop();
 * ```
 */
export class LiveFeed {
  /** The aggregator the views come from. */
  readonly aggregator: Aggregator;
  /** Consumer lag per partition (the Kafka reader updates it). */
  readonly lag: LagTracker = new LagTracker();
  /** The options, defaults filled in. */
  readonly options: ResolvedLiveFeedOptions;
  /** Where reading Kafka stands. */
  status: FeedStatus = { state: "starting" };
  readonly stats: FeedStats = { builds: 0, views: 0, lastBuildMs: 0 };
  readonly #subscribers = new Set<Subscriber>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #version = "";
  #lastSent = 0;
  #running = false;
  #changes = 0;

  constructor(aggregator: Aggregator, options: LiveFeedOptions = {}) {
    this.aggregator = aggregator;
    this.options = resolveLiveFeedOptions(options);
  }

  /** Subscribers connected now. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /**
   * Tells the feed that the aggregator took records (the Kafka reader calls it per batch): the
   * next tick sends new views.
   */
  changed(): void {
    this.#changes++;
  }

  /** The live view for one filter, now. */
  view(filter: Filter): FeedView {
    return this.#build(this.aggregator.snapshot(), filter);
  }

  #build(snapshot: Snapshot, filter: Filter): FeedView {
    const view = liveView(snapshot, filter, {
      now: this.options.now(),
      lag: this.lag.rows(),
      maxWindows: this.options.maxWindows,
    });
    return { ...view, kafka: { ...this.status } };
  }

  /**
   * Adds a subscriber: `send` gets SSE frames (`event: live`, and whatever
   * {@linkcode broadcast} sends), starting with the current view. Returns the unsubscribe call.
   */
  subscribe(filter: Filter, send: (frame: Uint8Array) => void): () => void {
    const subscriber = { filter, key: filterKey(filter), send };
    this.#subscribers.add(subscriber);
    send(sseFrame("live", JSON.stringify(this.view(filter))));
    return () => this.#subscribers.delete(subscriber);
  }

  /** Sends one event to every subscriber. */
  broadcast(event: string, data: unknown): void {
    const frame = sseFrame(event, JSON.stringify(data));
    for (const s of this.#subscribers) s.send(frame);
  }

  /** Starts ticking (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.options.interval);
  }

  /** Stops ticking; subscribers stay (the server closes their streams). */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#running) this.#timer = setTimeout(() => this.tick(), ms);
  }

  /**
   * One tick: builds and sends the views if anything changed (see the module doc); returns how
   * many views were built and the wait before the next tick, ms. Called by the timer; tests
   * call it directly.
   */
  tick(): { views: number; wait: number } {
    clearTimeout(this.#timer);
    let wait = this.options.interval;
    let views = 0;
    try {
      views = this.#send();
      if (views > 0) {
        const { budget } = this.options;
        wait = Math.max(wait, Math.ceil(this.stats.lastBuildMs * (1 - budget) / budget));
      }
    } finally {
      this.#schedule(wait);
    }
    return { views, wait };
  }

  #send(): number {
    if (this.#subscribers.size === 0) return 0;
    const agg = this.aggregator;
    // What a view shows changes with records, the watermark (idle partitions move it), the lag
    // and the status: if none moved, the views would be the same.
    const version = `${this.#changes}|${agg.watermark}|${this.lag.total}|${this.status.state}|${
      this.status.gone ?? ""
    }`;
    const moving = [...this.#subscribers].some((s) => s.filter.last !== undefined);
    const now = this.options.now();
    if (version === this.#version && !moving) {
      if (now - this.#lastSent >= this.options.keepAlive) {
        for (const s of this.#subscribers) s.send(KEEP_ALIVE);
        this.#lastSent = now;
      }
      return 0;
    }
    const began = performance.now();
    const snapshot = agg.snapshot();
    const groups = new Map<string, Subscriber[]>();
    for (const s of this.#subscribers) {
      const group = groups.get(s.key);
      if (group) group.push(s);
      else groups.set(s.key, [s]);
    }
    for (const group of groups.values()) {
      const frame = sseFrame("live", JSON.stringify(this.#build(snapshot, group[0].filter)));
      for (const s of group) s.send(frame);
    }
    this.#version = version;
    this.#lastSent = now;
    this.stats.builds++;
    this.stats.views += groups.size;
    this.stats.lastBuildMs = performance.now() - began;
    return groups.size;
  }
}
