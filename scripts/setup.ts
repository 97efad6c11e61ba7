/**
 * `deno task setup`: installs everything the workspace needs beyond Deno (Kafka jars, Azurite,
 * the Python virtualenv with the Deno kernelspec, Debian's Chromium for the browser tests), idempotently, into the user cache.
 */
import { parseFlags, runCli } from "../lib/cli/mod.ts";
import { CACHE_DIR, installAll } from "../lib/stack/mod.ts";

if (import.meta.main) {
  runCli(async () => {
    parseFlags({
      name: "setup",
      summary: "Install what the workspace needs beyond Deno, once, into the user cache " +
        `(${CACHE_DIR}): Kafka's jars, Azurite, the Python virtualenv and Chromium (apt-get).`,
      flags: {},
    }, Deno.args);
    await installAll();
  });
}
