/**
 * The simulator's options: one interface, defaults in one place, checked up front.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { checkTimeZone, DEFAULT_EVENT_TIME_ZONE } from "../schema/event_time.ts";
import { FAULT_PRESETS, type FaultPreset } from "./faults.ts";
import { HOUR } from "./time.ts";

/**
 * Record formats: `v1`, ours (the event contract: `event_id`, `session_id`, ISO UTC timestamps
 * with ms), and `original`, exactly what the original project's Python producers sent
 * (ORIGINAL.md: no event_id or session_id, `YYYY-MM-DD HH:MM:SS` wall-clock times, keyless
 * clickstream, independent random draws).
 */
export const FORMATS = ["v1", "original"] as const;
/** A record format. */
export type Format = typeof FORMATS[number];

/** Options of {@linkcode simulate} and {@linkcode writeSimulation}. */
export interface SimulateOptions {
  /**
   * Seed of every random draw (any safe integer).
   * @default 42
   */
  seed?: number;
  /**
   * Total records to emit across all topics, faults included (a duplicate counts twice).
   * @default 10000
   */
  events?: number;
  /**
   * Fault preset: `none`, `default` (about 1% each) or `heavy` (about 5% each).
   * @default "default"
   */
  faults?: FaultPreset;
  /**
   * Length of event time the records spread over, in ms. The simulator paces sessions so that
   * `events` records fill it; the last records may end slightly before or after its end.
   * @default 259200000 (72 h)
   */
  span?: number;
  /**
   * Event time of the first session. Fix it for byte-identical reruns.
   * @default now() − span, so the span ends now
   */
  start?: Date;
  /**
   * The clock, read once when `start` is not given.
   * @default () => new Date()
   */
  now?: () => Date;
  /**
   * Record format: ours (`v1`) or the original producers' (`original`).
   * @default "v1"
   */
  format?: Format;
  /**
   * The IANA time zone of the original format's wall-clock timestamps (`EVENT_TIME_ZONE`, so
   * that the pipeline reads them back as the same instants). Unused by `v1`.
   * @default "UTC"
   */
  zone?: string;
}

/** Options with every default filled in and checked. */
export interface ResolvedOptions {
  seed: number;
  events: number;
  faults: FaultPreset;
  span: number;
  /** Epoch ms. */
  start: number;
  /** Epoch ms: start + span. */
  end: number;
  format: Format;
  /** The zone of wall-clock timestamps (original format), as IANA spells it. */
  zone: string;
}

/** The defaults, in one place. */
export const DEFAULTS = {
  seed: 42,
  events: 10_000,
  faults: "default" as FaultPreset,
  span: 72 * HOUR,
  format: "v1" as Format,
  zone: DEFAULT_EVENT_TIME_ZONE,
} as const;

/**
 * Fills in defaults and checks every option; throws UsageError naming the bad one.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "./options.ts";
 * const o = resolveOptions({ start: new Date("2026-11-26T00:00:00Z") });
 * if (o.end - o.start !== 72 * 3600_000) throw new Error("wrong span");
 * ```
 */
export function resolveOptions(options: SimulateOptions = {}): ResolvedOptions {
  const seed = options.seed ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) {
    throw new UsageError(`Option seed must be an integer, got ${seed}`);
  }
  const events = options.events ?? DEFAULTS.events;
  if (!Number.isSafeInteger(events) || events < 0) {
    throw new UsageError(`Option events must be a non-negative integer, got ${events}`);
  }
  const faults = options.faults ?? DEFAULTS.faults;
  if (!(FAULT_PRESETS as readonly string[]).includes(faults)) {
    throw new UsageError(
      `Option faults must be one of ${FAULT_PRESETS.join(", ")}, got "${faults}"`,
    );
  }
  const span = options.span ?? DEFAULTS.span;
  if (!Number.isFinite(span) || span < 1000) {
    throw new UsageError(`Option span must be at least 1000 ms, got ${span}`);
  }
  let start: number;
  if (options.start !== undefined) {
    start = options.start.getTime();
    if (!Number.isFinite(start)) throw new UsageError("Option start is an invalid date");
  } else {
    start = (options.now ?? (() => new Date()))().getTime() - span;
  }
  start = Math.round(start);
  const format = options.format ?? DEFAULTS.format;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`Option format must be one of ${FORMATS.join(", ")}, got "${format}"`);
  }
  let zone: string;
  try {
    zone = checkTimeZone(options.zone ?? DEFAULTS.zone);
  } catch (error) {
    throw new UsageError(`Option zone: ${(error as Error).message}`);
  }
  return {
    seed,
    events,
    faults,
    span: Math.round(span),
    start,
    end: start + Math.round(span),
    format,
    zone,
  };
}
