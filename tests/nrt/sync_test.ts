import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import {
  checkJsonLines,
  readCheckpoint,
  runNrt,
  syncLake,
  writeLakeFromRecords,
} from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { withTempDir } from "../_helpers.ts";

const SIM = {
  seed: 3,
  events: 1500,
  faults: "none",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;
const config = loadConfig({ env: {}, dotenv: null });
const enc = new TextEncoder();

Deno.test("a JSON-lines check names the first line that is not JSON", () => {
  assert.deepEqual(checkJsonLines('{"a":1}\n\n{"b":2}\n'), { rows: 2 });
  assert.deepEqual(checkJsonLines('{"a":1}\n{"b":'), { reason: "line 2 is not JSON" });
  assert.deepEqual(checkJsonLines("{'a': None}\n"), { reason: "line 1 is not JSON" });
  assert.deepEqual(checkJsonLines("[1]\n"), { reason: "line 1 is not a JSON object" });
});

Deno.test("corrupt files are quarantined and the run goes on", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const w = await writeLakeFromRecords(lake, simulate(SIM), { flushSize: 100 });
    const truncated = w.files.find((f) => f.includes("/orders/"))!;
    const text = new TextDecoder().decode(await lake.get(truncated));
    await lake.put(truncated, enc.encode(text.slice(0, Math.floor(text.length / 2))));
    const python =
      "topics/clickstream/year=2026/month=11/day=26/hour=05/clickstream+0+0000099999.json";
    await lake.put(python, enc.encode("{'event_id': 'x', 'device': None}\n"));
    // Not a raw file of a known topic: not synced at all.
    await lake.put(
      "topics/other/year=2026/month=11/day=26/hour=05/other+0+0000000000.json",
      enc.encode("{}\n"),
    );

    const run = await runNrt({ config, lake, workDir: `${dir}/w` });
    assert.deepEqual(run.sync.quarantined.map((q) => q.path).sort(), [python, truncated].sort());
    assert.ok(run.sync.quarantined.every((q) => /^line \d+ is not JSON$/.test(q.reason)));
    assert.equal(run.sync.listed, w.files.length + 1);
    assert.ok(await Deno.stat(`${dir}/w/cache/quarantine/${truncated}`));
    const orders = run.layers.find((l) => l.topic === "orders")!;
    assert.ok(orders.silver > 0, "the other files are processed");
    assert.equal(run.gold.length, 25);

    // Quarantined files stay set aside until they change.
    const again = await syncLake(lake, { cacheDir: `${dir}/w/cache` });
    assert.equal(again.synced.length, 0);
    await lake.put(truncated, enc.encode(text));
    const fixed = await runNrt({ config, lake, workDir: `${dir}/w` });
    assert.deepEqual(fixed.sync.synced, [truncated]);
    assert.equal(fixed.sync.quarantined.length, 0);
    assert.equal(fixed.mode, "incremental");
    assert.ok(fixed.layers.find((l) => l.topic === "orders")!.silver > orders.silver);
    const checkpoint = await readCheckpoint(`${dir}/w/cache`);
    assert.equal(checkpoint.files[truncated].status, "cached");
  });
});

Deno.test("a file removed from the lake leaves the cache and forces a full rebuild", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const w = await writeLakeFromRecords(lake, simulate(SIM), { flushSize: 100 });
    const first = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    await lake.delete(w.files[0]);
    const second = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    assert.deepEqual(second.sync.removed, [w.files[0]]);
    assert.equal(second.mode, "full");
    const before = first.layers.reduce((a, l) => a + l.bronze, 0);
    const after = second.layers.reduce((a, l) => a + l.bronze, 0);
    assert.ok(after < before);
  });
});
