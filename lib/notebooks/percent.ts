/**
 * Lessons are written as plain TypeScript in the "percent" format (as jupytext reads it) under
 * `notebooks/_src/`, and built into `notebooks/*.ipynb`:
 *
 * ```ts ignore
 * // %% [markdown]
 * // # A title
 * // Some prose.
 * // %%
 * const answer = 42;
 * // %% tags=["volatile"]
 * console.log(performance.now()); // a cell whose output varies from run to run
 * ```
 *
 * A cell's `tags` go into its metadata; `volatile` marks a cell whose output depends on timing
 * (see `normalise.ts`). `deno task notebooks` executes the lessons and commits their outputs.
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";

/** One notebook cell as its source describes it. */
export interface Cell {
  cell_type: "markdown" | "code";
  source: string;
  /** Cell tags (`// %% tags=["volatile"]`). @default none */
  tags?: string[];
}

/** One output of an executed code cell, as nbformat stores it. */
export type Output = Record<string, unknown>;

/** Where the lessons live. */
export const NOTEBOOKS_DIR = `${PROJECT_ROOT}/notebooks`;

function parseTags(marker: string): string[] | undefined {
  const match = /tags=(\[[^\]]*\])/.exec(marker);
  if (!match) return undefined;
  const tags = JSON.parse(match[1]) as unknown;
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) {
    throw new TypeError(`Cell marker "${marker}": tags must be a JSON array of strings`);
  }
  return tags.length ? tags : undefined;
}

/**
 * Splits percent-format source into cells.
 *
 * @example
 * ```ts
 * import { parsePercent } from "./percent.ts";
 * const text = '// %% [markdown]\n// # T\n// %% tags=["volatile"]\nconst a = 1;\n';
 * const cells = parsePercent(text);
 * if (cells[1].tags?.[0] !== "volatile") throw new Error("tags");
 * ```
 */
export function parsePercent(text: string): Cell[] {
  const cells: Cell[] = [];
  let current: { type: Cell["cell_type"]; lines: string[]; tags?: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const lines = [...current.lines];
    while (lines.length && lines[0].trim() === "") lines.shift();
    while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
    const source = current.type === "markdown"
      ? lines.map((l) => l.replace(/^\/\/ ?/, "")).join("\n")
      : lines.join("\n");
    if (!source.trim()) return;
    cells.push(
      current.tags
        ? { cell_type: current.type, source, tags: current.tags }
        : { cell_type: current.type, source },
    );
  };
  for (const line of text.split("\n")) {
    const marker = /^\/\/ %%(.*)$/.exec(line);
    if (marker) {
      flush();
      current = {
        type: marker[1].includes("[markdown]") ? "markdown" : "code",
        lines: [],
        tags: parseTags(marker[1]),
      };
    } else if (current) current.lines.push(line);
  }
  flush();
  return cells;
}

/** A string as nbformat stores it: a list of lines, each but the last ending in `\n`. */
export function toLines(text: string): string[] {
  return text.split("\n").map((l, j, all) => (j < all.length - 1 ? `${l}\n` : l))
    .filter((l, j, all) => !(l === "" && j === all.length - 1 && all.length > 1));
}

/** The executed state of one code cell. */
export interface CellResult {
  execution_count: number | null;
  outputs: Output[];
}

/**
 * The `.ipynb` JSON text for a list of cells (Deno kernel), with the outputs of the code cells
 * when given (in code-cell order), else none.
 */
export function toIpynb(cells: Cell[], results: CellResult[] = []): string {
  let code = 0;
  const nb = {
    cells: cells.map((c, i) => {
      const metadata = c.tags ? { tags: c.tags } : {};
      const source = toLines(c.source);
      if (c.cell_type === "markdown") {
        return { cell_type: "markdown", id: `cell-${i}`, metadata, source };
      }
      const result = results[code++] ?? { execution_count: null, outputs: [] };
      return {
        cell_type: "code",
        execution_count: result.execution_count,
        id: `cell-${i}`,
        metadata,
        outputs: result.outputs,
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

/** One lesson: its name, percent-format source and notebook. */
export interface Lesson {
  /** e.g. `02-realtime`. */
  name: string;
  src: string;
  ipynb: string;
}

/** Every lesson, in order (`notebooks/_src/NN-*.ts`). */
export async function lessons(): Promise<Lesson[]> {
  const dir = `${NOTEBOOKS_DIR}/_src`;
  const out: Lesson[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^\d\d-.*\.ts$/.test(entry.name)) {
      const name = entry.name.replace(/\.ts$/, "");
      out.push({ name, src: `${dir}/${entry.name}`, ipynb: `${NOTEBOOKS_DIR}/${name}.ipynb` });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The cells of a committed notebook (sources and tags, outputs left out). */
export function cellsOf(ipynb: string): Cell[] {
  const nb = JSON.parse(ipynb) as {
    cells: Array<{ cell_type: Cell["cell_type"]; source: string[]; metadata: { tags?: string[] } }>;
  };
  return nb.cells.map((c) => {
    const cell: Cell = { cell_type: c.cell_type, source: c.source.join("") };
    if (c.metadata.tags?.length) cell.tags = c.metadata.tags;
    return cell;
  });
}
