/**
 * The same near-real-time pass over the same seeded lake, timed in DuckDB (`lib/nrt`: sync →
 * silver → gold → write back) and in Spark (the `databricks/` batch notebooks on local PySpark,
 * local[2], one SparkSession, outputs written the same way). The goal: DuckDB at least 5× faster
 * on one machine. Spark's start-up (JVM, SparkSession) is left out of its figure (a Databricks
 * cluster is already running) and given in the note.
 *
 * Run alone: `deno run -A bench/spark.ts [--quick]`.
 */
import type { Bench, BenchRow } from "./_types.ts";
import {
  BATCH_NOTEBOOKS,
  runDatabricksNotebooks,
  runDuckdbSide,
  seedLake,
} from "../lib/parity/mod.ts";

/** The Spark-against-DuckDB benchmark row. */
export const bench: Bench = async ({ quick }) => {
  const events = quick ? 5_000 : 50_000;
  const dir = await Deno.makeTempDir({ prefix: "ecom-bench-spark-" });
  try {
    const records = await seedLake(`${dir}/lake`, { seed: 7, events, span: 72 * 3_600_000 });
    const duckdb = await runDuckdbSide(`${dir}/lake`, `${dir}/duckdb`, `${dir}/work`);
    const spark = await runDatabricksNotebooks(BATCH_NOTEBOOKS, {
      lakeRoot: `${dir}/lake`,
      widgets: { output_root: `file://${dir}/spark` },
      displayRows: 0,
    });
    const sparkSeconds = spark.notebooks.reduce((s, n) => s + n.seconds, 0);
    const ratio = sparkSeconds / duckdb;
    const row: BenchRow = {
      name: `NRT pass, DuckDB (${records.toLocaleString("en-US")} records)`,
      value: duckdb,
      unit: "s",
      baseline: "same pass in PySpark local[2] (databricks/ notebooks)",
      baselineValue: sparkSeconds,
      ratio,
      goal: "≥ 5×",
      pass: ratio >= 5,
      note: `Spark start-up ${spark.startupSeconds.toFixed(1)} s not counted; per notebook ${
        spark.notebooks.map((n) => `${n.notebook} ${n.seconds.toFixed(1)} s`).join(", ")
      }`,
    };
    return [row];
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
};

if (import.meta.main) {
  const rows = await bench({ quick: Deno.args.includes("--quick") });
  console.table(rows);
}
