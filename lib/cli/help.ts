/**
 * The one `--help` renderer: every script's usage text comes from its {@linkcode CliSpec}.
 *
 * @module
 */
import type { CliSpec, FlagSpec } from "./spec.ts";
import { formatDuration } from "./values.ts";

/**
 * The `--help` text of `spec`: summary, notes, usage line, arguments, flags with their
 * defaults, examples. An optional positional shows as `[NAME]`, a required one as `<NAME>`.
 *
 * @example
 * ```ts
 * import { usage } from "./help.ts";
 * const text = usage({
 *   name: "notebooks",
 *   summary: "Run the lessons",
 *   flags: { check: { type: "boolean", description: "write nothing" } },
 *   positionals: [{ name: "NAME…", description: "only these", optional: true }],
 * });
 * text.includes("Usage: deno task notebooks [NAME…] [flags]"); // true
 * ```
 */
export function usage(spec: CliSpec): string {
  const lines = [spec.summary, ""];
  for (const note of spec.notes ?? []) lines.push(note, "");
  const positionals = (spec.positionals ?? []).map(positionalName).join(" ");
  lines.push(`Usage: deno task ${spec.name}${positionals ? ` ${positionals}` : ""} [flags]`, "");
  const args: [string, string][] = (spec.positionals ?? []).map((p) => [
    `  ${positionalName(p)}`,
    p.description,
  ]);
  const flags: [string, string][] = Object.entries(spec.flags).map(([name, f]) => flagRow(name, f));
  flags.push(["  -h, --help", "show this help"]);
  const width = Math.max(...[...args, ...flags].map(([left]) => left.length)) + 2;
  const table = (rows: [string, string][]) =>
    rows.map(([l, r]) => l.padEnd(width) + wrap(r, LINE - width).join(`\n${" ".repeat(width)}`));
  if (args.length) lines.push("Arguments:", ...table(args), "");
  lines.push("Flags:", ...table(flags));
  if (spec.examples?.length) {
    lines.push("", "Examples:", ...spec.examples.map((example) => `  ${example}`));
  }
  return lines.join("\n");
}

/** Help lines are wrapped to this width (the repository's line width). */
const LINE = 100;

/** Splits `text` into lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > Math.max(20, width)) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function positionalName(p: { name: string; optional?: boolean }): string {
  return p.optional ? `[${p.name}]` : `<${p.name}>`;
}

function flagRow(name: string, f: FlagSpec): [string, string] {
  const value = f.type === "boolean"
    ? ""
    : ` ${f.placeholder ?? (f.choices ? f.choices.join("|") : f.type.toUpperCase())}`;
  const alias = f.alias ? `-${f.alias}, ` : "";
  let text = f.description;
  if (f.deprecatedFor) text += ` (deprecated: use --${f.deprecatedFor})`;
  else if (f.required) text += " (required)";
  else if (f.default !== undefined && f.type !== "boolean") {
    const timed = f.type === "duration" || (f.type === "ms" && typeof f.default === "number");
    text += ` (default: ${timed ? formatDuration(f.default as number) : String(f.default)})`;
  }
  return [`  ${alias}--${name}${value}`, text];
}
