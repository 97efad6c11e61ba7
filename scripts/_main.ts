/** The one way our scripts end: see {@linkcode runCli} in `_cli.ts` (kept under this name too). */
export { runCli as runMain } from "./_cli.ts";
