import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import { GOLD_TABLES, NrtDb, queryRows, runNrt, writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { type SimRecord, simulate } from "../../lib/simulate/mod.ts";
import { withTempDir } from "../_helpers.ts";
import { bronzeFromRecords, expectedGold, tablesMatch } from "./_expected.ts";

const SIM = {
  seed: 11,
  events: 6000,
  faults: "default",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;

/**
 * Runs NRT over a lake of `records` (wall-clock times in `zone`) and checks every gold table
 * against the independent computation; returns the report and the lake.
 */
async function checkGold(
  dir: string,
  records: SimRecord[],
  zone: string,
  empty: readonly string[] = [],
) {
  const lake = new FileLake(`${dir}/lake`);
  await writeLakeFromRecords(lake, records, { partitions: 3, flushSize: 200, zone });
  const report = await runNrt({
    config: loadConfig({ env: { EVENT_TIME_ZONE: zone }, dotenv: null }),
    lake,
    workDir: `${dir}/work`,
  });
  assert.equal(report.mode, "full");
  assert.equal(report.sync.quarantined.length, 0);

  const expected = expectedGold(bronzeFromRecords(records, zone));
  assert.deepEqual(Object.keys(expected).sort(), GOLD_TABLES.map((g) => g.name).sort());
  const db = await NrtDb.open({ path: `${dir}/work/nrt.duckdb`, workDir: `${dir}/work` });
  try {
    for (const { name } of GOLD_TABLES) {
      const actual = await queryRows(db, `SELECT * FROM gold.${name}`);
      if (empty.includes(name)) {
        assert.equal(actual.length, 0, `${name}: not available for this data`);
        assert.equal(expected[name].length, 0);
        continue;
      }
      assert.ok(expected[name].length > 0, `${name}: the fixture should produce rows`);
      assert.deepEqual(Object.keys(actual[0]), Object.keys(expected[name][0]), `${name} columns`);
      assert.equal(tablesMatch(name, actual, expected[name]), null);
    }
  } finally {
    db.close();
  }
  return { report, lake, expected };
}

Deno.test("every gold table matches values computed independently from the simulated events", async () => {
  await withTempDir(async (dir) => {
    const records = [...simulate(SIM)].map((r) => ({ ...r }));
    const { report, lake, expected } = await checkGold(dir, records, "UTC");

    // Faults were there and the two cleanings differ as they should.
    const click = report.layers.find((l) => l.topic === "clickstream")!;
    assert.ok(click.bronze > click.silver, "duplicates are removed");
    assert.ok(click.silver > click.original!, "the original cleaning drops rows with nulls");

    // Written back: CSV with a header and Parquet for every gold table, curated per day.
    const analysis = await lake.list("analysis/");
    assert.equal(analysis.length, 2 * GOLD_TABLES.length);
    const csv = new TextDecoder().decode(await lake.get("analysis/device_tablet/data.csv"));
    // The original data frame's columns: nothing we add.
    assert.equal(
      csv.split("\n")[0],
      "event,user_id,timestamp,page,referrer,device,year,month,day,hour",
    );
    assert.equal(csv.trim().split("\n").length - 1, expected.device_tablet.length);
    assert.ok(await lake.exists("analysis/parquet/returns_usa/data.parquet"));
    const curated = await lake.list("curated/orders/");
    assert.ok(
      curated.length >= 3 &&
        curated.every((e) => /year=2026\/month=11\/day=\d+\/part-/.test(e.path)),
    );
  });
});

Deno.test("the original producers' records, alone and mixed with ours, fill every gold table but the funnel", async () => {
  const zone = "Europe/Berlin";
  const original = [...simulate({ ...SIM, format: "original", zone, seed: 12 })];
  await withTempDir(async (dir) => {
    // Alone: no session_id anywhere, so the funnel has no rows and hourly sessions are null.
    const { expected, report } = await checkGold(dir, original, zone, ["clickstream_funnel"]);
    assert.deepEqual(report.unavailable.map((u) => u.table), [
      "clickstream_funnel",
      "clickstream_hourly_traffic.sessions",
    ]);
    assert.ok(expected.returns_usa.length > 0 && expected.device_tablet.length > 0);
    assert.ok(expected.clickstream_hourly_traffic.every((h) => h.sessions === null));
    assert.ok(expected.delivery_time_by_country.length > 0);
  });
  await withTempDir(async (dir) => {
    // Mixed in the same topics: both formats counted, each identified its own way.
    const ours = [...simulate({ ...SIM, events: 3000 })];
    const { expected, report } = await checkGold(dir, [...ours, ...original], zone);
    assert.ok(expected.clickstream_hourly_traffic.some((h) => h.sessions === null));
    assert.ok(expected.clickstream_hourly_traffic.some((h) => (h.sessions as number) > 0));
    assert.deepEqual(report.unavailable, []);
    const orders = report.layers.find((l) => l.topic === "orders")!;
    assert.ok(orders.silver > original.filter((r) => r.topic === "orders").length * 0.9);
  });
});
