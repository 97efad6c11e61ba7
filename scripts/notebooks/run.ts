/**
 * Executing notebooks headless on the Deno kernel (Python's nbclient in the project's cached
 * virtualenv), for the demo and for tests that check the values a lesson shows.
 *
 * @module
 */
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { PipelineError } from "../../lib/errors.ts";
import { ensureVenv } from "../stack/install.ts";

/** One output of an executed cell, flattened for assertions. */
export interface CellOutput {
  /** stream text, or the `text/plain` of a result / display. */
  text: string;
  /** The whole mime bundle of a result / display (e.g. `text/html`, `image/svg+xml`). */
  data: Record<string, unknown>;
  /** The display id, when the output was displayed with one. */
  displayId?: string;
}

/** An executed notebook. */
export interface ExecutedNotebook {
  /** Code cells in order, with their source and outputs. */
  cells: Array<{ source: string; outputs: CellOutput[] }>;
  /** All text of every output, joined: handy for `includes` checks. */
  text: string;
  /** Where the executed copy was written. */
  path: string;
}

/** Options of {@linkcode executeNotebook}. */
export interface ExecuteOptions {
  /** Seconds per cell. @default 600 */
  timeout?: number;
  /** Extra environment for the kernel (e.g. LAKE_URL for a test lake). */
  env?: Record<string, string>;
  /** Where to write the executed notebook. @default data/notebooks/<name> */
  out?: string;
}

function joinText(value: unknown): string {
  return Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "";
}

/**
 * Executes `notebooks/<name>.ipynb`; throws `PipelineError` naming the failing cell if any cell
 * raised, else returns its outputs.
 */
export async function executeNotebook(
  name: string,
  options: ExecuteOptions = {},
): Promise<ExecutedNotebook> {
  const venv = await ensureVenv((line) => console.error(line));
  const input = `${PROJECT_ROOT}/notebooks/${name}.ipynb`;
  const out = options.out ?? `${PROJECT_ROOT}/data/notebooks/${name}.ipynb`;
  await Deno.mkdir(out.slice(0, out.lastIndexOf("/")), { recursive: true });
  const result = await new Deno.Command(`${venv}/bin/python`, {
    args: [
      `${PROJECT_ROOT}/scripts/notebooks/execute.py`,
      input,
      out,
      "--timeout",
      String(options.timeout ?? 600),
    ],
    env: { ...options.env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const err = new TextDecoder().decode(result.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new PipelineError(`Notebook ${name} failed: ${err}`);
  }
  const nb = JSON.parse(await Deno.readTextFile(out));
  const cells = (nb.cells as Array<Record<string, unknown>>)
    .filter((c) => c.cell_type === "code")
    .map((c) => ({
      source: joinText(c.source),
      outputs: (c.outputs as Array<Record<string, unknown>>).map((o) => {
        const data = (o.data ?? {}) as Record<string, unknown>;
        const text = o.output_type === "stream" ? joinText(o.text) : joinText(data["text/plain"]);
        const meta = (o.transient ?? o.metadata ?? {}) as { display_id?: string };
        return { text, data, displayId: meta.display_id };
      }),
    }));
  const text = cells.flatMap((c) => c.outputs.map((o) => o.text)).join("\n");
  return { cells, text, path: out };
}
