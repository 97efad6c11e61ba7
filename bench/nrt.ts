/**
 * Near-real-time lake analytics figures:
 * - DuckDB → Arrow for 1M rows: the Parquet fast path against plain JS rows;
 * - a full pass (sync → silver → gold → write back) over 1,000,000 simulated events;
 * - an incremental pass after 1% more records arrive in new files, against the full pass;
 * - peak memory (RSS, DuckDB included) during the full and the incremental pass.
 *
 * Run alone: `deno run -A bench/nrt.ts [--quick]`.
 */
import type { Bench, BenchRow } from "./_types.ts";
import { loadConfig } from "../lib/config/mod.ts";
import { FileLake } from "../lib/lake/mod.ts";
import {
  NrtDb,
  type NrtReport,
  queryArrow,
  queryRows,
  runNrt,
  writeLakeFromRecords,
} from "../lib/nrt/mod.ts";
import { simulate } from "../lib/simulate/mod.ts";

function* take<T>(iterator: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const next = iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

/** Runs `fn` while sampling the process RSS; returns its result and the peak in bytes. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 25);
  try {
    const result = await fn();
    peak = Math.max(peak, Deno.memoryUsage().rss);
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

const seconds = (ms: number) => ms / 1000;

/** The near-real-time benchmark rows. */
export const bench: Bench = async ({ quick }) => {
  const events = quick ? 100_000 : 1_000_000;
  const arrowRowsWanted = quick ? 200_000 : 1_000_000;
  const dir = await Deno.makeTempDir({ prefix: "ecom-bench-nrt-" });
  const rows: BenchRow[] = [];
  try {
    const config = loadConfig();
    const lake = new FileLake(`${dir}/lake`);
    const sim = simulate({ seed: 7, events, start: new Date("2026-11-01T00:00:00Z") });
    const iterator = sim[Symbol.iterator]();
    const cut = Math.round(events * 0.99);
    const first = await writeLakeFromRecords(lake, take(iterator, cut), { flushSize: 1000 });

    const workDir = `${dir}/work`;
    const t0 = performance.now();
    const { result: full, peak } = await withPeakRss(() => runNrt({ config, lake, workDir }));
    const fullMs = performance.now() - t0;
    const total = full.layers.reduce((s, l) => s + l.bronze, 0);
    rows.push({
      name: `nrt full pass, ${events.toLocaleString("en")} events`,
      value: seconds(fullMs),
      unit: "s",
      baseline: "",
      baselineValue: NaN,
      ratio: NaN,
      goal: quick ? "≤ 10 s" : "≤ 60 s",
      pass: fullMs <= (quick ? 10_000 : 60_000),
      note: `${first.files.length} files, ${total} rows; ${describe(full, fullMs)}; peak RSS ${
        (peak / 2 ** 20).toFixed(0)
      } MB`,
    });

    const second = await writeLakeFromRecords(lake, take(iterator, Infinity), {
      flushSize: 1000,
      startOffsets: first.nextOffsets,
    });
    const t1 = performance.now();
    const { result: inc, peak: incPeak } = await withPeakRss(() =>
      runNrt({ config, lake, workDir })
    );
    const incMs = performance.now() - t1;
    rows.push({
      name: "nrt incremental pass, +1% records",
      value: seconds(incMs),
      unit: "s",
      baseline: "full pass",
      baselineValue: seconds(fullMs),
      ratio: incMs / fullMs,
      goal: "≤ 0.10× full",
      pass: incMs <= 0.1 * fullMs && inc.mode === "incremental",
      note: `${second.files.length} new files of ${first.files.length + second.files.length}; ${
        describe(inc, incMs)
      }; ${inc.goldUpdated} gold tables refreshed, ${inc.written.analysis} analysis files written; peak RSS ${
        (incPeak / 2 ** 20).toFixed(0)
      } MB`,
    });

    const db = await NrtDb.open({ path: `${workDir}/nrt.duckdb`, workDir });
    try {
      const sql = `SELECT * FROM (SELECT * FROM silver.clickstream UNION ALL
        SELECT * FROM silver.clickstream UNION ALL SELECT * FROM silver.clickstream)
        LIMIT ${arrowRowsWanted}`;
      await queryArrow(db, "SELECT * FROM silver.orders"); // warm up parquet-wasm
      const a = performance.now();
      const table = await queryArrow(db, sql);
      const arrowMs = performance.now() - a;
      const b = performance.now();
      const plain = await queryRows(db, sql);
      const rowsMs = performance.now() - b;
      rows.push({
        name: `DuckDB → Arrow (Parquet fast path), ${table.numRows.toLocaleString("en")} rows`,
        value: seconds(arrowMs),
        unit: "s",
        baseline: "DuckDB → JS rows",
        baselineValue: seconds(rowsMs),
        ratio: rowsMs / arrowMs,
        goal: "≥ 2×",
        pass: rowsMs / arrowMs >= 2 && plain.length === table.numRows,
        note: `${table.numCols} columns (clickstream silver)`,
      });
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return rows;
};

/** The pass's steps; "other" is the rest of `totalMs` (planning, opening and closing DuckDB). */
function describe(report: NrtReport, totalMs: number): string {
  const t = report.timings;
  const steps = (t.sync ?? 0) + (t.silver ?? 0) + (t.gold ?? 0) + (t.write ?? 0);
  return `sync ${seconds(t.sync ?? 0).toFixed(2)} s, silver ${
    seconds(t.silver ?? 0).toFixed(2)
  } s, gold ${seconds(t.gold ?? 0).toFixed(2)} s, write ${
    seconds(t.write ?? 0).toFixed(2)
  } s, other ${seconds(totalMs - steps).toFixed(2)} s`;
}

if (import.meta.main) {
  const result = await bench({ quick: Deno.args.includes("--quick") });
  for (const row of result) console.log(JSON.stringify(row));
}
