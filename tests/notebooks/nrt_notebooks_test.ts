import assert from "node:assert/strict";
import { simulate } from "../../lib/simulate/mod.ts";
import { executeNotebook } from "../../scripts/notebooks/run.ts";
import { INTEGRATION } from "../_helpers.ts";
import { bronzeFromRecords, expectedGold } from "../nrt/_expected.ts";

// The lessons' parameters: with an empty LAKE_URL they fill their own lake from this simulation.
const SIM = {
  seed: 42,
  events: 20_000,
  faults: "default",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;

const expected = expectedGold(bronzeFromRecords(simulate(SIM)));
const one = (name: string) => expected[name][0] as Record<string, number>;
const countOf = (name: string, dim: string, value: unknown) =>
  expected[name].find((r) => r[dim] === value)!.count as number;

/** Runs a lesson on a fresh, empty file:// lake and a fresh data folder. */
async function run(name: string) {
  const dir = await Deno.makeTempDir({ prefix: "ecom-nrt-nb-" });
  try {
    return await executeNotebook(name, {
      timeout: 300,
      env: { LAKE_URL: `file://${dir}/lake`, DATA_DIR: `${dir}/data` },
      out: `${dir}/${name}.ipynb`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const hasSvg = (nb: Awaited<ReturnType<typeof run>>) =>
  nb.cells.some((c) => c.outputs.some((o) => String(o.data["text/html"] ?? "").includes("<svg")));

Deno.test({
  name: "04-clickstream walks the original notebook and shows the right counts and charts",
  ...INTEGRATION,
  async fn() {
    const nb = await run("04-clickstream");
    assert.match(nb.text, /lake: simulated/);
    const tablet = countOf("clickstream_by_device", "device", "tablet");
    const total = expected.clickstream_by_device.reduce((s, r) => s + (r.count as number), 0);
    assert.match(nb.text, new RegExp(`silver\\.clickstream_original: ${total} rows`));
    assert.match(nb.text, new RegExp(`tablet rows: ${tablet} `));
    assert.match(nb.text, new RegExp(`CSV: header \\+ ${expected.device_tablet.length} rows`));
    const funnel = expected.clickstream_funnel;
    assert.match(
      nb.text,
      new RegExp(`✔ ${funnel[0].sessions} sessions viewed a page, ${funnel[4].sessions} ordered`),
    );
    assert.match(nb.text, /✔ bronze has typed partition columns/);
    assert.match(nb.text, /✔ the better cleaning keeps \d+ more events/);
    assert.ok(hasSvg(nb), "charts are displayed as SVG");
  },
});

Deno.test({
  name: "05-orders shows the summary, revenue and top products of the simulated shop",
  ...INTEGRATION,
  async fn() {
    const nb = await run("05-orders");
    const s = one("orders_summary");
    assert.match(
      nb.text,
      new RegExp(`✔ ${s.orders} orders, revenue ${s.revenue.toFixed(2)}, AOV ${s.aov.toFixed(2)}`),
    );
    assert.match(nb.text, /✔ every order's lines add up to its total_amount/);
    const top = expected.orders_top_products.sort((a, b) =>
      (b.revenue as number) - (a.revenue as number)
    )[0];
    assert.match(nb.text, new RegExp(`^${top.product_id}\\s+${top.units}\\s`, "m"));
    assert.ok(hasSvg(nb));
  },
});

Deno.test({
  name: "06-user-profiles shows one latest profile per user and revenue by category",
  ...INTEGRATION,
  async fn() {
    const nb = await run("06-user-profiles");
    assert.match(
      nb.text,
      new RegExp(`✔ ${expected.profiles_latest.length} users, one current profile each`),
    );
    for (const r of expected.revenue_by_preferred_category) {
      assert.match(
        nb.text,
        new RegExp(`^${r.preferred_category}\\s+${r.customers}\\s+${r.orders}\\s`, "m"),
      );
    }
    assert.ok(hasSvg(nb));
  },
});

Deno.test({
  name: "07-delivery-status walks the original notebook: split, US returns, delivery times",
  ...INTEGRATION,
  async fn() {
    const nb = await run("07-delivery-status");
    assert.match(nb.text, new RegExp(`returns_usa: ${expected.returns_usa.length} rows`));
    assert.match(
      nb.text,
      /✔ columns: delivery_person_id, order_id, status, city, country, timestamp, year, month, day, hour/,
    );
    const usa = expected.delivery_time_by_country.find((r) => r.country === "USA")!;
    assert.match(nb.text, new RegExp(`^USA\\s+${usa.deliveries}\\s`, "m"));
    assert.match(nb.text, /✔ delivery times look sane/);
    assert.ok(hasSvg(nb));
  },
});
