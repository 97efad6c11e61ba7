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
import { createAggregator } from "../realtime/mod.ts";
import { loadAssets } from "./assets.ts";
import { LiveFeed } from "./feed.ts";
import { followKafka } from "./follow.ts";
import { LakePanels } from "./lake.ts";
import { type DashboardOptions, isLoopback, resolveDashboardOptions } from "./options.ts";
import { dashboardHandler, type DashboardInfo } from "./server.ts";

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
  const feed = new LiveFeed(createAggregator({ window: o.window, lateness: o.lateness }), {
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
  let lakeError: string | null = null;
  const info: DashboardInfo = {
    kafka: describeKafka(config.kafka),
    topicPrefix: config.kafka.topicPrefix,
    lake: storage.description,
    window: o.window,
    lateness: o.lateness,
    interval: o.interval,
    lakeRefresh: o.lakeRefresh,
    fromBeginning: o.fromBeginning,
    started: new Date(o.now()).toISOString(),
  };
  const stop = new AbortController();
  // Filled once the port is known (with port 0, the one the system chose).
  const hosts: string[] = [];
  const handler = dashboardHandler({
    feed,
    lake,
    assets,
    info,
    hosts: isLoopback(o.host) ? hosts : null,
    lakeError: () => lakeError,
  });
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({ hostname: o.host, port: o.port, onListen: () => {} }, handler.handle);
  } catch (error) {
    await storage.close();
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
  const port = (server.addr as Deno.NetAddr).port;
  hosts.push(...loopbackHosts(port));

  feed.start();
  const kafka = createKafka(config.kafka, { clientId: "ecom-dashboard" });
  const reading = followKafka(feed, kafka, config.kafka, {
    fromBeginning: o.fromBeginning,
    signal: stop.signal,
    idleTimeoutMs: o.idleTimeout,
  });
  const checkLake = async () => {
    try {
      if (await lake.refresh()) feed.broadcast("lake", { version: lake.version });
      lakeError = null;
    } catch (error) {
      lakeError = errorMessage(error);
    }
  };
  let checking = checkLake();
  const lakeTimer = setInterval(() => {
    checking = checking.then(checkLake);
  }, o.lakeRefresh);

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
        clearInterval(lakeTimer);
        feed.stop();
        handler.closeStreams();
        await server.shutdown();
        // A Kafka client still retrying a broker that is away can take half a minute to give up:
        // stopping does not wait for it.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all([reading, checking]),
          new Promise((resolve) => timer = setTimeout(resolve, 3000)),
        ]);
        clearTimeout(timer);
        await storage.close();
      })();
      return closed;
    },
  };
}
