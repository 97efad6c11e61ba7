/** The one way our scripts end: exit codes and one-line errors. */
import { errorMessage, UsageError, WorkspaceError } from "../lib/errors.ts";

/**
 * Runs a script's main function: its number is the exit code; a `UsageError` prints its
 * message and exits 2; any other error prints one line `error: …` (no stack) and exits 1.
 */
export async function runMain(main: () => Promise<number | void>): Promise<never> {
  try {
    const code = await main();
    Deno.exit(code ?? 0);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      Deno.exit(2);
    }
    if (error instanceof WorkspaceError) {
      // Workspace errors are written for people: the message, possibly with a log tail below it.
      console.error(`error: ${error.message}`);
    } else {
      console.error(`error: ${errorMessage(error)}`);
      if (Deno.env.get("DEBUG")) console.error(error);
    }
    Deno.exit(1);
  }
}
