/** Choosing the lake backend from `LAKE_URL`. */
import { type LakeConfig, redactUrl } from "../config/mod.ts";
import { FileLake } from "./file.ts";
import type { LakeEntry, LakeStorage } from "./storage.ts";

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
  return config.kind === "file" ? new FileLake(config.root!) : new LazyAzureLake(config);
}

/**
 * An `AzureLake` (`azure.ts`) made on first use: the Azure SDK takes about a quarter of a second to
 * load, which a process on a `file://` lake, or one that never reaches the lake, need not pay.
 */
class LazyAzureLake implements LakeStorage {
  readonly description: string;
  readonly #config: LakeConfig;
  #lake?: Promise<LakeStorage>;

  constructor(config: LakeConfig) {
    this.#config = config;
    this.description = redactUrl(config.url);
  }

  #open(): Promise<LakeStorage> {
    return this.#lake ??= import("./azure.ts").then((m) => new m.AzureLake(this.#config));
  }

  async init(): Promise<void> {
    return await (await this.#open()).init();
  }
  async put(path: string, data: Uint8Array): Promise<void> {
    return await (await this.#open()).put(path, data);
  }
  async get(path: string): Promise<Uint8Array> {
    return await (await this.#open()).get(path);
  }
  async list(prefix: string): Promise<LakeEntry[]> {
    return await (await this.#open()).list(prefix);
  }
  async exists(path: string): Promise<boolean> {
    return await (await this.#open()).exists(path);
  }
  async delete(path: string): Promise<void> {
    return await (await this.#open()).delete(path);
  }
  async close(): Promise<void> {
    if (this.#lake) await (await this.#lake).close();
  }
}
