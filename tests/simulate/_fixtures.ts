/** Shared helpers for the simulator tests: run a simulation into memory, recount faults. */

import { type Topic, TOPICS } from "../../lib/schema/events.ts";
import { isValidEvent } from "../schema/_validate.ts";
import { FIELDS, ORIGINAL_FIELDS } from "../../lib/schema/events.ts";
import { type Manifest, simulate, type SimulateOptions } from "../../lib/simulate/mod.ts";

/** A fixed start so runs are reproducible. */
export const START = new Date("2026-11-26T00:00:00.000Z");

/** Lines per topic (emission order) and the manifest. */
export interface Output {
  lines: Record<Topic, string[]>;
  manifest: Manifest;
}

/** Runs a simulation and keeps its lines per topic. */
export function run(options: SimulateOptions): Output {
  const sim = simulate({ start: START, ...options });
  const lines = Object.fromEntries(TOPICS.map((t) => [t, [] as string[]])) as Record<
    Topic,
    string[]
  >;
  for (const record of sim) lines[record.topic].push(record.value);
  return { lines, manifest: sim.manifest };
}

/** Parses a line, or undefined when it is not JSON. */
export function parse(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const KNOWN: { readonly [T in Topic]: readonly string[] } = FIELDS;

/** Fault counts recounted from the lines alone, by the manifest's documented rules. */
export function recount(topic: Topic, lines: readonly string[]) {
  const counts = {
    records: lines.length,
    valid: 0,
    duplicates: 0,
    nulls: 0,
    late: 0,
    malformed: 0,
    unknownField: 0,
    noCountry: 0,
  };
  const seen = new Set<string>();
  let max = "";
  for (const line of lines) {
    const event = parse(line);
    if (event === undefined) {
      counts.malformed++;
      continue;
    }
    if (seen.has(line)) counts.duplicates++;
    seen.add(line);
    const ts = event.timestamp as string;
    if (ts < max) counts.late++;
    else max = ts;
    if (ORIGINAL_FIELDS[topic].some((f) => event[f] === null)) counts.nulls++;
    if (Object.keys(event).some((k) => !KNOWN[topic].includes(k))) counts.unknownField++;
    if (
      topic === "delivery-status" && typeof event.current_location === "string" &&
      !event.current_location.includes(", ")
    ) counts.noCountry++;
    if (isValidEvent(topic, event)) counts.valid++;
  }
  return counts;
}

/**
 * Parsed events of a topic that carry no fault (JSON, strictly valid), each event_id once:
 * what the original notebooks' cleaning (dropna, dropDuplicates) would keep.
 */
export function clean(topic: Topic, lines: readonly string[]): Record<string, unknown>[] {
  const seen = new Set<unknown>();
  const out: Record<string, unknown>[] = [];
  for (const line of lines) {
    const event = parse(line);
    if (event === undefined || seen.has(event.event_id) || !isValidEvent(topic, event)) continue;
    seen.add(event.event_id);
    out.push(event);
  }
  return out;
}
