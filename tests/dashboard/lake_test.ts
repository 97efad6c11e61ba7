/**
 * The lake panels against a real lake (Azurite) after a real NRT pass: the gold tables as
 * written, the same tables rebuilt over a time range by lib/nrt's definitions, the topic filter,
 * and a new pass picked up.
 */
import assert from "node:assert/strict";
import { LAKE_PANELS, LakePanels, parseFilter } from "../../lib/dashboard/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { lakeSlug, NrtDb } from "../../lib/nrt/mod.ts";
import { INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { freshConfig, lakeWithNrt, sameRows } from "./_lake.ts";

const SIM = {
  seed: 21,
  events: 6000,
  faults: "default",
  start: new Date("2026-11-23T00:00:00.000Z"),
  span: 72 * 3600_000,
} as const;
const filter = (query = "") => parseFilter(new URLSearchParams(query));

/** Every panel's rows as its query gives them over the NRT pass's own gold tables. */
async function expectedPanels(workDir: string) {
  const db = await NrtDb.open({ path: `${workDir}/nrt.duckdb`, workDir });
  try {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    for (const p of LAKE_PANELS) out[p.id] = await db.rows(p.sql);
    return out;
  } finally {
    db.close();
  }
}

Deno.test({
  name: "lake panels: the gold tables as written, and the same tables rebuilt over a range",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const config = freshConfig(`${uniqueName("dash-lake")}.`, dir);
      const storage = openLake(config.lake);
      const panels = new LakePanels({
        lake: storage,
        dir: `${dir}/dashboard/${lakeSlug(storage.description)}`,
        topicPrefix: config.kafka.topicPrefix,
      });
      try {
        // Before any NRT pass: every panel says what to do.
        await storage.init();
        assert.equal(await panels.refresh(), false);
        const before = await panels.view(filter());
        assert.equal(before.lastPass, null);
        for (const p of Object.values(before.panels)) {
          assert.equal(p.rows, null);
          assert.match(p.reason!, /is not in the lake yet: run deno task nrt/);
        }

        await lakeWithNrt(config, SIM);
        const expected = await expectedPanels(`${dir}/nrt-work`);
        assert.equal(await panels.refresh(), true);
        assert.ok(panels.lastPass !== null);

        const gold = await panels.view(filter());
        assert.equal(gold.source, "gold");
        for (const p of LAKE_PANELS) {
          assert.ok(expected[p.id].length > 0, `${p.id}: the fixture should give rows`);
          assert.equal(sameRows(gold.panels[p.id].rows!, expected[p.id]), null, p.id);
        }

        // A range holding every event: lib/nrt's definitions over curated give the same tables.
        const all = await panels.view(filter("from=2026-01-01&to=2027-01-01"));
        assert.equal(all.source, "curated");
        for (const p of LAKE_PANELS) {
          assert.equal(sameRows(all.panels[p.id].rows!, expected[p.id]), null, `${p.id} (range)`);
        }

        // One day: the day-grouped tables hold exactly that day's rows of the whole tables.
        const returnDays = new Set(expected.returnsUsa.map((r) => r.day));
        const day = expected.revenueByDay.map((r) => r.day as string).find((d) =>
          returnDays.has(d)
        )!;
        const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
        const oneDay = await panels.view(filter(`from=${day}&to=${next}`));
        for (const id of ["revenueByDay", "returnsUsa"]) {
          const rows = expected[id].filter((r) => r.day === day);
          assert.ok(rows.length > 0, `${id} has rows on ${day}`);
          assert.equal(sameRows(oneDay.panels[id].rows!, rows), null, `${id} on ${day}`);
        }
        // Counts over a day are below the whole history's.
        const count = (rows: Array<Record<string, unknown>>) =>
          rows.reduce((n, r) => n + Number(r.count), 0);
        const dayDevices = count(oneDay.panels.deviceMix.rows!);
        assert.ok(dayDevices > 0 && dayDevices < count(expected.deviceMix));

        // Topics: a panel of another topic carries the reason only.
        const orders = await panels.view(filter("topics=orders"));
        assert.equal(orders.panels.revenueByDay.rows!.length, expected.revenueByDay.length);
        for (const id of ["deviceMix", "returnsUsa", "deliveryTimes"]) {
          assert.equal(orders.panels[id].rows, null);
          assert.match(orders.panels[id].reason!, /is not in the topic filter/);
        }
      } finally {
        await storage.close();
      }
    });
  },
});

Deno.test({
  name: "lake panels pick up a new NRT pass: version, last pass and rows move",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const config = freshConfig(`${uniqueName("dash-pass")}.`, dir);
      const storage = openLake(config.lake);
      const panels = new LakePanels({
        lake: storage,
        dir: `${dir}/dashboard/${lakeSlug(storage.description)}`,
        topicPrefix: config.kafka.topicPrefix,
      });
      try {
        const first = await lakeWithNrt(config, { ...SIM, events: 3000 });
        await panels.refresh();
        // A range makes the curated rows part of the mirror (a change of its own).
        const ranged = await panels.view(filter("from=2026-01-01"));
        const before = await panels.view(filter());
        const version = panels.version;
        const pass = panels.lastPass!;
        assert.equal(await panels.refresh(), false, "nothing new: nothing changes");
        assert.equal(panels.version, version);

        // More records, a day later; a second (incremental) pass writes them back.
        await lakeWithNrt(
          config,
          { ...SIM, seed: 22, events: 2000, start: new Date("2026-11-28T00:00:00.000Z") },
          first.nextOffsets,
        );
        assert.equal(await panels.refresh(), true);
        assert.ok(panels.version > version);
        assert.ok(panels.lastPass! >= pass);
        const after = await panels.view(filter());
        const days = (v: typeof after) => new Set(v.panels.revenueByDay.rows!.map((r) => r.day));
        assert.ok(days(after).has("2026-11-28") && !days(before).has("2026-11-28"));
        // The curated mirror follows too (it was asked for by a range before).
        const ranged2 = await panels.view(filter("from=2026-01-01"));
        assert.equal(
          sameRows(ranged2.panels.revenueByDay.rows!, after.panels.revenueByDay.rows!),
          null,
        );
        assert.notEqual(
          sameRows(ranged2.panels.revenueByDay.rows!, ranged.panels.revenueByDay.rows!),
          null,
        );
      } finally {
        await storage.close();
      }
    });
  },
});
