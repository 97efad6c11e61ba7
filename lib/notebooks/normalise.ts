/**
 * What of a lesson's outputs must be the same on every run, as comparable text: the committed
 * outputs are stale when a fresh run's normalised outputs differ from theirs.
 *
 * Lessons print no clock, no machine path and no random id, so most outputs are compared as
 * they are. What still differs between two honest runs is masked here, in one place:
 * - runs of spaces become one space, and rules of `─` one `─` (a text table pads its columns
 *   and rules to its longest value);
 * - `host:port` addresses become `<host:port>`, and lake URLs `<lake>` (each machine's stack
 *   listens where its `.env` says);
 * - strings the caller names (e.g. the `KAFKA_TOPIC_PREFIX` a test runs under) are removed;
 * - in a cell tagged `volatile` (its output depends on timing or on the machine: a live chart,
 *   a count of updates, a measured duration, the stack's addresses), only the kinds of its
 *   outputs and their MIME types count.
 *
 * @module
 */
import type { Output } from "./percent.ts";

/** Options of {@linkcode normaliseCell}. */
export interface NormaliseOptions {
  /** Strings removed from every output before comparing. @default none */
  remove?: readonly string[];
}

const joinText = (value: unknown): string =>
  Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "";

function mask(text: string, options: NormaliseOptions): string {
  let out = text;
  for (const s of options.remove ?? []) if (s) out = out.replaceAll(s, "");
  return out
    .replace(/\b(?:azurite|abfss|file):\/\/[^\s<>"'|)]+/g, "<lake>")
    .replace(/\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3}):\d{2,5}\b/g, "<host:port>")
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/─+/g, "─")
    .replace(/ ?\n ?/g, "\n")
    .trim();
}

/** One code cell's outputs as comparable lines (see the module doc). */
export function normaliseCell(
  outputs: readonly Output[],
  tags: readonly string[] = [],
  options: NormaliseOptions = {},
): string[] {
  const volatile = tags.includes("volatile");
  return outputs.map((o) => {
    const kind = String(o.output_type);
    if (kind === "error") return `error: ${o.ename}: ${mask(String(o.evalue), options)}`;
    if (kind === "stream") return volatile ? kind : `${kind}: ${mask(joinText(o.text), options)}`;
    const data = (o.data ?? {}) as Record<string, unknown>;
    const types = Object.keys(data).sort();
    if (volatile) return `${kind} [${types.join(", ")}]`;
    return `${kind} [${types.join(", ")}]: ` +
      types.map((t) => `${t}=${mask(joinText(data[t]), options)}`).join(" | ");
  });
}

/** A notebook's code cells as nbformat JSON holds them. */
interface NotebookJson {
  cells: Array<{ cell_type: string; metadata?: { tags?: string[] }; outputs?: Output[] }>;
}

/** Every code cell of a notebook (`.ipynb` text), normalised. */
export function normaliseNotebook(ipynb: string, options: NormaliseOptions = {}): string[][] {
  const nb = JSON.parse(ipynb) as NotebookJson;
  return nb.cells.filter((c) => c.cell_type === "code")
    .map((c) => normaliseCell(c.outputs ?? [], c.metadata?.tags ?? [], options));
}

/**
 * The first difference between two notebooks' normalised outputs, in one line, or null when
 * they agree.
 *
 * @example
 * ```ts
 * import { firstDifference } from "./normalise.ts";
 * const a = [["stream: ✔ 12 rows"]];
 * firstDifference(a, [["stream: ✔ 12 rows"]]); // null
 * firstDifference(a, [["stream: ✔ 13 rows"]]); // "code cell 1, output 1: …"
 * ```
 */
export function firstDifference(a: string[][], b: string[][]): string | null {
  const cells = Math.max(a.length, b.length);
  for (let i = 0; i < cells; i++) {
    const x = a[i] ?? [];
    const y = b[i] ?? [];
    for (let j = 0; j < Math.max(x.length, y.length); j++) {
      if (x[j] === y[j]) continue;
      // Show both around the first character that differs (outputs can be long SVG).
      let k = 0;
      while (x[j] !== undefined && y[j] !== undefined && x[j][k] === y[j][k]) k++;
      const from = Math.max(0, k - 60);
      const clip = (s: string | undefined) =>
        s === undefined ? "(no output)" : JSON.stringify(s.slice(from, k + 100));
      return `code cell ${i + 1}, output ${j + 1}: ${clip(x[j])} ≠ ${clip(y[j])}`;
    }
  }
  return null;
}
