/**
 * The dashboard's HTTP handler: routing only. Every number it returns comes from the live feed
 * (lib/realtime's aggregator) or the lake panels (lib/nrt's gold tables); it computes none.
 *
 * Read-only: GET and HEAD only (anything else is 405). Routes:
 *
 * | path | answer |
 * | --- | --- |
 * | `/`, `/app.js`, `/style.css` | the page |
 * | `/vendor/d3.min.js`, `/vendor/plot.umd.min.js` | d3 and Observable Plot from their npm packages |
 * | `/api/live` | Server-Sent Events: `live` (a live view, at once and then on every tick that changed something), `lake` (the lake mirror changed: fetch `/api/lake` again) |
 * | `/api/live.json` | the live view now, as JSON |
 * | `/api/lake` | the lake panels, as JSON |
 * | `/api/info` | what the dashboard reads (Kafka, lake, settings), never a secret |
 * | `/api/health` | `{ ok, kafka, subscribers, lake }` |
 *
 * The `/api/live*` and `/api/lake` routes take the filter's query parameters (`filter.ts`); a
 * bad one is a 400 whose JSON body `{ "error": … }` names it. A request whose `Host` header is not
 * the loopback address it is served on gets 403 (a web page elsewhere cannot read it through DNS
 * rebinding), unless the dashboard was bound to another interface on purpose.
 *
 * @module
 */
import { errorMessage, UsageError } from "../errors.ts";
import type { Asset } from "./assets.ts";
import type { LiveFeed } from "./feed.ts";
import { type Filter, parseFilter } from "./filter.ts";
import type { LakePanels } from "./lake.ts";

/** What `/api/info` tells: where the data comes from, safe to show. */
export interface DashboardInfo {
  /** Kafka bootstrap servers and security, never credentials. */
  kafka: string;
  topicPrefix: string;
  /** The lake (its safe description). */
  lake: string;
  /** Tumbling window and allowed lateness, ms. */
  window: number;
  lateness: number;
  /** Live update interval and lake refresh interval, ms. */
  interval: number;
  lakeRefresh: number;
  fromBeginning: boolean;
  /** When the dashboard started (ISO). */
  started: string;
}

/** Options of {@linkcode dashboardHandler}. */
export interface DashboardHandlerOptions {
  feed: LiveFeed;
  lake: LakePanels;
  assets: ReadonlyMap<string, Asset>;
  info: DashboardInfo;
  /** Accepted `Host` headers (lower case, with port); null accepts any. @default null */
  hosts?: readonly string[] | null;
  /** The lake's last refresh error (one line), if any. @default none */
  lakeError?: () => string | null;
  /** Frames a slow SSE client may have queued before it is dropped. @default 64 */
  maxQueued?: number;
}

/** A running handler: the request function, and a way to end every open event stream. */
export interface DashboardHandler {
  handle: (request: Request) => Promise<Response>;
  /** Closes every open event stream (before the server shuts down, which waits for them). */
  closeStreams: () => void;
}

const COMMON_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/** The page may run only its own scripts and talk only to this server. */
const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  // Plot writes a <style> element and style attributes into each chart.
  "style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...COMMON_HEADERS,
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

function asset(file: Asset, head: boolean): Response {
  const headers: Record<string, string> = {
    ...COMMON_HEADERS,
    "content-type": file.type,
    "cache-control": file.cacheable ? "public, max-age=3600" : "no-cache",
  };
  if (file.type.startsWith("text/html")) headers["content-security-policy"] = CSP;
  return new Response(head ? null : file.body, { headers });
}

const ENCODER = new TextEncoder();

/**
 * An SSE response carrying the feed's frames for one filter. `streams` holds each open
 * stream's close function (so the server can end them all); a client that stopped reading is
 * dropped once `maxQueued` frames wait for it, rather than buffered without end (its
 * EventSource reconnects and starts from the current view).
 */
function eventStream(
  feed: LiveFeed,
  filter: Filter,
  streams: Set<() => void>,
  maxQueued: number,
): Response {
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      let unsubscribe = () => {};
      const close = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        streams.delete(close);
        try {
          controller.close();
        } catch { /* already closed */ }
      };
      controller.enqueue(ENCODER.encode("retry: 2000\n\n"));
      unsubscribe = feed.subscribe(filter, (frame) => {
        if (!open) return;
        if ((controller.desiredSize ?? 0) < -maxQueued) return close();
        controller.enqueue(frame);
      });
      streams.add(close);
      stop = close;
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      ...COMMON_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

/** The answer to a GET (or HEAD) that passed the method and host checks. */
async function route(
  request: Request,
  options: DashboardHandlerOptions,
  streams: Set<() => void>,
): Promise<Response> {
  const { feed, lake } = options;
  const url = new URL(request.url);
  const file = options.assets.get(url.pathname);
  if (file) return asset(file, request.method === "HEAD");
  switch (url.pathname) {
    case "/api/live":
      return eventStream(feed, parseFilter(url.searchParams), streams, options.maxQueued ?? 64);
    case "/api/live.json":
      return json(feed.view(parseFilter(url.searchParams)));
    case "/api/lake": {
      const view = await lake.view(parseFilter(url.searchParams));
      return json({ ...view, error: options.lakeError?.() ?? null });
    }
    case "/api/info":
      return json(options.info);
    case "/api/health":
      return json({
        ok: true,
        kafka: feed.status,
        subscribers: feed.subscribers,
        lake: { version: lake.version, lastPass: lake.lastPass, error: options.lakeError?.() },
      });
    default:
      return json({ error: `No such page: ${url.pathname.slice(0, 100)}` }, 404);
  }
}

/**
 * The dashboard's request handler (see the module doc).
 *
 * @example
 * ```ts ignore
 * const { handle } = dashboardHandler({ feed, lake, assets, info });
 * Deno.serve({ hostname: "127.0.0.1", port: 8787 }, handle);
 * ```
 */
export function dashboardHandler(options: DashboardHandlerOptions): DashboardHandler {
  const hosts = options.hosts ?? null;
  const streams = new Set<() => void>();
  async function handle(request: Request): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      const response = json({ error: `Method ${request.method} not allowed: read-only` }, 405);
      response.headers.set("allow", "GET, HEAD");
      return response;
    }
    const host = request.headers.get("host")?.toLowerCase() ?? "";
    if (hosts !== null && !hosts.includes(host)) {
      return json({ error: `Host '${host.slice(0, 100)}' is not served here` }, 403);
    }
    try {
      return await route(request, options, streams);
    } catch (error) {
      if (error instanceof UsageError) return json({ error: error.message }, 400);
      return json({ error: errorMessage(error) }, 500);
    }
  }
  return {
    handle,
    closeStreams: () => {
      for (const close of [...streams]) close();
    },
  };
}
