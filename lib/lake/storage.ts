/**
 * The lake's one small storage interface. Three backends implement it (Azurite, real ADLS Gen2,
 * `file://`); everything above it (sink, sync, notebooks) speaks only this.
 *
 * Paths are relative, `/`-separated, never starting with `/` (e.g.
 * `topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json`).
 *
 * @module
 */

/** One stored file, as a listing shows it. */
export interface LakeEntry {
  path: string;
  size: number;
  /** Last modification, ms since the epoch. */
  lastModified: number;
}

/** The storage every lake backend provides. */
export interface LakeStorage {
  /** A description safe to print (no secrets). */
  readonly description: string;
  /** Creates the container / root folder if needed. Idempotent. */
  init(): Promise<void>;
  /** Stores `data` at `path` in one atomic step: readers see the old file or the whole new one. */
  put(path: string, data: Uint8Array): Promise<void>;
  /** The bytes at `path`; throws `LakeError` if absent. */
  get(path: string): Promise<Uint8Array>;
  /** Every file whose path starts with `prefix`, sorted by path. */
  list(prefix: string): Promise<LakeEntry[]>;
  /** Whether a file exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** Deletes the file at `path`; deleting a missing file is not an error. */
  delete(path: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Checks a lake path: relative, no `..`, no empty segments. */
export function checkPath(path: string): string {
  if (!path || path.startsWith("/") || path.split("/").some((s) => s === "" || s === "..")) {
    throw new TypeError(`Invalid lake path '${path}'`);
  }
  return path;
}
