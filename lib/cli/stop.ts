/**
 * {@linkcode gracefulStop}: how a long-running script stops on Ctrl-C (SIGINT) or SIGTERM.
 *
 * @module
 */

/** A stop requested by a signal (see {@linkcode gracefulStop}). */
export interface GracefulStop {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Stops listening for the signals. */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM: the first one prints `message` (what the script does before
 * it stops) and aborts `signal`, a second one exits at once (code 130).
 *
 * @example
 * ```ts ignore
 * import { gracefulStop } from "./stop.ts";
 * const stop = gracefulStop("sink: stopping (Ctrl-C again to quit at once)…");
 * try {
 *   await work(stop.signal);
 * } finally {
 *   stop.dispose();
 * }
 * ```
 */
export function gracefulStop(message: string): GracefulStop {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error(message);
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    },
  };
}
