/**
 * `nrt --watch`: passes in one process (`openNrt`, `watchNrt`) give the tables separate
 * processes' passes give, a failed pass is reported and the next one recovers, a first pass
 * that fails ends the watch, and the CLI prints a line per pass and a summary.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import type { LakeEntry } from "../../lib/lake/storage.ts";
import { DelegatingLake } from "../_lakes.ts";
import { openNrt, runNrt, watchNrt, writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { runTask, withTempDir } from "../_helpers.ts";
import { tablesMatch } from "./_expected.ts";
import { nrtTables } from "./_tables.ts";

const config = loadConfig({ env: {}, dotenv: null });
const SIM = {
  seed: 11,
  events: 4000,
  faults: "default",
  start: new Date("2026-11-26T00:00:00Z"),
} as const;

/** A lake whose listing fails while `down` is set (a lake away for a moment). */
class FlakyLake extends DelegatingLake {
  down = false;
  override list(prefix: string): Promise<LakeEntry[]> {
    if (this.down) return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:10000"));
    return super.list(prefix);
  }
}

Deno.test("watchNrt: passes in one process (new files, a failed pass, nothing new) match a full run", async () => {
  await withTempDir(async (dir) => {
    const files = new FileLake(`${dir}/lake`);
    const lake = new FlakyLake(files);
    const records = [...simulate(SIM)];
    const cut = Math.floor(records.length * 0.7);
    const first = await writeLakeFromRecords(files, records.slice(0, cut), { flushSize: 150 });
    const modes: string[] = [];
    const errors: string[] = [];
    const summary = await watchNrt({
      config,
      lake,
      workDir: `${dir}/watch`,
      everyMs: 0,
      passes: 4,
      onPass: async (report, pass) => {
        modes.push(report.mode);
        if (pass === 1) {
          // New files arrive while the watch pauses, and the lake is away for the next pass.
          await writeLakeFromRecords(files, records.slice(cut), {
            flushSize: 150,
            startOffsets: first.nextOffsets,
          });
          lake.down = true;
        }
      },
      onError: (error, pass) => {
        errors.push(`${pass}: ${error.message}`);
        lake.down = false;
      },
    });
    assert.deepEqual(modes, ["full", "incremental", "up-to-date"]);
    assert.deepEqual(errors, [
      "2: Could not list file://" + `${dir}/lake/topics/: connect ECONNREFUSED 127.0.0.1:10000`,
    ]);
    assert.equal(summary.passes, 4);
    assert.deepEqual(
      [summary.full, summary.incremental, summary.upToDate, summary.failed],
      [1, 1, 1, 1],
    );
    assert.equal(summary.last?.mode, "up-to-date");

    const ref = await runNrt({ config, lake: files, workDir: `${dir}/ref`, writeBack: false });
    assert.equal(ref.mode, "full");
    assert.deepEqual(
      summary.last!.layers.map((l) => ({ ...l, added: 0 })),
      ref.layers.map((l) => ({ ...l, added: 0 })),
    );
    const watched = await nrtTables(`${dir}/watch`);
    const expected = await nrtTables(`${dir}/ref`);
    for (const name of Object.keys(expected)) {
      assert.equal(tablesMatch(name, watched[name], expected[name]), null, name);
    }
  });
});

Deno.test("watchNrt: a first pass that fails ends the watch with its error", async () => {
  await withTempDir(async (dir) => {
    const lake = new FlakyLake(new FileLake(`${dir}/lake`));
    lake.down = true;
    let passes = 0;
    await assert.rejects(
      watchNrt({
        config,
        lake,
        workDir: `${dir}/watch`,
        everyMs: 0,
        passes: 3,
        onPass: () => void passes++,
      }),
      /Could not list .*ECONNREFUSED/,
    );
    assert.equal(passes, 0);
  });
});

Deno.test("openNrt: passes run one at a time, and a closed runner's database opens again", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    await writeLakeFromRecords(lake, simulate({ ...SIM, events: 1500 }), { flushSize: 200 });
    const runner = openNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    // Called together, the second pass waits for the first: it finds nothing new.
    const [a, b] = await Promise.all([runner.pass(), runner.pass()]);
    await runner.close();
    assert.deepEqual([a.mode, b.mode], ["full", "up-to-date"]);
    const again = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    assert.equal(again.mode, "up-to-date");
    assert.deepEqual(again.layers.map((l) => l.silver), a.layers.map((l) => l.silver));
  });
});

Deno.test("openNrt: idle() checkpoints the write-ahead log between passes, which then leave it", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    const wal = () => {
      try {
        return Deno.statSync(`${dir}/w/nrt.duckdb.wal`).size;
      } catch {
        return 0;
      }
    };
    await writeLakeFromRecords(lake, simulate({ ...SIM, events: 1500 }), { flushSize: 200 });
    const runner = openNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
    try {
      assert.equal(await runner.idle(0), false, "no database yet: nothing to do");
      assert.equal((await runner.pass()).mode, "full");
      await runner.idle(Infinity);
      const more = simulate({
        ...SIM,
        seed: 12,
        events: 800,
        start: new Date("2026-11-27T00:00Z"),
      });
      await writeLakeFromRecords(lake, more, { flushSize: 200 });
      const incremental = await runner.pass();
      assert.equal(incremental.mode, "incremental");
      assert.ok(wal() > 0, "the pass left its rows in the log");
      assert.equal(await runner.idle(0), true);
      assert.equal(wal(), 0, "checkpointed");
      assert.equal(await runner.idle(0), false, "nothing left to checkpoint");
      await runner.close();
      const again = await runNrt({ config, lake, workDir: `${dir}/w`, writeBack: false });
      assert.equal(again.mode, "up-to-date");
      assert.deepEqual(
        again.layers.map((l) => l.silver),
        incremental.layers.map((l) => l.silver),
      );
    } finally {
      await runner.close();
    }
  });
});

Deno.test("deno task nrt --watch: a line per pass and a summary; --passes needs --watch", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(`${dir}/lake`);
    await writeLakeFromRecords(lake, simulate({ ...SIM, events: 1500 }), { flushSize: 200 });
    const env = { LAKE_URL: `file://${dir}/lake`, DATA_DIR: `${dir}/data` };
    const out = await runTask("nrt", ["--watch", "--every", "0", "--passes", "2"], env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^nrt: pass 1 full: \d+ new file\(s\), \+[\d,]+ silver rows, /m);
    assert.match(out.stdout, /^nrt: pass 2 up-to-date \(nothing new\), [\d.]+ s$/m);
    assert.match(
      out.stdout,
      /nrt --watch: 2 passes \(1 full, 0 incremental, 1 up-to-date, 0 failed\), [\d.]+ s in passes/,
    );
    const bad = await runTask("nrt", ["--passes", "2"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--every and --passes need --watch/);
  });
});
