/**
 * The command-line layer every script in `scripts/` stands on: a typed flag spec (`spec.ts`)
 * parsed over `node:util`'s `parseArgs` (`parse.ts`), one `--help` renderer (`help.ts`),
 * durations and dates as flag values (`values.ts`), the runner that maps an outcome to an exit
 * code (`run.ts`) and the stop on Ctrl-C of a long-running one (`stop.ts`), a progress bar and
 * summary tables (`progress.ts`, `print.ts`). The flag specs
 * that several scripts share (`shared.ts`) or that tests check (`sink_flags.ts`) are imported
 * from their files, not re-exported here: they load the simulator and the lake, which the other
 * scripts do not need.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./mod.ts";
 * const spec = {
 *   name: "demo",
 *   summary: "A demo",
 *   flags: { wait: { type: "duration", default: 60_000, description: "how long" } },
 * } as const;
 * parseFlags(spec, ["--wait", "5s"]).flags.wait; // 5000
 * ```
 *
 * @module
 */
export * from "./help.ts";
export * from "./parse.ts";
export * from "./print.ts";
export * from "./progress.ts";
export * from "./run.ts";
export * from "./spec.ts";
export * from "./stop.ts";
export * from "./values.ts";
