import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import { GOLD_TABLES, NrtDb, queryRows, runNrt, writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { withTempDir } from "../_helpers.ts";
import { bronzeFromRecords, expectedGold, tablesMatch } from "./_expected.ts";

const SIM = {
  seed: 11,
  events: 6000,
  faults: "default",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;

Deno.test("every gold table matches values computed independently from the simulated events", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const records = [...simulate(SIM)].map((r) => ({ ...r }));
    await writeLakeFromRecords(lake, records, { partitions: 3, flushSize: 200 });
    const report = await runNrt({
      config: loadConfig({ env: {}, dotenv: null }),
      lake,
      workDir: `${dir}/work`,
    });
    assert.equal(report.mode, "full");
    assert.equal(report.sync.quarantined.length, 0);

    const expected = expectedGold(bronzeFromRecords(records));
    assert.deepEqual(Object.keys(expected).sort(), GOLD_TABLES.map((g) => g.name).sort());
    const db = await NrtDb.open({ path: `${dir}/work/nrt.duckdb`, workDir: `${dir}/work` });
    try {
      for (const { name } of GOLD_TABLES) {
        const actual = await queryRows(db, `SELECT * FROM gold.${name}`);
        assert.ok(expected[name].length > 0, `${name}: the fixture should produce rows`);
        assert.deepEqual(Object.keys(actual[0]), Object.keys(expected[name][0]), `${name} columns`);
        assert.equal(tablesMatch(name, actual, expected[name]), null);
      }
    } finally {
      db.close();
    }

    // Faults were there and the two cleanings differ as they should.
    const click = report.layers.find((l) => l.topic === "clickstream")!;
    assert.ok(click.bronze > click.silver, "duplicates are removed");
    assert.ok(click.silver > click.original!, "the original cleaning drops rows with nulls");

    // Written back: CSV with a header and Parquet for every gold table, curated per day.
    const analysis = await lake.list("analysis/");
    assert.equal(analysis.length, 2 * GOLD_TABLES.length);
    const csv = new TextDecoder().decode(await lake.get("analysis/device_tablet/data.csv"));
    assert.equal(
      csv.split("\n")[0],
      "event_id,event,user_id,timestamp,page,referrer,device,session_id,product_id,search_query,year,month,day,hour",
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
