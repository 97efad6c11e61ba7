/**
 * {@linkcode runCli}: the one way our scripts end, mapping a script's outcome to output and an
 * exit code.
 *
 * @module
 */
import { errorMessage, UsageError, WorkspaceError } from "../errors.ts";
import { HelpRequested } from "./parse.ts";

/**
 * Runs a script's `main`, mapping its outcome to an exit code: `--help` prints usage and exits
 * 0; a UsageError prints `error: <message>` and exits 2; any other error prints
 * `error: <message>` (one line, no stack; set `DEBUG=1` for the stack) and exits 1. A number
 * returned by `main` is the exit code.
 *
 * @example
 * ```ts ignore
 * import { parseFlags, runCli } from "./mod.ts";
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
