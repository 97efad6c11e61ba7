/**
 * A tiny flag parser and runner shared by every CLI script (JSR's std/cli is unreachable here).
 *
 * Declare flags once, with types (`string`, `number`, `integer`, `boolean`, `duration`),
 * defaults, choices and help text; {@linkcode parseFlags} returns typed values, prints nothing,
 * and throws UsageError (one line, naming the flag) for an unknown flag or a bad value, and
 * {@linkcode HelpRequested} for `--help`/`-h`. {@linkcode runCli} turns those into output and
 * exit codes: usage on stdout and 0 for help, `error: <message>` on stderr and 2 for
 * UsageError, 1 for any other error.
 *
 * Accepted forms: `--name value`, `--name=value`, `--flag` / `--no-flag` for booleans, `-x`
 * for a declared one-letter alias, `--` to end flags; other arguments are positionals (rejected
 * unless `positionals` is declared).
 *
 * @example
 * ```ts
 * import { parseFlags } from "./_cli.ts";
 * const spec = {
 *   name: "simulate",
 *   summary: "Write simulated events",
 *   flags: {
 *     seed: { type: "integer", default: 42, description: "random seed" },
 *     out: { type: "string", required: true, description: "output folder" },
 *     span: { type: "duration", default: 3_600_000, description: "event-time span" },
 *     faults: { type: "string", choices: ["none", "default"], description: "fault preset" },
 *   },
 * } as const;
 * const { flags } = parseFlags(spec, ["--out", "data/x", "--span=90m"]);
 * if (flags.seed !== 42 || flags.span !== 5_400_000 || flags.faults !== undefined) {
 *   throw new Error("parse failed");
 * }
 * ```
 *
 * @module
 */

import { errorMessage, UsageError, WorkspaceError } from "../lib/errors.ts";

/** Value types a flag can have. */
export type FlagType = "string" | "number" | "integer" | "boolean" | "duration";

/** One flag's declaration. */
export interface FlagSpec {
  /** Value type; `duration` accepts `500ms`, `60s`, `15m`, `72h`, `2d` (or `1h30m`), in ms. */
  readonly type: FlagType;
  /** One line for `--help`. */
  readonly description: string;
  /** Value when the flag is absent (booleans default to false). */
  readonly default?: string | number | boolean;
  /** The flag must be given. */
  readonly required?: boolean;
  /** Allowed values (string flags). */
  readonly choices?: readonly string[];
  /** Lowest allowed value (number, integer, duration). */
  readonly min?: number;
  /** A one-letter alias, used as `-x`. */
  readonly alias?: string;
  /** Name of the value in `--help`, e.g. `DIR`. */
  readonly placeholder?: string;
}

/** A script's command line. */
export interface CliSpec {
  /** Command name in usage, e.g. `simulate` (shown as `deno task simulate`). */
  readonly name: string;
  /** One line saying what the command does. */
  readonly summary: string;
  /** Flags by name (without dashes, e.g. `flush-size`). */
  readonly flags: { readonly [name: string]: FlagSpec };
  /** Positional arguments, e.g. `[{ name: "action", description: "up|down|status" }]`. */
  readonly positionals?: readonly { readonly name: string; readonly description: string }[];
  /** Example command lines for `--help`. */
  readonly examples?: readonly string[];
}

type ValueOf<F extends FlagSpec> = F["type"] extends "boolean" ? boolean
  : F["type"] extends "string"
    ? F["choices"] extends readonly (infer C extends string)[] ? C : string
  : number;

/** The parsed flags of a spec: optional ones without default may be undefined. */
export type Flags<S extends CliSpec> = {
  -readonly [K in keyof S["flags"]]: S["flags"][K] extends
    { readonly type: "boolean" } | { readonly default: unknown } | { readonly required: true }
    ? ValueOf<S["flags"][K]>
    : ValueOf<S["flags"][K]> | undefined;
};

/** The result of {@linkcode parseFlags}. */
export interface Parsed<S extends CliSpec> {
  flags: Flags<S>;
  positionals: string[];
}

/** Thrown by {@linkcode parseFlags} for `--help` / `-h`; carries the usage text. */
export class HelpRequested extends Error {
  /** The usage text to print. */
  readonly usage: string;
  constructor(usage: string) {
    super("Help requested");
    this.name = "HelpRequested";
    this.usage = usage;
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/**
 * Parses a duration like `500ms`, `60s`, `15m`, `72h`, `2d` or `1h30m` (or `0`) into milliseconds;
 * throws UsageError (naming `what`) otherwise.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./_cli.ts";
 * if (parseDuration("1h30m") !== 5_400_000) throw new Error("wrong");
 * ```
 */
export function parseDuration(text: string, what = "duration"): number {
  if (text === "0") return 0;
  if (!DURATION.test(text)) {
    throw new UsageError(`Invalid ${what} "${text}" (expected e.g. 500ms, 60s, 15m, 72h, 2d)`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNITS[unit];
  }
  return Math.round(total);
}

/** Formats milliseconds as a short duration (`72h`, `1h30m`, `1.5s`, `250ms`); no days. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("");
}

function convert(name: string, spec: FlagSpec, raw: string): string | number | boolean {
  const flag = `--${name}`;
  switch (spec.type) {
    case "boolean": {
      if (raw === "true") return true;
      if (raw === "false") return false;
      throw new UsageError(`Flag ${flag} expects true or false, got "${raw}"`);
    }
    case "string": {
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`Flag ${flag} must be one of ${spec.choices.join("|")}, got "${raw}"`);
      }
      return raw;
    }
    case "duration": {
      const ms = parseDuration(raw, `value for ${flag}`);
      checkMin(flag, spec, ms);
      return ms;
    }
    default: {
      const n = raw.trim() === "" ? NaN : Number(raw);
      if (!Number.isFinite(n) || (spec.type === "integer" && !Number.isSafeInteger(n))) {
        throw new UsageError(
          `Flag ${flag} expects ${
            spec.type === "integer" ? "an integer" : "a number"
          }, got "${raw}"`,
        );
      }
      checkMin(flag, spec, n);
      return n;
    }
  }
}

function checkMin(flag: string, spec: FlagSpec, n: number): void {
  if (spec.min !== undefined && n < spec.min) {
    throw new UsageError(`Flag ${flag} must be at least ${spec.min}, got ${n}`);
  }
}

/**
 * Parses `args` against `spec`. Throws UsageError for an unknown flag, a missing value, a bad
 * value or a missing required flag; throws {@linkcode HelpRequested} for `--help` / `-h`.
 */
export function parseFlags<const S extends CliSpec>(
  spec: S,
  args: readonly string[],
): Parsed<S> {
  const values: Record<string, string | number | boolean | undefined> = {};
  const positionals: string[] = [];
  const aliases = new Map<string, string>();
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.alias) aliases.set(flag.alias, name);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === "--help" || arg === "-h") throw new HelpRequested(usage(spec));
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      const full = aliases.get(arg.slice(1));
      if (!full) throw new UsageError(`Unknown flag ${arg} (see --help)`);
      name = full;
    } else if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg)) {
      throw new UsageError(`Unknown flag ${arg} (see --help)`);
    } else {
      positionals.push(arg);
      continue;
    }
    let flag = spec.flags[name];
    if (!flag && name.startsWith("no-") && spec.flags[name.slice(3)]?.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`Flag --${name} takes no value`);
      values[name.slice(3)] = false;
      continue;
    }
    if (!flag) throw new UsageError(`Unknown flag --${name} (see --help)`);
    if (flag.type === "boolean" && inline === undefined) {
      values[name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      if (i + 1 >= args.length) throw new UsageError(`Flag --${name} needs a value`);
      raw = args[++i];
    }
    flag = spec.flags[name];
    values[name] = convert(name, flag, raw);
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (values[name] !== undefined) continue;
    if (flag.required) throw new UsageError(`Missing required flag --${name} (see --help)`);
    values[name] = flag.default ?? (flag.type === "boolean" ? false : undefined);
  }
  if (!spec.positionals && positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}" (see --help)`);
  }
  return { flags: values as Flags<S>, positionals };
}

/** The `--help` text of `spec`. */
export function usage(spec: CliSpec): string {
  const lines = [`${spec.summary}`, ""];
  const positional = (spec.positionals ?? []).map((p) => `<${p.name}>`).join(" ");
  lines.push(`Usage: deno task ${spec.name}${positional ? ` ${positional}` : ""} [flags]`, "");
  if (spec.positionals?.length) {
    lines.push("Arguments:");
    for (const p of spec.positionals) lines.push(`  <${p.name}>`.padEnd(28) + p.description);
    lines.push("");
  }
  lines.push("Flags:");
  const rows: [string, string][] = Object.entries(spec.flags).map(([name, f]) => {
    const value = f.type === "boolean"
      ? ""
      : ` ${f.placeholder ?? (f.choices ? f.choices.join("|") : f.type.toUpperCase())}`;
    const alias = f.alias ? `-${f.alias}, ` : "";
    let text = f.description;
    if (f.required) text += " (required)";
    else if (f.default !== undefined && f.type !== "boolean") {
      text += ` (default: ${
        f.type === "duration" ? formatDuration(f.default as number) : String(f.default)
      })`;
    }
    return [`  ${alias}--${name}${value}`, text];
  });
  rows.push(["  -h, --help", "show this help"]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  for (const [left, right] of rows) lines.push(left.padEnd(width) + right);
  if (spec.examples?.length) {
    lines.push("", "Examples:");
    for (const example of spec.examples) lines.push(`  ${example}`);
  }
  return lines.join("\n");
}

/**
 * Runs a script's `main`, mapping its outcome to an exit code: `--help` prints usage and exits
 * 0; a UsageError prints `error: <message>` and exits 2; any other error prints
 * `error: <message>` (one line, no stack; set `DEBUG=1` for the stack) and exits 1. A number
 * returned by `main` is the exit code.
 *
 * @example
 * ```ts ignore
 * import { parseFlags, runCli } from "./_cli.ts";
 * const spec = { name: "hello", summary: "Say hello", flags: {} } as const;
 * await runCli(() => {
 *   parseFlags(spec, Deno.args);
 *   console.log("hello");
 * });
 * ```
 */
export async function runCli(main: () => Promise<number | void> | number | void): Promise<void> {
  let code = 0;
  try {
    code = (await main()) ?? 0;
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(error.usage);
      code = 0;
    } else {
      // Workspace errors are written for people (a usage text or a log tail may follow the first
      // line); anything else is cut to its first line unless DEBUG is set.
      console.error(
        `error: ${error instanceof WorkspaceError ? error.message : errorMessage(error)}`,
      );
      if (!(error instanceof WorkspaceError) && debugging()) console.error(error);
      code = error instanceof UsageError ? 2 : 1;
    }
  }
  Deno.exit(code);
}

function debugging(): boolean {
  try {
    return Boolean(Deno.env.get("DEBUG"));
  } catch {
    return false;
  }
}

/**
 * A progress bar on stderr for long runs, drawn only when stderr is a terminal (so logs and
 * tests stay clean). Call `update(done)` as often as you like; it redraws at most ~10 times/s.
 */
export class ProgressBar {
  readonly #total: number;
  readonly #label: string;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #last = 0;
  readonly #encoder = new TextEncoder();

  constructor(total: number, label = "", options: { enabled?: boolean } = {}) {
    this.#total = total;
    this.#label = label;
    this.#enabled = options.enabled ?? Deno.stderr.isTerminal();
  }

  /** Redraws with `done` of the total finished. */
  update(done: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#last < 100 && done < this.#total) return;
    this.#last = now;
    const ratio = this.#total > 0 ? Math.min(1, done / this.#total) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max(0.001, (now - this.#started) / 1000);
    const text = `\r${this.#label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
      `${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${this.#total} ` +
      `(${Math.round(rate)}/s)`;
    Deno.stderr.writeSync(this.#encoder.encode(text));
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.#enabled) Deno.stderr.writeSync(this.#encoder.encode("\n"));
  }
}

/**
 * Parses an ISO-8601 date-time flag value (`--start`); throws UsageError naming the flag.
 *
 * @example
 * ```ts
 * import { parseStart } from "./_cli.ts";
 * if (parseStart("2026-11-26T00:00:00Z").getTime() !== Date.UTC(2026, 10, 26)) throw new Error("wrong");
 * ```
 */
export function parseStart(text: string, flag = "--start"): Date {
  const date = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
    ? new Date(text)
    : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `Flag ${flag} expects an ISO date-time like 2026-11-26T00:00:00Z, got "${text}"`,
    );
  }
  return date;
}
