/**
 * The lessons' support: what a lesson needs besides `lib/` (its lake, its Kafka topics, the
 * gold SQL beside its PySpark, the check of a "Try it" exercise), and the machinery that
 * builds, executes and checks the notebooks (`deno task notebooks`, the tests).
 *
 * - {@linkcode lessonLake} / {@linkcode openLesson}: the `LAKE = "auto" | "seeded" | "configured"`
 *   parameter;
 * - {@linkcode lessonKafka}: the lesson's own topics, fresh at the start, deleted at the end;
 * - {@linkcode goldBeside}: a gold table's SQL beside the Databricks PySpark;
 * - {@linkcode checkAnswer}: a "Try it" check cell;
 * - {@linkcode parsePercent} / {@linkcode toIpynb}: the percent-format sources and notebooks;
 * - {@linkcode executeLessons}: lessons run headless on the Deno kernel;
 * - {@linkcode normaliseNotebook}: outputs as comparable text, for the staleness check;
 * - {@linkcode buildNotebooks}: execute every lesson and commit its outputs.
 *
 * @module
 */
export * from "./lake.ts";
export * from "./kafka.ts";
export * from "./gold.ts";
export * from "./pyspark.ts";
export * from "./exercise.ts";
export * from "./percent.ts";
export * from "./run.ts";
export * from "./normalise.ts";
export * from "./build.ts";
