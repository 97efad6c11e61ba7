/**
 * Running the Databricks notebooks of `databricks/` on local PySpark (the cached virtualenv,
 * JDK 17), through `lib/parity/run_notebook.py` and its stand-in for `dbutils`.
 * Several notebooks share one Python process and one SparkSession. The streaming notebook gets
 * Spark's Kafka source, resolved once by Maven into the user cache.
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";
import { PipelineError } from "../errors.ts";
import { CACHE_DIR, ensureVenv, requireTool, run } from "../stack/mod.ts";

/** The batch notebooks, in the order the original project reads them. */
export const BATCH_NOTEBOOKS = [
  "clickstream",
  "orders",
  "user_profiles",
  "delivery_status",
] as const;

/** Spark's version in the virtualenv (lib/stack/requirements.txt); its Kafka source must match. */
export const SPARK_VERSION = "4.0.1";

/** Where the Kafka source's jars live once resolved. */
export const SPARK_KAFKA_DIR = `${CACHE_DIR}/spark-kafka-${SPARK_VERSION}`;

/** Options of {@linkcode runDatabricksNotebooks}. */
export interface DatabricksRunOptions {
  /** The raw lake: a local folder or a `file://` URL (the `lake_root` widget). */
  lakeRoot: string;
  /**
   * More widgets, e.g. `output_root`, `topic_prefix`, `kafka_bootstrap_servers`.
   * @default {}
   */
  widgets?: Record<string, string>;
  /**
   * Rows each `display()` prints; 0 skips them (faster).
   * @default 5
   */
  displayRows?: number;
  /**
   * Extra environment (e.g. `DATABRICKS_SECRET_<SCOPE>_<KEY>` for `dbutils.secrets.get`).
   * @default {}
   */
  env?: Record<string, string>;
  /**
   * Called with every output line of the notebooks.
   * @default none
   */
  onOutput?: (line: string) => void;
}

/** What a run did. */
export interface DatabricksRunResult {
  /** Seconds to start Python and the SparkSession. */
  startupSeconds: number;
  /** Per notebook: seconds it took. */
  notebooks: Array<{ notebook: string; seconds: number }>;
  /** Everything the notebooks printed. */
  output: string;
}

/** `file://` URL of a local folder (or the URL unchanged). */
export function fileUrl(pathOrUrl: string): string {
  if (/^[a-z]+:\/\//.test(pathOrUrl)) return pathOrUrl;
  const abs = pathOrUrl.startsWith("/") ? pathOrUrl : `${Deno.cwd()}/${pathOrUrl}`;
  return `file://${abs}`;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/**
 * Spark's Kafka source (`org.apache.spark:spark-sql-kafka-0-10_2.13`) and the dependencies PySpark
 * does not already ship, from Maven Central into the user cache (once). Returns the jar paths.
 */
export async function ensureSparkKafka(
  venv: string,
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const list = async () =>
    (await Array.fromAsync(Deno.readDir(SPARK_KAFKA_DIR)))
      .filter((e) => e.name.endsWith(".jar"))
      .map((e) => `${SPARK_KAFKA_DIR}/${e.name}`)
      .sort();
  if (await exists(`${SPARK_KAFKA_DIR}/.complete`)) return await list();
  await requireTool("mvn");
  log(`Resolving Spark's Kafka source ${SPARK_VERSION} with Maven (once)…`);
  const staging = `${SPARK_KAFKA_DIR}.partial-${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(staging, { recursive: true });
  const resolve = (tokenProvider: string) =>
    run("mvn", [
      "-q",
      "-B",
      "-s",
      `${PROJECT_ROOT}/lib/parity/settings.xml`,
      "-f",
      `${PROJECT_ROOT}/lib/parity/pom.xml`,
      `-Dspark.version=${SPARK_VERSION}`,
      `-Dtoken.provider.version=${tokenProvider}`,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${staging}`,
      "-DincludeScope=runtime",
    ], { what: "Resolving Spark's Kafka source" });
  try {
    await resolve(SPARK_VERSION);
  } catch {
    // Some Maven Central mirrors lack spark-token-provider-kafka 4.0.1; 4.0.0 is binary compatible.
    log("spark-token-provider-kafka 4.0.1 not found on this Maven mirror; using 4.0.0");
    await resolve("4.0.0");
  }
  // PySpark ships Spark, Scala, Hadoop and compression jars already: keep only what it lacks.
  const shipped = new Set(
    (await Array.fromAsync(Deno.readDir(await pysparkJars(venv)))).map((e) => e.name),
  );
  for await (const entry of Deno.readDir(staging)) {
    if (shipped.has(entry.name)) await Deno.remove(`${staging}/${entry.name}`);
  }
  await Deno.writeTextFile(`${staging}/.complete`, SPARK_VERSION);
  await Deno.remove(SPARK_KAFKA_DIR, { recursive: true }).catch(() => {});
  await Deno.rename(staging, SPARK_KAFKA_DIR);
  return await list();
}

async function pysparkJars(venv: string): Promise<string> {
  for await (const entry of Deno.readDir(`${venv}/lib`)) {
    const dir = `${venv}/lib/${entry.name}/site-packages/pyspark/jars`;
    if (await exists(dir)) return dir;
  }
  throw new PipelineError(`PySpark's jars folder was not found in ${venv}`);
}

/**
 * A notebook's file: a name under `databricks/` (without `.py`), or a path ending in `.py`
 * (relative to the project), such as a test's own notebook.
 */
function notebookPath(name: string): string {
  if (!name.endsWith(".py")) return `${PROJECT_ROOT}/databricks/${name}.py`;
  return name.startsWith("/") ? name : `${PROJECT_ROOT}/${name}`;
}

/**
 * Runs Databricks notebooks (names under `databricks/` without `.py`, or paths ending in `.py`)
 * one after another in one SparkSession; throws `PipelineError` naming the notebook and cell
 * that failed.
 *
 * @example
 * ```ts ignore
 * const result = await runDatabricksNotebooks(["clickstream", "orders"], {
 *   lakeRoot: "/tmp/lake",
 *   widgets: { output_root: "file:///tmp/spark-out" },
 * });
 * console.log(result.notebooks);
 * ```
 */
export async function runDatabricksNotebooks(
  names: readonly string[],
  options: DatabricksRunOptions,
): Promise<DatabricksRunResult> {
  const venv = await ensureVenv((line) => console.error(line));
  const jars = names.includes("streaming")
    ? await ensureSparkKafka(venv, (line) => console.error(line))
    : [];
  const summary = await Deno.makeTempFile({ prefix: "ecom-databricks-", suffix: ".json" });
  const widgets = { lake_root: fileUrl(options.lakeRoot), ...options.widgets };
  const args = [
    `${PROJECT_ROOT}/lib/parity/run_notebook.py`,
    ...names.map(notebookPath),
    ...Object.entries(widgets).flatMap(([k, v]) => ["--widget", `${k}=${v}`]),
    "--display-rows",
    String(options.displayRows ?? 5),
    "--summary",
    summary,
  ];
  if (jars.length) args.push("--jars", jars.join(","));
  try {
    const child = new Deno.Command(`${venv}/bin/python`, {
      args,
      cwd: PROJECT_ROOT,
      // Python UDFs (streaming.py's raw rule) run in workers of the same interpreter.
      env: { PYTHONUNBUFFERED: "1", PYSPARK_PYTHON: `${venv}/bin/python`, ...options.env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines: string[] = [];
    const errors: string[] = [];
    const pump = async (stream: ReadableStream<Uint8Array>, into: string[]) => {
      let pending = "";
      const decoder = new TextDecoder();
      for await (const bytes of stream) {
        const parts = (pending + decoder.decode(bytes, { stream: true })).split("\n");
        pending = parts.pop() ?? "";
        for (const line of parts) {
          into.push(line);
          options.onOutput?.(line);
        }
      }
      if (pending) into.push(pending), options.onOutput?.(pending);
    };
    const [status] = await Promise.all([
      child.status,
      pump(child.stdout, lines),
      pump(child.stderr, errors),
    ]);
    if (!status.success) {
      const reason = errors.filter((l) => l.startsWith("error:")).at(-1) ??
        errors.filter((l) => l.trim()).slice(-3).join(" | ");
      throw new PipelineError(
        `Databricks notebooks (${names.join(", ")}) failed on local PySpark: ${
          reason.replace(/^error: /, "")
        }`,
      );
    }
    const result = JSON.parse(await Deno.readTextFile(summary));
    return {
      startupSeconds: result.startup_seconds,
      notebooks: (result.notebooks as Array<{ notebook: string; seconds: number }>).map((n) => ({
        notebook: n.notebook.replace(/\.py$/, ""),
        seconds: n.seconds,
      })),
      output: lines.join("\n"),
    };
  } finally {
    await Deno.remove(summary).catch(() => {});
  }
}

/**
 * Runs one Databricks notebook (a name under `databricks/`, without `.py`) on local PySpark.
 *
 * @example
 * ```ts ignore
 * await runDatabricksNotebook("delivery_status", { lakeRoot: "/tmp/lake" });
 * ```
 */
export async function runDatabricksNotebook(
  name: string,
  options: DatabricksRunOptions,
): Promise<DatabricksRunResult> {
  return await runDatabricksNotebooks([name], options);
}
