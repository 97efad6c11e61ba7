/**
 * Live-updating output in Jupyter: the first `show` displays a value under a display id, each
 * later `show` replaces that output in place (`Deno.jupyter.display(bundle, { raw: true, update:
 * true, display_id })`), so a chart can follow a stream cell-side without piling up outputs.
 * Headless runners (nbclient) keep the last state. Outside Jupyter, `show` prints the value's
 * text once per call (or nothing, with `quiet`).
 *
 * @module
 */

/** A MIME bundle, e.g. `{ "text/plain": "…", "text/html": "<svg …" }`. */
export type MimeBundle = Record<string, string>;

const DISPLAY = Symbol.for("Jupyter.display");

interface Jupyter {
  display(
    value: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

function jupyter(): Jupyter | undefined {
  // Outside `deno jupyter` the getter throws rather than answering undefined.
  try {
    return (Deno as unknown as { jupyter?: Jupyter }).jupyter;
  } catch {
    return undefined;
  }
}

/**
 * The MIME bundle of a value: its `Symbol.for("Jupyter.display")` bundle (tables, charts),
 * a bundle given as is, or its text.
 *
 * @example
 * ```ts
 * import { toMimeBundle } from "./live.ts";
 * toMimeBundle("hello"); // { "text/plain": "hello" }
 * ```
 */
export function toMimeBundle(value: unknown): MimeBundle {
  if (value !== null && typeof value === "object") {
    const display = (value as Record<symbol, unknown>)[DISPLAY];
    if (typeof display === "function") return display.call(value) as MimeBundle;
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([k, v]) => k.includes("/") && typeof v === "string")) {
      return value as MimeBundle;
    }
  }
  return { "text/plain": String(value) };
}

/** Options of {@linkcode liveView}. */
export interface LiveViewOptions {
  /** The display id. @default "live-<random uuid>" */
  id?: string;
  /** Outside Jupyter, print nothing. @default false */
  quiet?: boolean;
}

/** One output that updates in place. */
export interface LiveView {
  /** The display id Jupyter knows the output by. */
  readonly id: string;
  /** How many times it has been shown (1 after the first display). */
  readonly updates: number;
  /** Displays `value` (first call) or replaces the output with it (later calls). */
  show(value: unknown): Promise<void>;
}

/**
 * Creates an output that updates in place.
 *
 * @example
 * ```ts
 * import { liveView } from "./live.ts";
 * const view = liveView({ id: "orders-per-minute", quiet: true });
 * await view.show("0 orders");
 * await view.show("3 orders"); // replaces the first output in Jupyter
 * view.updates; // 2
 * ```
 */
export function liveView(options: LiveViewOptions = {}): LiveView {
  const id = options.id ?? `live-${crypto.randomUUID()}`;
  let updates = 0;
  return {
    id,
    get updates() {
      return updates;
    },
    async show(value: unknown) {
      const bundle = toMimeBundle(value);
      const kernel = jupyter();
      if (kernel) {
        await kernel.display(bundle, { raw: true, display_id: id, update: updates > 0 });
      } else if (!options.quiet) console.log(bundle["text/plain"] ?? "");
      updates++;
    },
  };
}
