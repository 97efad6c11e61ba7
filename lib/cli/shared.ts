/**
 * Flags that several scripts share, declared once: the simulation's (`deno task simulate` and
 * `deno task produce` take the same seed, faults, start and format).
 *
 * @module
 */
import { DEFAULTS, FAULT_PRESETS, FORMATS } from "../simulate/mod.ts";
import type { FlagSpec } from "./spec.ts";

/** `--seed`, `--faults`, `--start` and `--format`, as simulate and produce both take them. */
export const SIMULATION_FLAGS = {
  seed: { type: "integer", default: DEFAULTS.seed, description: "random seed" },
  faults: {
    type: "string",
    choices: FAULT_PRESETS,
    default: DEFAULTS.faults,
    description: "fault preset",
  },
  start: {
    type: "string",
    placeholder: "ISO",
    description: "start of the span, e.g. 2026-11-26T00:00:00Z (default: the span ends now)",
  },
  format: {
    type: "string",
    choices: FORMATS,
    default: DEFAULTS.format,
    description: "records as ours (v1) or as the original Python producers sent them (original)",
  },
} as const satisfies Record<string, FlagSpec>;
