import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import { GOLD_TABLES, NrtDb, queryRows, runNrt, writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { createBronzeViews } from "../../lib/nrt/bronze.ts";
import { loadSilver } from "../../lib/nrt/silver.ts";
import { withTempDir } from "../_helpers.ts";
import { tablesMatch } from "./_expected.ts";
import { nrtTables } from "./_tables.ts";

const SIM = {
  seed: 5,
  events: 5000,
  faults: "default",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;
const config = loadConfig({ env: {}, dotenv: null });

/** Curated in the lake at `lakeDir` holds every silver row once (as many Parquet rows per topic). */
async function assertCuratedOnce(
  db: NrtDb,
  lakeDir: string,
  layers: ReadonlyArray<{ topic: string; silver: number }>,
): Promise<void> {
  for (const layer of layers) {
    const n = await db.value(
      `SELECT count(*) FROM read_parquet('${lakeDir}/curated/${layer.topic}/*/*/*/*.parquet')`,
    );
    assert.equal(Number(n), layer.silver, `curated/${layer.topic}`);
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
    const inc = await nrtTables(`${dir}/inc`);
    const ref = await nrtTables(`${dir}/full`);
    assert.deepEqual(Object.keys(inc), Object.keys(ref));
    for (const name of Object.keys(ref)) {
      assert.equal(tablesMatch(name, inc[name], ref[name]), null);
    }

    // Curated holds every silver row once: the full write plus the appended part files.
    const db = await NrtDb.open({ workDir: `${dir}/full` });
    try {
      await assertCuratedOnce(db, `${dir}/lake`, full.layers);
      // Tables that only gained rows got them as a part file next to the full write's.
      await db.run(`ATTACH '${dir}/full/nrt.duckdb' AS ref (READ_ONLY)`);
      for (const name of ["device_tablet", "order_items"]) {
        assert.equal((await csvFiles(lake, name)).length, 2, `analysis/${name}: data + part`);
        assert.equal((await lake.list(`analysis/parquet/${name}/`)).length, 2);
        const csv = `${dir}/full-${name}.csv`;
        await db.run(`COPY ref.gold.${name} TO '${csv}' (FORMAT csv, HEADER true)`);
        const expected = new TextDecoder().decode(await Deno.readFile(csv));
        assert.equal(sameCsvRows(await readCsvFolder(lake, name), expected), null, name);
        const [{ n }] = await queryRows<{ n: number }>(
          db,
          `SELECT count(*) AS n FROM read_parquet('${dir}/lake/analysis/parquet/${name}/*.parquet')`,
        );
        assert.equal(n, ref[name].length, `analysis/parquet/${name}`);
      }
    } finally {
      db.close();
    }
  });
});

type Rec = { topic: string; key: string | null; value: string; timestamp: number };

/** A copy of `record` with some fields of its JSON value changed (the key and time follow). */
function edit(record: Rec, fields: Record<string, unknown>): Rec {
  const value = { ...JSON.parse(record.value), ...fields };
  return {
    topic: record.topic,
    key: record.key,
    value: JSON.stringify(value),
    timestamp: Date.parse(value.timestamp) || record.timestamp,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The CSV files of `analysis/<name>/` (`data.csv`, then any appended part files). */
async function csvFiles(lake: FileLake, name: string): Promise<string[]> {
  return (await lake.list(`analysis/${name}/`)).map((e) => e.path).filter((p) => p.endsWith(".csv"))
    .sort();
}

/** The rows of every CSV file of `analysis/<name>/`, under the first file's header. */
async function readCsvFolder(lake: FileLake, name: string): Promise<string> {
  const lines: string[] = [];
  for (const path of await csvFiles(lake, name)) {
    const [header, ...rows] = new TextDecoder().decode(await lake.get(path)).trim().split("\n");
    if (!lines.length) lines.push(header);
    else assert.equal(header, lines[0], `${path}: same header`);
    lines.push(...rows.filter((r) => r !== ""));
  }
  return lines.join("\n");
}

/**
 * Whether two CSV texts hold the same rows, in any order (row order is not part of the
 * contract), numbers within 1e-9 (sums in another order differ in the last digits); else why.
 */
function sameCsvRows(actual: string, expected: string): string | null {
  const a = actual.trim().split("\n").sort();
  const e = expected.trim().split("\n").sort();
  if (a.length !== e.length) return `${a.length} lines, expected ${e.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].split(",");
    const y = e[i].split(",");
    const same = x.length === y.length && x.every((v, j) =>
      v === y[j] ||
      (v !== "" && Math.abs(Number(v) - Number(y[j])) <= 1e-9 * Math.max(1, Math.abs(Number(y[j]))))
    );
    if (!same) return `line ${a[i]}, expected ${e[i]}`;
  }
  return null;
}

Deno.test("late, repeated and replacing rows in a later pass give the same tables and files as a full run", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const records: Rec[] = [...simulate({ ...SIM, events: 3000 })].map((r) => ({ ...r }));
    const first = await writeLakeFromRecords(lake, records, { flushSize: 200 });
    const run1 = await runNrt({ config, lake, workDir: `${dir}/inc` });
    assert.equal(run1.mode, "full");

    const json = (r: Rec) => {
      try {
        return JSON.parse(r.value);
      } catch {
        return null;
      }
    };
    const of = (topic: string, where: (v: Record<string, unknown>) => boolean) =>
      records.filter((r) => r.topic === topic && json(r) && where(json(r)));
    const clicks = of("clickstream", (v) => v.session_id !== null && v.timestamp !== null);
    const early = clicks[5];
    const earlyMs = Date.parse(json(early).timestamp);
    const tablets = of("clickstream", (v) => v.device === "tablet" && v.timestamp !== null);
    const profiles = of("user-profiles", (v) => v.details !== null && v.user_id !== null);
    const orders = of("orders", (v) => v.status === "completed" && v.session_id !== null);
    const deliveries = of("delivery-status", (v) => v.status === "picked_up");
    const last = Math.max(...records.map((r) => r.timestamp));
    const later: Rec[] = [
      // A late tablet click in an hour that is already loaded (a new event_id).
      edit(tablets[3], { event_id: crypto.randomUUID(), timestamp: iso(earlyMs + 1) }),
      // The same event again, in a later file: ignored by both cleanings.
      clicks[10],
      tablets[8],
      // A known event_id again, one hour earlier: it replaces the loaded row (a full build
      // keeps the earliest), in silver, curated and gold.
      edit(clicks[20], { timestamp: iso(Date.parse(json(clicks[20]).timestamp) - 3_600_000) }),
      // A profile update arriving later (newest for its user), and one older than the known rows.
      edit(profiles[2], {
        event_id: crypto.randomUUID(),
        action: "profile_update",
        timestamp: iso(last + 60_000),
        details: { email: "new@example.com", name: "New Name", preferred_category: "books" },
      }),
      edit(profiles[4], {
        event_id: crypto.randomUUID(),
        action: "profile_update",
        timestamp: iso(earlyMs - 86_400_000),
      }),
      // A new completed order in a known session (funnel step 5), and its delivery.
      edit(orders[1], {
        event_id: crypto.randomUUID(),
        order_id: "order_late",
        session_id: json(clicks[30]).session_id,
        timestamp: iso(last + 120_000),
      }),
      edit(deliveries[1], {
        event_id: crypto.randomUUID(),
        status: "delivered",
        timestamp: iso(Date.parse(json(deliveries[1]).timestamp) + 7_200_000),
      }),
      edit(deliveries[2], {
        event_id: crypto.randomUUID(),
        status: "returned",
        current_location: "Denver, USA",
        timestamp: iso(earlyMs + 5),
      }),
    ];
    const second = await writeLakeFromRecords(lake, later, {
      flushSize: 200,
      startOffsets: first.nextOffsets,
    });
    const run2 = await runNrt({ config, lake, workDir: `${dir}/inc` });
    assert.equal(run2.mode, "incremental");

    // A pass with only an old profile row: only the profile tables are looked at, and only
    // those whose content changed are written.
    await writeLakeFromRecords(lake, [
      edit(profiles[6], {
        event_id: crypto.randomUUID(),
        action: "profile_update",
        timestamp: iso(earlyMs - 86_400_000),
      }),
    ], { startOffsets: second.nextOffsets });
    const run3 = await runNrt({ config, lake, workDir: `${dir}/inc` });
    assert.equal(run3.mode, "incremental");
    const profileTables = GOLD_TABLES.filter((g) =>
      (g.inputs ?? [g.topic]).includes("user-profiles")
    );
    assert.equal(run3.goldUpdated, profileTables.length);
    assert.deepEqual(run3.written, { curated: 1, analysis: 2 }, "profile_action_counts only");

    const full = await runNrt({ config, lake, workDir: `${dir}/full`, writeBack: false });
    assert.deepEqual(
      run3.layers.map((l) => ({ ...l, added: 0 })),
      full.layers.map((l) => ({ ...l, added: 0 })),
    );
    const inc = await nrtTables(`${dir}/inc`);
    const ref = await nrtTables(`${dir}/full`);
    for (const name of Object.keys(ref)) {
      assert.equal(tablesMatch(name, inc[name], ref[name]), null);
    }
    // Refreshed tables are still written in their order (each file; rows only added to a
    // table since it was written go out as a new part file).
    for (const [name, key] of [["profiles_latest", 0], ["device_tablet", 2]] as const) {
      for (const path of await csvFiles(lake, name)) {
        const keys = new TextDecoder().decode(await lake.get(path)).trim()
          .split("\n").slice(1).map((line) => line.split(",")[key]);
        assert.deepEqual(keys, [...keys].sort(), `${path} is sorted`);
      }
    }

    const latest = ref.profiles_latest.find((p) => p.user_id === json(profiles[2]).user_id);
    assert.equal(latest?.email, "new@example.com", "the later profile update wins");

    // The lake holds what a full write would: every silver row once in curated (the replaced
    // row gone), and analysis files with the full run's rows.
    const db = await NrtDb.open({ path: `${dir}/full/nrt.duckdb`, workDir: `${dir}/full` });
    try {
      await assertCuratedOnce(db, `${dir}/lake`, full.layers);
      const replaced = json(clicks[20]).event_id;
      const [row] = await queryRows<{ n: number; ts: string }>(
        db,
        `SELECT count(*) AS n, min("timestamp") AS ts FROM read_parquet(
          '${dir}/lake/curated/clickstream/*/*/*/*.parquet') WHERE event_id = '${replaced}'`,
      );
      assert.deepEqual(row, { n: 1, ts: json(later[3]).timestamp });
      for (const { name } of GOLD_TABLES) {
        const csv = `${dir}/full-${name}.csv`;
        await db.run(`COPY gold.${name} TO '${csv}' (FORMAT csv, HEADER true)`);
        const written = await readCsvFolder(lake, name);
        const expected = new TextDecoder().decode(await Deno.readFile(csv));
        assert.equal(sameCsvRows(written, expected), null, `analysis/${name}`);
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

Deno.test("a full build that stops between loading silver and de-duplicating it leaves a full build to the next pass", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    await writeLakeFromRecords(lake, simulate({ ...SIM, events: 1500 }), { flushSize: 300 });
    const first = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    assert.equal(first.mode, "full");
    // The pass's first transaction (every bronze row, duplicates too), then a stop.
    const db = await NrtDb.open({ path: `${dir}/w/nrt.duckdb`, workDir: `${dir}/w` });
    try {
      await createBronzeViews(db, `${dir}/w/cache`, config.eventTimeZone);
      await loadSilver(db);
      const rows = Number(await db.value("SELECT count(*) FROM silver.clickstream"));
      assert.ok(rows > first.layers[0].silver, "loaded with its duplicates");
    } finally {
      db.close();
    }
    const next = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    assert.equal(next.mode, "full");
    assert.deepEqual(next.layers, first.layers);
    const after = await nrtTables(`${dir}/w`);
    const ref = await snapshotOf(lake, `${dir}/fresh`);
    for (const name of Object.keys(ref)) {
      assert.equal(tablesMatch(name, after[name], ref[name]), null);
    }
  });
});

Deno.test("a write back that runs out of DuckDB memory under its lean limit is written again, each curated row once", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    await writeLakeFromRecords(lake, simulate({ ...SIM, events: 3000 }), { flushSize: 300 });
    const progress: string[] = [];
    const report = await runNrt({
      config,
      lake,
      workDir: `${dir}/w`,
      // Low enough that a COPY cannot allocate its blocks.
      writeMemoryLimit: "8MB",
      onProgress: (m) => progress.push(m),
    });
    assert.ok(progress.some((m) => m.includes("write back again")), progress.join("\n"));
    const db = await NrtDb.open({ workDir: `${dir}/w` });
    try {
      await assertCuratedOnce(db, `${dir}/lake`, report.layers);
    } finally {
      db.close();
    }
    assert.equal((await lake.list("analysis/device_tablet/")).length, 1);
  });
});

/** The tables of a full pass over `lake` in a new work folder. */
async function snapshotOf(lake: FileLake, workDir: string) {
  await runNrt({ config, lake, workDir, writeBack: false });
  return await nrtTables(workDir);
}

Deno.test("incremental runs over the original producers' records mixed with ours equal a full run; a new EVENT_TIME_ZONE rebuilds", async () => {
  const zone = "Asia/Kolkata";
  const zoned = loadConfig({ env: { EVENT_TIME_ZONE: zone }, dotenv: null });
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const ours = [...simulate({ ...SIM, events: 2000 })];
    const original = [
      ...simulate({ ...SIM, events: 3000, faults: "heavy", format: "original", zone }),
    ];
    const records = [...ours.slice(0, 1000), ...original, ...ours.slice(1000)];
    const cut = Math.floor(records.length * 0.7);
    // A producer's retry: some records of the first pass come again in the second.
    const again = records.slice(cut - 300, cut).filter((r) => r.format === "original").slice(0, 40);
    const first = await writeLakeFromRecords(lake, records.slice(0, cut), { flushSize: 150, zone });
    assert.equal((await runNrt({ config: zoned, lake, workDir: `${dir}/inc` })).mode, "full");
    await writeLakeFromRecords(lake, [...records.slice(cut), ...again], {
      flushSize: 150,
      startOffsets: first.nextOffsets,
      zone,
    });
    const run2 = await runNrt({ config: zoned, lake, workDir: `${dir}/inc` });
    assert.equal(run2.mode, "incremental");
    const full = await runNrt({ config: zoned, lake, workDir: `${dir}/full`, writeBack: false });
    assert.deepEqual(
      run2.layers.map((l) => ({ ...l, added: 0 })),
      full.layers.map((l) => ({ ...l, added: 0 })),
    );
    const inc = await nrtTables(`${dir}/inc`);
    const ref = await nrtTables(`${dir}/full`);
    for (const name of Object.keys(ref)) {
      assert.equal(tablesMatch(name, inc[name], ref[name]), null);
    }
    // The copies were recognised by their content: each v0 record is in silver once.
    const keys = inc["silver.orders"].map((r) => r.event_key as string);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(keys.filter((k) => k.startsWith("c:")).length > 500);

    // Another zone reads the wall-clock times differently: everything is rebuilt.
    const berlin = loadConfig({ env: { EVENT_TIME_ZONE: "Europe/Berlin" }, dotenv: null });
    const run3 = await runNrt({ config: berlin, lake, workDir: `${dir}/inc`, writeBack: false });
    assert.equal(run3.mode, "full");
  });
});

Deno.test("a work folder that moves keeps its silver: the next pass is incremental, bronze reads the new place", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const records = [...simulate({ ...SIM, events: 3000 })];
    const cut = Math.floor(records.length * 0.8);
    const first = await writeLakeFromRecords(lake, records.slice(0, cut), { flushSize: 200 });
    const run1 = await runNrt({ config, lake, workDir: `${dir}/a`, writeBack: false });
    assert.equal(run1.mode, "full");
    // As an earlier version recorded them: the loaded segments by absolute path.
    const old = await NrtDb.open({ path: `${dir}/a/nrt.duckdb`, workDir: `${dir}/a` });
    try {
      await old.run(`UPDATE meta.loaded_files SET path = '${dir}/a/cache/' || path`);
    } finally {
      old.close();
    }
    await Deno.rename(`${dir}/a`, `${dir}/b`);
    const moved = await runNrt({ config, lake, workDir: `${dir}/b`, writeBack: false });
    assert.equal(moved.mode, "up-to-date", "nothing new: no rebuild after the move");
    await writeLakeFromRecords(lake, records.slice(cut), {
      flushSize: 200,
      startOffsets: first.nextOffsets,
    });
    const run2 = await runNrt({ config, lake, workDir: `${dir}/b`, writeBack: false });
    assert.equal(run2.mode, "incremental");
    const full = await runNrt({ config, lake, workDir: `${dir}/full`, writeBack: false });
    const inc = await nrtTables(`${dir}/b`);
    const ref = await nrtTables(`${dir}/full`);
    for (const name of Object.keys(ref)) {
      assert.equal(tablesMatch(name, inc[name], ref[name]), null, name);
    }
    // The bronze views follow the folder: every cached line, read from its new place.
    const db = await NrtDb.open({ path: `${dir}/b/nrt.duckdb`, workDir: `${dir}/b` });
    try {
      const bronze = await db.value("SELECT count(*) FROM bronze.clickstream");
      assert.equal(Number(bronze), full.layers.find((l) => l.topic === "clickstream")!.bronze);
    } finally {
      db.close();
    }
  });
});
