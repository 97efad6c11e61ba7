/**
 * `deno task setup`: installs everything the workspace needs beyond Deno (Kafka jars, Azurite,
 * the Python virtualenv with the Deno kernelspec, Debian's Chromium for the browser tests), idempotently, into the user cache.
 */
import { parseFlags, runCli } from "../lib/cli/mod.ts";
import {
  CACHE_DIR,
  ensureAzurite,
  ensureChromium,
  ensureKafka,
  ensureVenv,
} from "../lib/stack/mod.ts";

/** Installs what is missing; prints one line per part. */
export async function setup(log: (line: string) => void = (l) => console.error(l)): Promise<void> {
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

if (import.meta.main) {
  runCli(async () => {
    parseFlags({
      name: "setup",
      summary: "Install what the workspace needs beyond Deno, once, into the user cache " +
        `(${CACHE_DIR}): Kafka's jars, Azurite, the Python virtualenv and Chromium (apt-get).`,
      flags: {},
    }, Deno.args);
    await setup();
  });
}
