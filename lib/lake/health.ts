/** Is the lake reachable? */
import { errorMessage } from "../errors.ts";
import type { LakeStorage } from "./storage.ts";

/** What {@linkcode pingLake} found. */
export interface LakeHealth {
  healthy: boolean;
  /** Files under `topics/`. */
  rawFiles: number;
  error?: string;
}

/** Creates the container if needed and lists the raw layer. */
export async function pingLake(lake: LakeStorage): Promise<LakeHealth> {
  try {
    await lake.init();
    return { healthy: true, rawFiles: (await lake.list("topics/")).length };
  } catch (error) {
    return { healthy: false, rawFiles: 0, error: errorMessage(error) };
  }
}
