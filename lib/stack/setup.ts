/**
 * Everything the workspace needs beyond Deno, installed once into the user cache: Kafka's jars,
 * Azurite, the Python virtualenv with the Deno kernelspec, and Chromium for the browser tests.
 *
 * @module
 */
import { ensureAzurite, ensureChromium, ensureKafka } from "./install.ts";
import { CACHE_DIR } from "./tools.ts";
import { ensureVenv } from "./venv.ts";

/** Installs what is missing; prints one line per part. */
export async function installAll(
  log: (line: string) => void = (l) => console.error(l),
): Promise<void> {
  const steps: Array<[string, () => Promise<string>]> = [
    ["kafka jars", () => ensureKafka(log)],
    ["azurite", () => ensureAzurite(log)],
    ["python venv + deno kernel", () => ensureVenv(log)],
    ["chromium (browser tests)", () => ensureChromium(log)],
  ];
  for (const [name, step] of steps) {
    const t0 = performance.now();
    const where = await step();
    log(
      `✔ ${name.padEnd(26)} ${where.replace(CACHE_DIR, "<cache>")} (${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s)`,
    );
  }
}
