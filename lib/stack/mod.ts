/**
 * What the workspace installs and runs beside Deno: the user cache and external tools
 * (`tools.ts`), the pinned downloads of Kafka, Azurite and Chromium (`install.ts`), the Python
 * virtualenv with the Deno kernelspec (`venv.ts`), the local Kafka and Azurite services
 * (`services.ts`) and free ports for ones that restart (`ports.ts`), the arguments of Kafka's own
 * CLI tools (`kafka_tools.ts`), and all of the installs at once (`setup.ts`).
 *
 * @module
 */
export * from "./install.ts";
export * from "./kafka_tools.ts";
export * from "./ports.ts";
export * from "./services.ts";
export * from "./setup.ts";
export * from "./tools.ts";
export * from "./venv.ts";
