/**
 * Executing lessons headless on the Deno kernel (Python's nbclient in the project's cached
 * virtualenv), for `deno task notebooks`, the demo and the tests that check what a lesson shows.
 * A lesson is always executed from its source (`notebooks/_src/`), in `notebooks/` as the
 * kernel's working folder, so that its `../lib/…` imports resolve as in Jupyter.
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";
import { PipelineError } from "../errors.ts";
import { ensureVenv } from "../stack/venv.ts";
import {
  type Cell,
  lessons,
  NOTEBOOKS_DIR,
  type Output,
  parsePercent,
  toIpynb,
} from "./percent.ts";

/** One output of an executed cell, flattened for assertions. */
export interface CellOutput {
  /** stream text, or the `text/plain` of a result / display. */
  text: string;
  /** The whole mime bundle of a result / display (e.g. `text/html`, `image/svg+xml`). */
  data: Record<string, unknown>;
}

/** An executed code cell. */
export interface ExecutedCell {
  source: string;
  tags: string[];
  executionCount: number | null;
  outputs: CellOutput[];
  /** The outputs as nbformat stored them. */
  raw: Output[];
}

/** An executed lesson. */
export interface ExecutedNotebook {
  /** e.g. `02-realtime`. */
  name: string;
  /** Whether every cell ran without an error. */
  ok: boolean;
  /** The failing cell and its error in one line, when not ok. */
  error?: string;
  /** Code cells in order, with their source and outputs. */
  cells: ExecutedCell[];
  /** Every cell of the source (markdown too), for rebuilding the notebook with outputs. */
  sourceCells: Cell[];
  /** All text of every output, joined: handy for `includes` checks. */
  text: string;
  /** Where the executed copy was written. */
  path: string;
}

/** Options of {@linkcode executeLessons}. */
export interface ExecuteOptions {
  /** Seconds per cell. @default 600 */
  timeout?: number;
  /** Extra environment for the kernels (e.g. LAKE_URL, DATA_DIR, KAFKA_TOPIC_PREFIX). */
  env?: Record<string, string>;
  /** Where to write the executed notebooks. @default data/notebooks */
  outDir?: string;
  /** Called as each lesson finishes. @default nothing */
  onLesson?: (result: { name: string; ok: boolean; error?: string }) => void;
}

const joinText = (value: unknown): string =>
  Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "";

function readExecuted(name: string, path: string, sourceCells: Cell[], text: string) {
  const nb = JSON.parse(text) as { cells: Array<Record<string, unknown>> };
  const code = sourceCells.filter((c) => c.cell_type === "code");
  const cells = nb.cells.filter((c) => c.cell_type === "code").map((c, i): ExecutedCell => {
    const raw = (c.outputs ?? []) as Output[];
    return {
      source: joinText(c.source),
      tags: code[i]?.tags ?? [],
      executionCount: (c.execution_count ?? null) as number | null,
      raw,
      outputs: raw.map((o) => {
        const data = (o.data ?? {}) as Record<string, unknown>;
        if (o.output_type === "error") {
          return { text: `${o.ename}: ${o.evalue}`, data };
        }
        const text = o.output_type === "stream" ? joinText(o.text) : joinText(data["text/plain"]);
        return { text, data };
      }),
    };
  });
  const all = cells.flatMap((c) => c.outputs.map((o) => o.text)).join("\n");
  return { name, ok: true, cells, sourceCells, text: all, path };
}

/**
 * Executes lessons one after another in one nbclient process, each on a fresh kernel; returns
 * one result per lesson, failed ones included (`ok: false`, `error` naming the cell).
 */
export async function executeLessons(
  names: readonly string[],
  options: ExecuteOptions = {},
): Promise<ExecutedNotebook[]> {
  const venv = await ensureVenv((line) => console.error(line));
  const outDir = options.outDir ?? `${PROJECT_ROOT}/data/notebooks`;
  await Deno.mkdir(outDir, { recursive: true });
  const known = new Map((await lessons()).map((l) => [l.name, l]));
  const jobs = [];
  for (const name of names) {
    const lesson = known.get(name);
    if (!lesson) throw new PipelineError(`No lesson named ${name} in notebooks/_src/`);
    const cells = parsePercent(await Deno.readTextFile(lesson.src));
    const input = `${outDir}/${name}.source.ipynb`;
    await Deno.writeTextFile(input, toIpynb(cells));
    jobs.push({ name, cells, input, out: `${outDir}/${name}.ipynb` });
  }
  const child = new Deno.Command(`${venv}/bin/python`, {
    args: [
      `${PROJECT_ROOT}/lib/notebooks/execute.py`,
      "--timeout",
      String(options.timeout ?? 600),
      "--cwd",
      NOTEBOOKS_DIR,
      ...jobs.flatMap((j) => [j.input, j.out]),
    ],
    env: { ...options.env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const status = new Map<string, { ok: boolean; error?: string }>();
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines.filter((l) => l.startsWith("{"))) {
      const r = JSON.parse(line) as { notebook: string; ok: boolean; error?: string };
      const job = jobs.find((j) => j.input === r.notebook)!;
      status.set(job.name, r);
      options.onLesson?.({ name: job.name, ok: r.ok, error: r.error });
    }
  }
  await child.status;
  const results: ExecutedNotebook[] = [];
  for (const job of jobs) {
    const s = status.get(job.name);
    const text = await Deno.readTextFile(job.out).catch(() => null);
    if (!s || text === null) {
      const tail = (await stderr).trim().split("\n").slice(-3).join(" | ");
      results.push({
        name: job.name,
        ok: false,
        error: `the runner stopped before this lesson finished: ${tail}`,
        cells: [],
        sourceCells: job.cells,
        text: "",
        path: job.out,
      });
      continue;
    }
    results.push({ ...readExecuted(job.name, job.out, job.cells, text), ok: s.ok, error: s.error });
  }
  return results;
}

/**
 * Executes one lesson; throws `PipelineError` naming the failing cell if any cell raised, else
 * returns its outputs.
 *
 * @example
 * ```ts ignore
 * const nb = await executeNotebook("00-setup");
 * nb.text.includes("✔"); // true
 * ```
 */
export async function executeNotebook(
  name: string,
  options: ExecuteOptions = {},
): Promise<ExecutedNotebook> {
  const [result] = await executeLessons([name], options);
  if (!result.ok) throw new PipelineError(`Notebook ${name} failed: ${result.error}`);
  return result;
}
