import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import { GOLD_TABLES, NrtDb, queryRows, runNrt, writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { withTempDir } from "../_helpers.ts";
import { tablesMatch } from "./_expected.ts";

const SIM = {
  seed: 5,
  events: 5000,
  faults: "default",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;
const config = loadConfig({ env: {}, dotenv: null });

async function snapshot(workDir: string): Promise<Record<string, Array<Record<string, unknown>>>> {
  const db = await NrtDb.open({ path: `${workDir}/nrt.duckdb`, workDir });
  try {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    for (
      const t of [
        "clickstream",
        "orders",
        "user_profiles",
        "delivery_status",
        "clickstream_original",
        "delivery_status_original",
      ]
    ) {
      out[`silver.${t}`] = await queryRows(db, `SELECT * FROM silver.${t}`);
    }
    for (const { name } of GOLD_TABLES) {
      out[name] = await queryRows(db, `SELECT * FROM gold.${name}`);
    }
    return out;
  } finally {
    db.close();
  }
}

Deno.test("incremental runs (new files only, then none) give the same tables as a full run", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const records = [...simulate(SIM)].map((r) => ({ ...r }));
    const cut = Math.floor(records.length * 0.8);
    const first = await writeLakeFromRecords(lake, records.slice(0, cut), { flushSize: 150 });
    const run1 = await runNrt({ config, lake, workDir: `${dir}/inc` });
    assert.equal(run1.mode, "full");
    assert.equal(run1.sync.synced.length, first.files.length);

    const second = await writeLakeFromRecords(lake, records.slice(cut), {
      flushSize: 150,
      startOffsets: first.nextOffsets,
    });
    const run2 = await runNrt({ config, lake, workDir: `${dir}/inc` });
    assert.equal(run2.mode, "incremental");
    assert.equal(run2.sync.synced.length, second.files.length, "only the new files are pulled");
    assert.equal(run2.loadedFiles, second.files.length);

    const run3 = await runNrt({ config, lake, workDir: `${dir}/inc` });
    assert.equal(run3.mode, "up-to-date");
    assert.equal(run3.sync.synced.length, 0, "nothing new: nothing synced");
    assert.deepEqual(run3.written, { curated: 0, analysis: 0 });

    const full = await runNrt({ config, lake, workDir: `${dir}/full`, writeBack: false });
    assert.equal(full.mode, "full");
    assert.deepEqual(
      run3.layers.map((l) => ({ ...l, added: 0 })),
      full.layers.map((l) => ({ ...l, added: 0 })),
    );
    const inc = await snapshot(`${dir}/inc`);
    const ref = await snapshot(`${dir}/full`);
    assert.deepEqual(Object.keys(inc), Object.keys(ref));
    for (const name of Object.keys(ref)) {
      assert.equal(tablesMatch(name, inc[name], ref[name]), null);
    }

    // Curated holds every silver row once: the full write plus the appended part files.
    const db = await NrtDb.open({ workDir: `${dir}/full` });
    try {
      for (const layer of full.layers) {
        const n = await db.value(
          `SELECT count(*) FROM read_parquet('${dir}/lake/curated/${layer.topic}/*/*/*/*.parquet')`,
        );
        assert.equal(Number(n), layer.silver, `curated/${layer.topic}`);
      }
    } finally {
      db.close();
    }
  });
});

Deno.test("--full ignores the checkpoint and rebuilds the same tables", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const w = await writeLakeFromRecords(lake, simulate({ ...SIM, events: 1500 }), {
      flushSize: 300,
    });
    const a = await runNrt({ config, lake, workDir: `${dir}/w` });
    const b = await runNrt({ config, lake, workDir: `${dir}/w`, full: true });
    assert.equal(b.mode, "full");
    assert.equal(b.sync.synced.length, w.files.length);
    assert.deepEqual(b.layers, a.layers);
    assert.deepEqual(b.gold, a.gold);
  });
});
