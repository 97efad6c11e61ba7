/**
 * Near-real-time lake analytics in DuckDB and Arrow: the mirror of the Databricks notebooks.
 *
 * - {@linkcode syncLake}: raw lake → local cache, incremental (a checkpoint as Auto Loader's),
 *   lines that are no valid raw record or drift from bronze's types quarantined one by one
 *   ({@linkcode checkLakeFile}, the `quarantine` table, `quarantine/` in the lake);
 * - bronze views ({@linkcode createBronzeViews}), the two cleanings ({@linkcode compareCleanings}),
 *   silver ({@linkcode buildSilver}, {@linkcode appendSilver}), gold ({@linkcode GOLD_TABLES},
 *   {@linkcode buildGold}, {@linkcode refreshGold}), exactly as `lib/nrt/TABLES.md` defines them;
 * - write-back ({@linkcode writeCurated}, {@linkcode writeAnalysis}) and one whole pass,
 *   {@linkcode runNrt}, passes in one process ({@linkcode openNrt}) and on a schedule
 *   ({@linkcode watchNrt}, `deno task nrt --watch`);
 * - results as Arrow tables through the Parquet fast path ({@linkcode queryArrow}) or as JS rows
 *   ({@linkcode queryRows});
 * - {@linkcode writeLakeFromRecords}: a raw lake from simulated records, without Kafka (the
 *   lessons' seeded lake, `lib/notebooks/lake.ts`).
 *
 * @module
 */
export * from "./db.ts";
export * from "./arrow.ts";
export * from "./sync.ts";
export * from "./event_time.ts";
export * from "./quarantine.ts";
export * from "./drift.ts";
export * from "./bronze.ts";
export * from "./cleaning.ts";
export * from "./silver.ts";
export * from "./gold.ts";
export * from "./refresh.ts";
export * from "./clickstream.ts";
export * from "./orders.ts";
export * from "./profiles.ts";
export * from "./delivery.ts";
export * from "./writeback.ts";
export * from "./run.ts";
export * from "./watch.ts";
export * from "./fixture.ts";
