/**
 * The Databricks parity check and what it needs: a seeded raw lake (`seed.ts`), the
 * `databricks/` notebooks run on local PySpark (`spark.ts`, with `run_notebook.py`, the Maven
 * `pom.xml` of Spark's Kafka source and its `settings.xml`), and the two sides compared table by
 * table (`compare.ts`).
 *
 * @module
 */
export * from "./compare.ts";
export * from "./seed.ts";
export * from "./spark.ts";
