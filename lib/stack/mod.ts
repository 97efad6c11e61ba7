/**
 * What the workspace installs and runs beside Deno: the user cache, external tools, and the
 * Python virtualenv with the Deno kernelspec. (The local Kafka and Azurite services are started
 * by `scripts/stack/`.)
 *
 * @module
 */
export * from "./tools.ts";
export * from "./venv.ts";
