/**
 * The demo (`deno task demo`): the whole pipeline on the local stack as a list of named steps
 * (`steps.ts`), which the script runs with progress and a summary.
 *
 * @module
 */
export * from "./steps.ts";
