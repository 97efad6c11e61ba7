/**
 * The dashboard's options, with their defaults in one place, checked before anything starts.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { IDLE_TIMEOUT_MS } from "../realtime/mod.ts";

/** Options of `startDashboard`. */
export interface DashboardOptions {
  /**
   * Interface to listen on. Only a loopback address unless you mean to share the dashboard
   * (it needs no login: anyone who reaches it sees the shop's figures).
   * @default "127.0.0.1"
   */
  host?: string;
  /** Port; 0 picks a free one. @default 8787 */
  port?: number;
  /** Live update interval, ms (at most 1000: the panels update at least once a second). @default 500 */
  interval?: number;
  /** How often the lake is checked for a new NRT pass, ms. @default 10000 */
  lakeRefresh?: number;
  /** Read each topic from its first record, not only what arrives from now on. @default true */
  fromBeginning?: boolean;
  /** Tumbling window of the real-time aggregator, ms. @default 60000 */
  window?: number;
  /** Allowed lateness of the real-time aggregator, ms. @default 300000 */
  lateness?: number;
  /** See `ConsumeOptions.idleTimeoutMs`. @default 10000 */
  idleTimeout?: number;
  /** Windows per live windowed panel when no time range is set. @default 60 */
  maxWindows?: number;
  /** Wall clock, epoch ms (tests pass their own). @default Date.now */
  now?: () => number;
}

/** The options with every default filled in. */
export type ResolvedDashboardOptions = Required<DashboardOptions>;

/** The defaults of {@linkcode DashboardOptions}. */
export const DASHBOARD_DEFAULTS = {
  host: "127.0.0.1",
  port: 8787,
  interval: 500,
  lakeRefresh: 10_000,
  fromBeginning: true,
  window: 60_000,
  lateness: 300_000,
  idleTimeout: IDLE_TIMEOUT_MS,
  maxWindows: 60,
} as const;

/** Whether `host` is a loopback address or name. */
export function isLoopback(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(host);
}

/**
 * Fills in defaults and checks every option; throws `UsageError` naming the bad one.
 *
 * @example
 * ```ts
 * import { resolveDashboardOptions } from "./options.ts";
 * resolveDashboardOptions({ port: 0 }).host; // "127.0.0.1"
 * ```
 */
export function resolveDashboardOptions(options: DashboardOptions = {}): ResolvedDashboardOptions {
  const resolved = { ...DASHBOARD_DEFAULTS, now: Date.now, ...dropUndefined(options) };
  const whole = (name: keyof typeof resolved, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const value = resolved[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(
        `Option ${name} must be a whole number from ${min} to ${max}, got ${value}`,
      );
    }
  };
  whole("port", 0, 65535);
  whole("interval", 50, 1000);
  whole("lakeRefresh", 500);
  whole("window", 1);
  whole("lateness", 0);
  whole("idleTimeout", 0);
  whole("maxWindows", 1, 10_000);
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(resolved.host)) {
    throw new UsageError(`Option host must be an address or host name, got '${resolved.host}'`);
  }
  return resolved;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
