/** Choosing the lake backend from `LAKE_URL`. */
import type { LakeConfig } from "../config/mod.ts";
import { AzureLake } from "./azure.ts";
import { FileLake } from "./file.ts";
import type { LakeStorage } from "./storage.ts";

/**
 * Opens the lake that `config.url` names: `azurite://`, `abfss://` or `file://`.
 *
 * @example
 * ```ts
 * import { parseLakeUrl } from "../config/mod.ts";
 * import { openLake } from "./open.ts";
 * const lake = openLake(parseLakeUrl("file:///tmp/example-lake"));
 * lake.description; // "file:///tmp/example-lake"
 * ```
 */
export function openLake(config: LakeConfig): LakeStorage {
  return config.kind === "file" ? new FileLake(config.root!) : new AzureLake(config);
}
