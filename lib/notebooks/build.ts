/**
 * `deno task notebooks`: executes every lesson, in order, on the local stack as a learner's
 * fresh one would be (fresh topics under each lesson's prefix, an empty lake container, a fresh
 * `DATA_DIR`), and writes each `notebooks/NN-*.ipynb` from its source with the outputs, so a
 * reader sees the charts and tables without running anything.
 *
 * A file lake (`LAKE_URL=file://…`) is replaced by `DATA_DIR/notebooks/lake`, emptied likewise.
 *
 * A lesson whose outputs agree with the committed ones after normalising (`normalise.ts`) is
 * left untouched, byte for byte: a rerun changes nothing unless a lesson's source or results
 * changed. With `check`, nothing is written and the stale lessons are reported.
 *
 * @module
 */
import { type Config, loadConfig } from "../config/mod.ts";
import { StackError } from "../errors.ts";
import { pingKafka } from "../kafka/health.ts";
import { openLake } from "../lake/open.ts";
import { firstDifference, normaliseNotebook } from "./normalise.ts";
import { cellsOf, lessons, toIpynb } from "./percent.ts";
import { type ExecutedNotebook, executeLessons } from "./run.ts";

/** Options of {@linkcode buildNotebooks}. */
export interface BuildOptions {
  /** Lessons to build, by name. @default every lesson */
  only?: readonly string[];
  /** Report stale lessons, write nothing. @default false */
  check?: boolean;
  /** Progress lines. @default nothing */
  log?: (line: string) => void;
  /** The configuration whose local stack runs the lessons. @default loadConfig() */
  config?: Config;
}

/** What happened to one lesson. */
export interface BuildResult {
  name: string;
  /** `written` (outputs changed), `unchanged`, `stale` (check mode), `failed`. */
  status: "written" | "unchanged" | "stale" | "failed";
  /** The failing cell, or the first difference from the committed outputs. */
  detail?: string;
}

/** The notebook text of an executed lesson: its source cells with their outputs. */
export function executedIpynb(nb: ExecutedNotebook): string {
  return toIpynb(
    nb.sourceCells,
    nb.cells.map((c) => ({ execution_count: c.executionCount, outputs: c.raw })),
  );
}

/**
 * Why a committed notebook differs from an executed lesson (sources, then normalised outputs),
 * or null when it is current.
 */
export function staleness(
  committed: string | null,
  executed: string,
  remove: readonly string[] = [],
): string | null {
  if (committed === null) return "not committed yet";
  if (JSON.stringify(cellsOf(committed)) !== JSON.stringify(cellsOf(executed))) {
    return "its source changed";
  }
  return firstDifference(
    normaliseNotebook(committed, { remove }),
    normaliseNotebook(executed, { remove }),
  );
}

/**
 * Where the build runs the lessons: an empty lake container on the local stack. `DATA_DIR` stays
 * the configured one (lessons empty their own work folders and key their seeded lakes by their
 * parameters, so nothing left there changes what they show).
 */
async function freshEnv(config: Config): Promise<Record<string, string>> {
  if (!config.kafka.local || config.lake.kind === "adls") {
    throw new StackError(
      "deno task notebooks runs the lessons on the local stack; unset the cloud settings",
    );
  }
  if (!(await pingKafka(config.kafka)).healthy) {
    throw new StackError("No Kafka broker answers: start the local stack with `./dev stack up`");
  }
  if (config.lake.kind === "file") {
    const root = `${config.dataDir}/notebooks/lake`;
    await Deno.remove(root, { recursive: true }).catch(() => {});
    return { LAKE_URL: `file://${root}` };
  }
  const { host, port } = config.lake.endpoint!;
  const url = `azurite://${host}:${port}/lessons`;
  const lake = openLake({ ...config.lake, url, container: "lessons", prefix: "" });
  await lake.init();
  for (const e of await lake.list("")) await lake.delete(e.path);
  await lake.close();
  return { LAKE_URL: url };
}

/** Executes the lessons and writes (or checks) their committed outputs (see the module doc). */
export async function buildNotebooks(options: BuildOptions = {}): Promise<BuildResult[]> {
  const log = options.log ?? (() => {});
  const config = options.config ?? loadConfig();
  const all = await lessons();
  const chosen = options.only?.length ? all.filter((l) => options.only!.includes(l.name)) : all;
  const env = await freshEnv(config);
  const dir = `${config.dataDir}/notebooks/build`;
  // The executed copies stay there (DATA_DIR is ignored by git) for a look when one fails.
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const executed = await executeLessons(chosen.map((l) => l.name), {
    env,
    outDir: dir,
    onLesson: (r) => log(`${r.ok ? "✔" : "✘"} ran ${r.name}${r.error ? `: ${r.error}` : ""}`),
  });
  const results: BuildResult[] = [];
  for (const [i, nb] of executed.entries()) {
    const lesson = chosen[i];
    if (!nb.ok) {
      results.push({ name: nb.name, status: "failed", detail: nb.error });
      continue;
    }
    const text = executedIpynb(nb);
    const committed = await Deno.readTextFile(lesson.ipynb).catch(() => null);
    const why = staleness(committed, text, [config.kafka.topicPrefix]);
    if (why === null) results.push({ name: nb.name, status: "unchanged" });
    else if (options.check) results.push({ name: nb.name, status: "stale", detail: why });
    else {
      await Deno.writeTextFile(lesson.ipynb, text);
      results.push({ name: nb.name, status: "written", detail: why });
    }
  }
  return results;
}
