/**
 * The dashboard's server against the real services: live views over SSE while records arrive in
 * Kafka, the JSON endpoints, a new NRT pass announced, bad query parameters answered 400 with
 * the reason, read-only routes, and no secret in anything it serves.
 */
import assert from "node:assert/strict";
import { type Config, loadConfig } from "../../lib/config/mod.ts";
import { describeKafka, type FeedView, startDashboard } from "../../lib/dashboard/mod.ts";
import { createKafka, ensureTopics, produceRecords } from "../../lib/kafka/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { escapeRegExp, INTEGRATION, runTask, uniqueName, withTempDir } from "../_helpers.ts";
import { freshConfig, lakeWithNrt } from "./_lake.ts";
import { readEvents } from "./_sse.ts";

const HOUR = 3600_000;
const LAKE_SIM = {
  seed: 31,
  events: 6000,
  faults: "default",
  start: new Date("2026-11-23T00:00:00.000Z"),
} as const;

/** Sends a seeded stream (ending now) to the configured topics; returns how many records. */
async function produce(config: Config, seed: number, events: number): Promise<number> {
  const kafka = createKafka(config.kafka);
  await ensureTopics(kafka, config.kafka, { dlq: false });
  const now = Date.now();
  const stats = await produceRecords(
    kafka,
    config.kafka,
    simulate({ seed, events, start: new Date(now - 2 * HOUR), span: 2 * HOUR }),
  );
  return stats.sent;
}

/** GET /api/info with the given Host header, on a connection of its own; the raw answer. */
async function rawGet(port: number, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET /api/info HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    let text = "";
    const buffer = new Uint8Array(4096);
    for (let n; (n = await conn.read(buffer)) !== null;) {
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return text;
  } finally {
    conn.close();
  }
}

async function getJson(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

Deno.test({
  name: "dashboard: live views over SSE grow with Kafka, JSON endpoints, a new NRT pass announced",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const config = freshConfig(`${uniqueName("dash-srv")}.`, dir);
      const history = await produce(config, 41, 2000);
      await lakeWithNrt(config, LAKE_SIM);
      const dashboard = await startDashboard(config, {
        port: 0,
        interval: 200,
        lakeRefresh: 500,
      });
      try {
        assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
        const response = await fetch(`${dashboard.url}api/live`);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
        const seen: number[] = [];
        let more = 0;
        let extra: Promise<number> | undefined;
        await readEvents(response.body!, ({ event, data }) => {
          if (event !== "live") return false; // `lake`: the first look at the lake
          const view = JSON.parse(data) as FeedView;
          seen.push(view.counts.received);
          // The history read, more records go to Kafka while the stream is open.
          if (view.counts.received === history && !extra) {
            extra = produce(config, 42, 500).then((n) => (more = n));
          }
          return more > 0 && view.counts.received === history + more;
        });
        assert.ok(seen.length >= 2, `views: ${seen}`);
        for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `${seen}`);
        assert.equal(seen.at(-1), history + 500);

        // The JSON views, with a filter.
        const live = await getJson(`${dashboard.url}api/live.json?topics=orders,delivery-status`);
        assert.equal(live.status, 200);
        assert.deepEqual(live.body.topics, ["orders", "delivery-status"]);
        assert.deepEqual(live.body.countsByTopic.map((c: { topic: string }) => c.topic), [
          "orders",
          "delivery-status",
        ]);
        assert.equal(
          live.body.counts.received,
          live.body.countsByTopic.reduce(
            (n: number, c: { counts: { received: number } }) => n + c.counts.received,
            0,
          ),
        );
        assert.ok(live.body.events.every((e: { topic: string }) => e.topic !== "clickstream"));
        assert.equal(live.body.funnel.available, false);
        assert.ok(live.body.lag.length > 0);
        assert.ok(live.body.lag.every((p: { lag: number }) => p.lag === 0), "caught up");
        assert.equal(live.body.kafka.state, "reading");

        const lake = await getJson(`${dashboard.url}api/lake`);
        assert.equal(lake.status, 200);
        assert.equal(lake.body.source, "gold");
        assert.ok(lake.body.lastPass);
        for (const [id, panel] of Object.entries(lake.body.panels)) {
          assert.ok((panel as { rows: unknown[] }).rows?.length, `${id} has rows`);
        }
        const ranged = await getJson(`${dashboard.url}api/lake?last=7d&topics=orders`);
        assert.equal(ranged.status, 200);
        assert.equal(ranged.body.source, "curated");
        assert.equal(ranged.body.panels.deviceMix.rows, null);

        const info = await getJson(`${dashboard.url}api/info`);
        assert.equal(info.body.kafka, describeKafka(config.kafka));
        assert.equal(info.body.topicPrefix, config.kafka.topicPrefix);
        const health = await getJson(`${dashboard.url}api/health`);
        assert.equal(health.body.ok, true);
        assert.equal(health.body.kafka.state, "reading");

        // A new NRT pass is announced on the open streams.
        const stream = await fetch(`${dashboard.url}api/live?topics=orders`);
        const version = dashboard.lake.version;
        const events: string[] = [];
        let pass: Promise<unknown> | undefined;
        await readEvents(stream.body!, ({ event, data }) => {
          events.push(event);
          if (event === "live") {
            assert.deepEqual(JSON.parse(data).topics, ["orders"]);
            pass ??= lakeWithNrt(config, {
              ...LAKE_SIM,
              seed: 32,
              events: 500,
              start: new Date("2026-11-27T00:00:00.000Z"),
            }, undefined);
          }
          return event === "lake";
        });
        await pass;
        assert.ok(dashboard.lake.version > version);
        assert.equal(events[0], "live");
      } finally {
        await dashboard.close();
      }
    });
  },
});

Deno.test({
  name: "dashboard: bad query parameters get 400 and the reason; read-only routes",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const config = freshConfig(`${uniqueName("dash-bad")}.`, dir);
      const dashboard = await startDashboard(config, { port: 0 });
      try {
        const cases: Array<[string, RegExp]> = [
          ["topics=nope", /unknown topic 'nope'/],
          ["from=yesterday", /from must be an ISO-8601 time/],
          ["from=2026-11-27&to=2026-11-26", /must be before to/],
          ["last=5x", /last must be a duration/],
          ["last=1h&to=2026-11-26", /cannot be combined/],
          ["colour=red", /Unknown query parameter 'colour'/],
          ["topics=", /topics is empty/],
        ];
        for (const route of ["api/live", "api/live.json", "api/lake"]) {
          for (const [query, reason] of cases) {
            const response = await fetch(`${dashboard.url}${route}?${query}`);
            assert.equal(response.status, 400, `${route}?${query}`);
            assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
            assert.match((await response.json()).error, reason, `${route}?${query}`);
          }
        }
        const post = await fetch(`${dashboard.url}api/live.json`, { method: "POST", body: "{}" });
        assert.equal(post.status, 405);
        assert.equal(post.headers.get("allow"), "GET, HEAD");
        await post.body?.cancel();
        const missing = await fetch(`${dashboard.url}admin`);
        assert.equal(missing.status, 404);
        await missing.body?.cancel();
        // A page elsewhere reaching it through another host name (DNS rebinding) is refused.
        // (fetch sets Host itself: the requests are written by hand.)
        assert.match(
          await rawGet(dashboard.port, `evil.example:${dashboard.port}`),
          /^HTTP\/1\.1 403/,
        );
        assert.match(
          await rawGet(dashboard.port, `localhost:${dashboard.port}`),
          /^HTTP\/1\.1 200/,
        );
        // The port is taken now: a second dashboard says so in one line.
        await assert.rejects(
          startDashboard(config, { port: dashboard.port }),
          /^UsageError: Port \d+ on 127\.0\.0\.1 is in use \(another dashboard\?\): choose another with --port$/,
        );
        await assert.rejects(startDashboard(config, { interval: 5000 }), /Option interval/);
        // This prefix has no topics: the live view says so, and the page goes on serving.
        while (dashboard.feed.status.state !== "error") {
          await new Promise((r) => setTimeout(r, 100));
        }
        const live = await getJson(`${dashboard.url}api/live.json`);
        assert.match(
          live.body.kafka.message,
          new RegExp(
            `^Topics ${escapeRegExp(config.kafka.topicPrefix)}clickstream, .* not found on`,
          ),
        );
      } finally {
        await dashboard.close();
      }
    });
  },
});

Deno.test({
  name: "dashboard: the page, Plot and d3 from npm, and no secret in anything it serves",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const base = freshConfig(`${uniqueName("dash-sec")}.`, dir);
      const secrets = ["user-SECRET-9f2", "pass-SECRET-5d1"];
      // A Confluent-style SASL login the local broker refuses: the error shows, never the secrets.
      const config: Config = {
        ...base,
        kafka: {
          ...base.kafka,
          local: false,
          sasl: { mechanism: "plain", username: secrets[0], password: secrets[1] },
        },
      };
      const adls = loadConfig({
        env: {
          LAKE_URL: "abfss://shop@examplestore.dfs.core.windows.net/",
          AZURE_STORAGE_ACCOUNT_KEY: "a2V5LVNFQ1JFVC0xMjM0",
        },
        dotenv: null,
      });
      const adlsLake = openLake(adls.lake);
      assert.ok(!adlsLake.description.includes("a2V5LVNFQ1JFVC0xMjM0"));
      await adlsLake.close();

      const dashboard = await startDashboard(config, { port: 0 });
      try {
        while (dashboard.feed.status.state !== "error") {
          await new Promise((r) => setTimeout(r, 100));
        }
        const bodies: string[] = [];
        for (
          const path of [
            "",
            "app.js",
            "style.css",
            "api/info",
            "api/health",
            "api/live.json",
            "api/lake",
          ]
        ) {
          const response = await fetch(`${dashboard.url}${path}`);
          assert.equal(response.status, 200, path);
          bodies.push(await response.text());
        }
        const live = JSON.parse(bodies[5]);
        assert.equal(live.kafka.state, "error");
        assert.ok(live.kafka.message.length > 0);
        assert.match(JSON.parse(bodies[3]).kafka, /\(SASL PLAIN\)$/);
        for (const body of bodies) {
          for (const secret of secrets) assert.ok(!body.includes(secret), `leaks ${secret}`);
        }

        const page = await fetch(dashboard.url);
        assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
        const html = await page.text();
        assert.match(html, /<script src="\/vendor\/d3\.min\.js" defer><\/script>/);
        assert.match(html, /<script src="\/vendor\/plot\.umd\.min\.js" defer><\/script>/);
        for (const panel of ["events", "revenue", "funnel", "deliveries", "lag", "watermark"]) {
          assert.ok(html.includes(`data-panel="${panel}"`), panel);
        }
        const plot = await (await fetch(`${dashboard.url}vendor/plot.umd.min.js`)).text();
        assert.match(plot.slice(0, 100), /@observablehq\/plot v0\.6\.17/);
        const d3 = await (await fetch(`${dashboard.url}vendor/d3.min.js`)).text();
        assert.match(d3.slice(0, 100), /d3js\.org v7\./);
        const head = await fetch(`${dashboard.url}vendor/d3.min.js`, { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get("cache-control"), "public, max-age=3600");
        await head.body?.cancel();
      } finally {
        await dashboard.close();
      }
    });
  },
});

Deno.test({
  name: "deno task dashboard refuses a bad flag with one line and exit code 2",
  ...INTEGRATION,
  async fn() {
    for (
      const [args, reason] of [
        [["--interval", "5s"], /^error: Flag --interval must be at most 1s .*got 5s$/],
        [["--port", "http"], /^error: Flag --port expects an integer, got "http"$/],
        [["--host", "a b"], /^error: Option host must be an address or host name, got 'a b'$/],
      ] as const
    ) {
      const out = await runTask("dashboard", [...args]);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr.trim(), reason);
    }
  },
});
