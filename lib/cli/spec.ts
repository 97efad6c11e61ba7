/**
 * How a script declares its command line: typed flags with defaults, choices and help text,
 * positionals, examples. One declaration drives parsing (`parseFlags` in `parse.ts`) and
 * `--help` (`usage` in `help.ts`), so the two never disagree.
 *
 * @module
 */

/**
 * Value types a flag can have. `duration` takes `500ms`, `60s`, `15m`, `72h`, `2d` (or `1h30m`);
 * `ms` takes a plain number of milliseconds or a duration (for flags named `…-ms`); both give ms.
 */
export type FlagType = "string" | "number" | "integer" | "boolean" | "duration" | "ms";

/** One flag's declaration. */
export interface FlagSpec {
  /** Value type (see {@linkcode FlagType}). */
  readonly type: FlagType;
  /** One line for `--help`. */
  readonly description: string;
  /** Value when the flag is absent (booleans default to false). */
  readonly default?: string | number | boolean;
  /** The flag must be given. */
  readonly required?: boolean;
  /** Allowed values (string flags). */
  readonly choices?: readonly string[];
  /** Lowest allowed value (number, integer, duration, ms). */
  readonly min?: number;
  /** A one-letter alias, used as `-x`. */
  readonly alias?: string;
  /** Name of the value in `--help`, e.g. `DIR`. */
  readonly placeholder?: string;
  /**
   * An old spelling kept working: the value lands under this (current) flag's name, and `--help`
   * lists the flag as deprecated.
   */
  readonly deprecatedFor?: string;
}

/** A positional argument. */
export interface PositionalSpec {
  /** Name in usage, e.g. `tool` or `NAME…`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** May be left out (shown as `[name]` rather than `<name>`). */
  readonly optional?: boolean;
}

/** A script's command line. */
export interface CliSpec {
  /** Command name in usage, e.g. `simulate` (shown as `deno task simulate`). */
  readonly name: string;
  /** One line saying what the command does. */
  readonly summary: string;
  /** Paragraphs after the summary: what the command does in more detail. */
  readonly notes?: readonly string[];
  /** Flags by name (without dashes, e.g. `flush-size`). */
  readonly flags: { readonly [name: string]: FlagSpec };
  /** Positional arguments, e.g. `[{ name: "action", description: "up|down|status" }]`. */
  readonly positionals?: readonly PositionalSpec[];
  /**
   * Everything from the first argument that is not one of `flags` on is passed through as
   * positionals, untouched (`deno task kafka <tool> [args]`, `deno task test [deno test args]`).
   */
  readonly passthrough?: boolean;
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

/** The result of `parseFlags`. */
export interface Parsed<S extends CliSpec> {
  /** Every declared flag, typed (a deprecated spelling's value is under its current name). */
  flags: Flags<S>;
  /** Positional arguments (with `passthrough`, everything from the first unknown argument). */
  positionals: string[];
}
