/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core), started as
 * `deno task dashboard` starts it, against the real broker and Azurite: the page loads without a
 * console error, every panel draws an SVG, the live numbers grow while `produce --rate 200` runs,
 * the filter changes the charts, and a screenshot goes to docs/dashboard.png (the README shows it).
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { createKafka, ensureTopics, produceRecords } from "../../lib/kafka/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { launchChromium } from "../_browser.ts";
import { INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { freshConfig, lakeWithNrt } from "./_lake.ts";

const HOUR = 3600_000;
const PANELS = [
  "events",
  "revenue",
  "funnel",
  "deliveries",
  "lag",
  "watermark",
  "quality",
  "revenueByDay",
  "topProducts",
  "deviceMix",
  "returnsUsa",
  "deliveryTimes",
];
const ORDERS_COLOR = "#f28e2b";

/** A script started the way its task starts it; its output is collected as it comes. */
function spawn(script: string, args: string[], env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${PROJECT_ROOT}/scripts/${script}`, ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const waiters: Array<() => void> = [];
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      for (const wake of waiters.splice(0)) wake();
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  return {
    child,
    /** Waits for a line matching `pattern` in the output; returns the match. */
    async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      while (true) {
        const match = output.match(pattern);
        if (match) return match;
        const ended = await Promise.race([
          drained.then(() => true),
          new Promise<boolean>((resolve) => waiters.push(() => resolve(false))),
        ]);
        if (ended && !output.match(pattern)) {
          throw new Error(`${script} ended before ${pattern}:\n${output}`);
        }
      }
    },
    /** Stops it (SIGINT, as Ctrl-C) and waits until it ended. */
    async stop(): Promise<void> {
      try {
        child.kill("SIGINT");
      } catch { /* already ended */ }
      await child.status;
      await drained;
    },
  };
}

Deno.test({
  name: "dashboard in Chromium: no console error, every panel an SVG, live numbers grow, filters",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const config = freshConfig(`${uniqueName("dash-ui")}.`, dir);
      const env = {
        KAFKA_TOPIC_PREFIX: config.kafka.topicPrefix,
        LAKE_URL: config.lake.url,
        DATA_DIR: dir,
      };
      // Two hours of history in Kafka, three days in the lake with an NRT pass done.
      const kafka = createKafka(config.kafka);
      await ensureTopics(kafka, config.kafka, { dlq: false });
      const now = Date.now();
      await produceRecords(
        kafka,
        config.kafka,
        simulate({ seed: 51, events: 3000, start: new Date(now - 2 * HOUR), span: 2 * HOUR }),
      );
      await lakeWithNrt(config, {
        seed: 52,
        events: 6000,
        faults: "default",
        start: new Date(now - 72 * HOUR),
        span: 72 * HOUR,
      });

      const dashboard = spawn("dashboard.ts", ["--port", "0", "--lake-refresh", "1s"], env);
      const [, url] = await dashboard.waitFor(/Dashboard on (http:\/\/\S+)/);
      const producer = spawn(
        "produce.ts",
        ["--duration", "40s", "--rate", "200", "--seed", "53"],
        env,
      );
      const browser = await launchChromium();
      const problems: string[] = [];
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") {
            problems.push(`${m.type()}: ${m.text()}`);
          }
        });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        await page.goto(url);

        // Every panel draws an SVG.
        await page.waitForFunction(
          (ids) => ids.every((id) => document.querySelector(`[data-panel="${id}"] .chart svg`)),
          PANELS,
        );
        assert.equal(await page.locator("#status").getAttribute("data-state"), "live");

        // The live numbers grow while the producer runs.
        const received = () =>
          page.locator("#kpi-received .value").getAttribute("data-value").then(Number);
        const first = await received();
        assert.ok(first >= 3000, `the history is read (${first})`);
        await page.waitForFunction(
          (n) =>
            Number(document.querySelector("#kpi-received .value")?.getAttribute("data-value")) >
              n + 200,
          first,
        );
        assert.ok(
          await page.locator('[data-panel="events"] rect[fill="' + ORDERS_COLOR + '"]').count() > 0,
          "orders bars in the events chart",
        );
        await page.screenshot({ path: `${PROJECT_ROOT}/docs/dashboard.png`, fullPage: true });

        // Topic filter: without orders, no orders bars, the revenue panels step aside.
        await page.uncheck('#topics input[value="orders"]');
        await page.waitForFunction(
          (color) =>
            document.querySelector('[data-panel="revenue"]')!.classList.contains("excluded") &&
            !document.querySelector(`[data-panel="events"] rect[fill="${color}"]`) &&
            document.querySelector('[data-panel="topProducts"]')!.classList.contains("excluded"),
          ORDERS_COLOR,
        );
        assert.equal(await page.locator('[data-panel="revenue"] .chart svg').count(), 0);
        assert.match(page.url(), /\?topics=clickstream%2Cuser-profiles%2Cdelivery-status$/);
        await page.check('#topics input[value="orders"]');
        await page.waitForFunction(() =>
          document.querySelector('[data-panel="revenue"] .chart svg') !== null
        );

        // Time range: the lake panels are rebuilt from the curated rows of the last 24 hours.
        const dayNote = () => page.locator('[data-panel="revenueByDay"] .note').textContent();
        const allTime = await dayNote();
        await page.selectOption("#range", "24h");
        await page.waitForFunction(() =>
          document.querySelector("#lake-source")!.textContent!.includes("rebuilt from curated rows")
        );
        await page.waitForFunction(
          (before) =>
            document.querySelector('[data-panel="revenueByDay"] .note')!.textContent !== before,
          allTime,
        );
        assert.match(page.url(), /\?last=24h$/);
        const days = await page.locator(
          '[data-panel="revenueByDay"] svg [aria-label="x-axis tick label"] text',
        ).count();
        assert.ok(days >= 1 && days <= 2, `the last 24 hours cover one or two days (${days})`);
        for (const id of PANELS) {
          if (id === "funnel") continue;
          assert.equal(await page.locator(`[data-panel="${id}"] .chart svg`).count() > 0, true, id);
        }
        assert.deepEqual(problems, []);
      } finally {
        await browser.close();
        await producer.stop();
        await dashboard.stop();
      }
    });
  },
});
