/**
 * Writes a simulation to a folder: `<topic>.jsonl` per topic (one record value per line, exactly
 * the produced bytes) and `manifest.json`.
 *
 * @module
 */

import { TOPICS } from "../schema/events.ts";
import type { Manifest } from "./manifest.ts";
import type { SimulateOptions } from "./options.ts";
import { Simulation } from "./simulation.ts";

/** Options of {@linkcode writeSimulation}: the simulation's, plus progress reporting. */
export interface WriteSimulationOptions extends SimulateOptions {
  /**
   * Called now and then (about every 1% of the records, and at the end) with records so far.
   * @default no reporting
   */
  onProgress?: (written: number, total: number) => void;
}

/** Bytes buffered per topic before a write to disk. */
const CHUNK = 1 << 20;

/**
 * One output file with its byte buffer. Lines are gathered per batch and encoded in one call
 * (one `encodeInto` per batch and topic, not per line), so they die young.
 */
class Output {
  readonly #file: Deno.FsFile;
  readonly #buffer = new Uint8Array(CHUNK);
  #length = 0;
  /** Lines of the current batch. */
  readonly lines: string[] = [];

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Moves the batch's lines into the buffer, writing the buffer out when it fills. */
  async take(encoder: TextEncoder): Promise<void> {
    if (this.lines.length === 0) return;
    const text = this.lines.join("\n") + "\n";
    this.lines.length = 0;
    // A UTF-16 unit takes at most 3 UTF-8 bytes: only then is encodeInto sure to fit.
    if (this.#length + text.length * 3 > CHUNK) await this.flush();
    if (text.length * 3 > CHUNK) {
      await this.#write(encoder.encode(text));
      return;
    }
    this.#length += encoder.encodeInto(text, this.#buffer.subarray(this.#length)).written;
  }

  /** Writes the buffer out. */
  async flush(): Promise<void> {
    const bytes = this.#buffer.subarray(0, this.#length);
    this.#length = 0;
    await this.#write(bytes);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length;) off += await this.#file.write(bytes.subarray(off));
  }

  close(): void {
    this.#file.close();
  }
}

/**
 * Simulates and writes `DIR/<topic>.jsonl` for every topic (empty files included) and
 * `DIR/manifest.json`; creates DIR if needed and overwrites earlier files. Returns the manifest.
 *
 * @example
 * ```ts
 * import { writeSimulation } from "./write.ts";
 * const dir = await Deno.makeTempDir();
 * const m = await writeSimulation(dir, { events: 100, start: new Date("2026-11-26T00:00:00Z") });
 * const lines = (await Deno.readTextFile(`${dir}/orders.jsonl`)).split("\n").length - 1;
 * if (lines !== m.topics.orders.records) throw new Error("count");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSimulation(
  dir: string,
  options: WriteSimulationOptions = {},
): Promise<Manifest> {
  const simulation = new Simulation(options);
  const total = simulation.options.events;
  const step = Math.max(1, Math.floor(total / 100));
  await Deno.mkdir(dir, { recursive: true });
  const encoder = new TextEncoder();
  const outputs: Output[] = [];
  try {
    for (const topic of TOPICS) {
      const file = await Deno.open(`${dir}/${topic}.jsonl`, {
        write: true,
        create: true,
        truncate: true,
      });
      outputs.push(new Output(file));
    }
    const index = new Map<string, Output>(TOPICS.map((t, i) => [t, outputs[i]]));
    let written = 0;
    let nextReport = step;
    for (const batch of simulation.batches()) {
      for (const record of batch) index.get(record.topic)!.lines.push(record.value);
      for (const output of outputs) await output.take(encoder);
      written += batch.length;
      if (written >= nextReport) {
        options.onProgress?.(written, total);
        nextReport = written + step;
      }
    }
    for (const output of outputs) await output.flush();
    options.onProgress?.(written, total);
  } finally {
    for (const output of outputs) output.close();
  }
  const manifest = simulation.manifest;
  await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}
