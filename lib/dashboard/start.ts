/**
 * One running dashboard, as `deno task dashboard` starts it: the page and its API on
 * `http://<host>:<port>/`, the live feed reading Kafka, the lake panels following the lake.
 * Everything comes from the configuration (`KAFKA_*`, `LAKE_URL`): the local stack or a cloud
 * one alike.
 *
 * Steps: check the options → load the page and Plot → bind the port (a port in use is one clear
 * error) → start the live feed's ticks → read Kafka (retrying while it is away) → check the lake
 * every `lakeRefresh` (each change is announced to the browsers, which fetch the lake panels
 * again).
 *
 * @module
 */
import { type Config, type KafkaConfig } from "../config/mod.ts";
import { errorMessage, UsageError } from "../errors.ts";
import { createKafka } from "../kafka/mod.ts";
import { openLake } from "../lake/open.ts";
import { lakeSlug } from "../nrt/mod.ts";
import { type Aggregator, createAggregator, LIVE_DEFAULTS } from "../realtime/mod.ts";
import { loadAssets } from "./assets.ts";
import { LiveFeed } from "./feed.ts";
import { followKafka } from "./follow.ts";
import { LakePanels } from "./lake.ts";
import {
  type DashboardOptions,
  isLoopback,
  resolveDashboardOptions,
  type ResolvedDashboardOptions,
} from "./options.ts";
import { dashboardHandler, type DashboardInfo } from "./server.ts";

/** The longest range among the filter's presets (7 days): live windows are kept that far back. */
const FILTER_REACH_MS = 7 * 86_400_000;

/** A running dashboard. */
export interface Dashboard {
  /** Where to open it, e.g. `http://127.0.0.1:8787/`. */
  url: string;
  /** The port it listens on (the chosen one with `port: 0`). */
  port: number;
  feed: LiveFeed;
  lake: LakePanels;
  info: DashboardInfo;
  /** Stops everything (Kafka reader, lake checks, streams, server); idempotent. */
  close(): Promise<void>;
}

/** How Kafka is reached, without credentials. */
export function describeKafka(kafka: KafkaConfig): string {
  const security = kafka.sasl
    ? ` (SASL ${kafka.sasl.mechanism.toUpperCase()}${kafka.ssl ? " over TLS" : ""})`
    : kafka.ssl
    ? " (TLS)"
    : "";
  return `${kafka.brokers.join(",")}${security}`;
}

/** The `Host` headers a loopback-bound dashboard accepts. */
function loopbackHosts(port: number): string[] {
  return ["127.0.0.1", "localhost", "[::1]"].map((h) => `${h}:${port}`);
}

/**
 * The dashboard's aggregator. A dashboard runs without end: a live run's bounds, with final
 * windows kept as far back as the filter's presets reach (a longer `last` or `from` shows what is
 * left of that), and wall-clock timestamps read in `EVENT_TIME_ZONE`.
 */
function liveAggregator(config: Config, o: ResolvedDashboardOptions): Aggregator {
  return createAggregator({
    window: o.window,
    lateness: o.lateness,
    eventTimeZone: config.eventTimeZone,
    ...LIVE_DEFAULTS,
    retention: FILTER_REACH_MS,
    now: o.now,
  });
}

/**
 * Starts the dashboard (see the module doc). Throws `UsageError` for a bad option or a port in use.
 *
 * @example
 * ```ts ignore
 * const dashboard = await startDashboard(loadConfig(), { port: 0 });
 * console.log(dashboard.url);
 * await dashboard.close();
 * ```
 */
export async function startDashboard(
  config: Config,
  options: DashboardOptions = {},
): Promise<Dashboard> {
  const o = resolveDashboardOptions(options);
  const assets = await loadAssets();
  const feed = new LiveFeed(liveAggregator(config, o), {
    interval: o.interval,
    maxWindows: o.maxWindows,
    now: o.now,
  });
  const storage = openLake(config.lake);
  const lake = new LakePanels({
    lake: storage,
    dir: `${config.dataDir}/dashboard/${lakeSlug(storage.description)}`,
    topicPrefix: config.kafka.topicPrefix,
    cacheMs: o.lakeRefresh,
    now: o.now,
  });
  const info = dashboardInfo(config, o, storage.description);
  // Filled once the port is known (with port 0, the one the system chose).
  const hosts: string[] = [];
  const lakeWatch = watchLake(lake, feed, o.lakeRefresh);
  const handler = dashboardHandler({
    feed,
    lake,
    assets,
    info,
    hosts: isLoopback(o.host) ? hosts : null,
    lakeError: () => lakeWatch.error(),
  });
  const server = await listen(o, handler.handle).catch(async (error) => {
    await storage.close();
    throw error;
  });
  const port = server.addr.port;
  hosts.push(...loopbackHosts(port));

  feed.start();
  const stop = new AbortController();
  const reading = followKafka(
    feed,
    createKafka(config.kafka, { clientId: "ecom-dashboard" }),
    config.kafka,
    { fromBeginning: o.fromBeginning, signal: stop.signal, idleTimeoutMs: o.idleTimeout },
  );
  lakeWatch.start();

  const host = o.host.includes(":") && !o.host.startsWith("[") ? `[${o.host}]` : o.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/`,
    port,
    feed,
    lake,
    info,
    close() {
      closed ??= (async () => {
        stop.abort();
        feed.stop();
        handler.closeStreams();
        await server.shutdown();
        // A Kafka client still retrying a broker that is away can take half a minute to give up:
        // stopping does not wait for it.
        await within(3000, Promise.all([reading, lakeWatch.stop()]));
        await storage.close();
      })();
      return closed;
    },
  };
}

/** What `/api/info` shows. */
function dashboardInfo(
  config: Config,
  o: ResolvedDashboardOptions,
  lake: string,
): DashboardInfo {
  return {
    kafka: describeKafka(config.kafka),
    topicPrefix: config.kafka.topicPrefix,
    lake,
    window: o.window,
    lateness: o.lateness,
    interval: o.interval,
    lakeRefresh: o.lakeRefresh,
    fromBeginning: o.fromBeginning,
    started: new Date(o.now()).toISOString(),
  };
}

/** Binds the server; a port in use (or any bind error) is a one-line `UsageError`. */
function listen(
  o: ResolvedDashboardOptions,
  handle: (request: Request) => Promise<Response>,
): Promise<Deno.HttpServer<Deno.NetAddr>> {
  try {
    return Promise.resolve(
      Deno.serve({ hostname: o.host, port: o.port, onListen: () => {} }, handle),
    );
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UsageError(
        `Port ${o.port} on ${o.host} is in use (another dashboard?): choose another with --port`,
        { cause: error },
      );
    }
    throw new UsageError(`Cannot listen on ${o.host}:${o.port}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** The lake checks running in the background. */
interface LakeWatch {
  /** Checks now, then every `everyMs`. */
  start(): void;
  /** The last check's error (one line), null when it went well. */
  error(): string | null;
  /** Stops checking; resolves when the check under way ended. */
  stop(): Promise<void>;
}

/** Lake checks: each change is announced to the browsers, which fetch the lake panels again. */
function watchLake(lake: LakePanels, feed: LiveFeed, everyMs: number): LakeWatch {
  let error: string | null = null;
  let checking: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | undefined;
  const check = async () => {
    try {
      if (await lake.refresh()) feed.broadcast("lake", { version: lake.version });
      error = null;
    } catch (e) {
      error = errorMessage(e);
    }
  };
  return {
    start() {
      checking = check();
      timer = setInterval(() => {
        checking = checking.then(check);
      }, everyMs);
    },
    error: () => error,
    stop() {
      clearInterval(timer);
      return checking;
    },
  };
}

/** Waits for `promise`, at most `ms`. */
async function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => timer = setTimeout(resolve, ms))]);
  clearTimeout(timer);
}
