/**
 * {@linkcode parseFlags}: a script's arguments against its {@linkcode CliSpec}, through
 * `node:util`'s `parseArgs` (strict), then typed, defaulted and checked. Prints nothing; throws a
 * one-line UsageError naming the flag for an unknown flag or a bad value, and
 * {@linkcode HelpRequested} for `--help` / `-h`.
 *
 * Accepted forms: `--name value`, `--name=value`, `--flag` / `--no-flag` (and `--flag=true|false`)
 * for booleans, `-x` for a declared one-letter alias, `--` to end flags. A value may start with
 * a dash (`--rate -1`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "../errors.ts";
import { usage } from "./help.ts";
import type { CliSpec, Flags, FlagSpec, Parsed } from "./spec.ts";
import { formatDuration, parseDuration, parseMillis } from "./values.ts";

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

type Value = string | number | boolean | undefined;

/**
 * Parses `args` against `spec`. Throws UsageError for an unknown flag, a missing value, a bad
 * value or a missing required flag; throws {@linkcode HelpRequested} for `--help` / `-h`.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./parse.ts";
 * const spec = {
 *   name: "simulate",
 *   summary: "Write simulated events",
 *   flags: {
 *     seed: { type: "integer", default: 42, description: "random seed" },
 *     out: { type: "string", required: true, description: "output folder" },
 *     span: { type: "duration", default: 3_600_000, description: "event-time span" },
 *   },
 * } as const;
 * const { flags } = parseFlags(spec, ["--out", "data/x", "--span=90m"]);
 * flags.span; // 5_400_000
 * ```
 */
export function parseFlags<const S extends CliSpec>(spec: S, args: readonly string[]): Parsed<S> {
  const end = spec.passthrough ? flagsEnd(spec, args) : args.length;
  const { own, negated } = normalise(spec, args.slice(0, end));
  if (own.some((a, i) => (a === "--help" || a === "-h") && !own.slice(0, i).includes("--"))) {
    throw new HelpRequested(usage(spec));
  }
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, f]) => [name, {
      type: f.type === "boolean" ? "boolean" as const : "string" as const,
      ...(f.alias ? { short: f.alias } : {}),
    }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: own, options, allowPositionals: true });
  } catch (error) {
    throw usageError(error);
  }
  const values: Record<string, Value> = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    const flag = spec.flags[name];
    const value = typeof raw === "string" ? convert(name, flag, raw) : raw as boolean;
    values[flag.deprecatedFor ?? name] = value;
  }
  for (const name of negated) values[name] = false;
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.deprecatedFor || values[name] !== undefined) continue;
    if (flag.required) throw new UsageError(`Missing required flag --${name} (see --help)`);
    values[name] = flag.default ?? (flag.type === "boolean" ? false : undefined);
  }
  const positionals = [...parsed.positionals, ...args.slice(end).filter((a, i) => i || a !== "--")];
  if (!spec.positionals && !spec.passthrough && positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}" (see --help)`);
  }
  for (const name of Object.keys(values)) if (spec.flags[name]?.deprecatedFor) delete values[name];
  return { flags: values as Flags<S>, positionals };
}

/** The flag a token names (`--x`, `--x=v`, `--no-x`, `-a`), or undefined if it names none. */
function flagOf(spec: CliSpec, arg: string): [string, FlagSpec] | undefined {
  if (/^-[a-zA-Z]$/.test(arg)) {
    return Object.entries(spec.flags).find(([, f]) => f.alias === arg.slice(1));
  }
  if (!arg.startsWith("--")) return undefined;
  const name = arg.slice(2).split("=")[0];
  if (spec.flags[name]) return [name, spec.flags[name]];
  const negated = name.startsWith("no-") ? spec.flags[name.slice(3)] : undefined;
  return negated?.type === "boolean" ? [name.slice(3), negated] : undefined;
}

/** With `passthrough`: the index of the first argument that is not one of the spec's flags. */
function flagsEnd(spec: CliSpec, args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--help" || args[i] === "-h") continue;
    const found = flagOf(spec, args[i]);
    if (!found) return i;
    if (found[1].type !== "boolean" && !args[i].includes("=")) i++;
  }
  return args.length;
}

/**
 * Rewrites what `parseArgs` reads otherwise: `--name value` → `--name=value` (so a value may
 * start with a dash, and a missing one is named); `--no-flag` and `--flag=false` are taken out
 * and returned as `negated` (`parseArgs`' own `allowNegative` would misread a flag whose name
 * starts with `no-`, such as `--no-checks`).
 */
function normalise(
  spec: CliSpec,
  args: readonly string[],
): { own: string[]; negated: Set<string> } {
  const out: string[] = [];
  const negated = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const found = flagOf(spec, arg);
    if (!found) {
      out.push(arg);
      continue;
    }
    const [name, flag] = found;
    const inline = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : undefined;
    if (flag.type === "boolean") {
      const off = arg.startsWith("--") && arg.slice(2).split("=")[0] !== name;
      if (off && inline !== undefined) throw new UsageError(`Flag --no-${name} takes no value`);
      if (inline !== undefined && inline !== "true" && inline !== "false") {
        throw new UsageError(`Flag --${name} expects true or false, got "${inline}"`);
      }
      if (off || inline === "false") negated.add(name);
      else {
        negated.delete(name);
        out.push(`--${name}`);
      }
    } else if (inline !== undefined) out.push(`--${name}=${inline}`);
    else if (i + 1 < args.length) out.push(`--${name}=${args[++i]}`);
    else throw new UsageError(`Flag --${name} needs a value`);
  }
  return { own: out, negated };
}

/** A `parseArgs` error as our one-line UsageError naming the flag. */
function usageError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const flag = /'(-[^' ,]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return new UsageError(`Unknown flag ${flag} (see --help)`);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return new UsageError(`Flag ${flag}: ${message.split("\n")[0]}`);
  }
  return new UsageError(message.split("\n")[0], { cause: error });
}

function convert(name: string, spec: FlagSpec, raw: string): string | number {
  const flag = `--${name}`;
  if (spec.type === "string") {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`Flag ${flag} must be one of ${spec.choices.join("|")}, got "${raw}"`);
    }
    return raw;
  }
  let n: number;
  if (spec.type === "duration") n = parseDuration(raw, `value for ${flag}`);
  else if (spec.type === "ms") n = parseMillis(raw, `value for ${flag}`);
  else {
    n = raw.trim() === "" ? NaN : Number(raw);
    // Integers are written out in digits: `1e3` or `0x10` are most likely a mistake.
    const integer = /^[+-]?\d+$/.test(raw.trim()) && Number.isSafeInteger(n);
    if (!Number.isFinite(n) || (spec.type === "integer" && !integer)) {
      const what = spec.type === "integer" ? "an integer" : "a number";
      throw new UsageError(`Flag ${flag} expects ${what}, got "${raw}"`);
    }
  }
  if (spec.min !== undefined && n < spec.min) {
    // A duration's least value in its own words (`1s`, not the milliseconds behind it).
    const least = spec.type === "duration" || spec.type === "ms"
      ? formatDuration(spec.min)
      : spec.min;
    throw new UsageError(`Flag ${flag} must be at least ${least}, got ${raw}`);
  }
  return n;
}
