/**
 * Notebooks are written as plain TypeScript in the "percent" format (as jupytext reads it) under
 * `notebooks/_src/`, and built into `notebooks/*.ipynb` with empty outputs:
 *
 * ```ts ignore
 * // %% [markdown]
 * // # A title
 * // Some prose.
 * // %%
 * const answer = 42;
 * ```
 *
 * `deno task notebooks` rebuilds them; a test checks the committed `.ipynb` match their sources.
 *
 * @module
 */
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

/** One notebook cell. */
export interface Cell {
  cell_type: "markdown" | "code";
  source: string;
}

/** Splits percent-format source into cells. */
export function parsePercent(text: string): Cell[] {
  const cells: Cell[] = [];
  let current: { type: Cell["cell_type"]; lines: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const lines = [...current.lines];
    while (lines.length && lines[0].trim() === "") lines.shift();
    while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
    const source = current.type === "markdown"
      ? lines.map((l) => l.replace(/^\/\/ ?/, "")).join("\n")
      : lines.join("\n");
    if (source.trim()) cells.push({ cell_type: current.type, source });
  };
  for (const line of text.split("\n")) {
    const marker = /^\/\/ %%(.*)$/.exec(line);
    if (marker) {
      flush();
      current = { type: marker[1].includes("[markdown]") ? "markdown" : "code", lines: [] };
    } else if (current) current.lines.push(line);
  }
  flush();
  return cells;
}

/** The `.ipynb` JSON text for a list of cells (Deno kernel, no outputs). */
export function toIpynb(cells: Cell[]): string {
  const nb = {
    cells: cells.map((c, i) => {
      const source = c.source.split("\n").map((l, j, all) => (j < all.length - 1 ? `${l}\n` : l));
      return c.cell_type === "markdown"
        ? { cell_type: "markdown", id: `cell-${i}`, metadata: {}, source }
        : {
          cell_type: "code",
          execution_count: null,
          id: `cell-${i}`,
          metadata: {},
          outputs: [],
          source,
        };
    }),
    metadata: {
      kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
      language_info: {
        codemirror_mode: "typescript",
        file_extension: ".ts",
        mimetype: "text/x.typescript",
        name: "typescript",
        nbconvert_exporter: "script",
        pygments_lexer: "typescript",
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Source files and the notebooks built from them. */
export async function notebookSources(): Promise<Array<{ src: string; ipynb: string }>> {
  const dir = `${PROJECT_ROOT}/notebooks/_src`;
  const out = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".ts")) {
      out.push({
        src: `${dir}/${entry.name}`,
        ipynb: `${PROJECT_ROOT}/notebooks/${entry.name.replace(/\.ts$/, ".ipynb")}`,
      });
    }
  }
  return out.sort((a, b) => a.src.localeCompare(b.src));
}

if (import.meta.main) {
  for (const { src, ipynb } of await notebookSources()) {
    await Deno.writeTextFile(ipynb, toIpynb(parsePercent(await Deno.readTextFile(src))));
    console.log(`✔ ${ipynb.slice(PROJECT_ROOT.length + 1)}`);
  }
}
