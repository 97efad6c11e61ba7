/**
 * Writes a simulation to a folder: `<topic>.jsonl` per topic (one record value per line, exactly
 * the produced bytes) and `manifest.json`.
 *
 * @module
 */

import { TOPICS } from "../schema/events.ts";
import { Line, LINE_ROOM } from "./_line.ts";
import { Run, type Sink } from "./_run.ts";
import type { Manifest } from "./manifest.ts";
import type { SimulateOptions } from "./options.ts";
import { OriginalSimulation } from "./original.ts";
import { Simulation } from "./simulation.ts";
import type { Scheduled } from "./world.ts";

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
const NEWLINE = 0x0a;

/**
 * One output file with its byte buffer. Lines are encoded in place at the end of the buffer and
 * kept by moving its end past them: no strings, no copies, one write per megabyte.
 */
class Output {
  readonly #file: Deno.FsFile;
  /** CHUNK plus room for what one step may add before the buffer is written out. */
  #buffer = new Uint8Array(2 * CHUNK);
  #length = 0;
  readonly #line = new Line(this.#buffer);

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Whether the buffer is due to be written out. */
  get full(): boolean {
    return this.#length >= CHUNK;
  }

  /** A line begun at the end of the buffer. */
  lineAtEnd(): Line {
    this.#reserve(LINE_ROOM);
    this.#line.begin(this.#buffer, this.#length);
    return this.#line;
  }

  /** Keeps `line`, written at the end by lineAtEnd, with a newline; again: a copy of it. */
  keep(line: Line): void {
    const buffer = this.#buffer;
    if (line.start === this.#length) {
      buffer[line.end] = NEWLINE;
      this.#length = line.end + 1;
      return;
    }
    const n = line.end + 1 - line.start;
    this.#reserve(n);
    buffer.copyWithin(this.#length, line.start, line.end + 1);
    this.#length += n;
  }

  /** Appends `text` as UTF-8 and a newline. */
  text(text: string, encoder: TextEncoder): void {
    // A UTF-16 unit takes at most 3 UTF-8 bytes: only then is encodeInto sure to fit.
    this.#reserve(3 * text.length + 1);
    this.#length += encoder.encodeInto(text, this.#buffer.subarray(this.#length)).written;
    this.#buffer[this.#length++] = NEWLINE;
  }

  /** Writes the buffer out. */
  async flush(): Promise<void> {
    const bytes = this.#buffer.subarray(0, this.#length);
    for (let off = 0; off < bytes.length;) off += await this.#file.write(bytes.subarray(off));
    this.#length = 0;
  }

  close(): void {
    this.#file.close();
  }

  /** Makes room for `more` bytes (a burst of released late records may overshoot CHUNK). */
  #reserve(more: number): void {
    if (this.#length + more <= this.#buffer.length) return;
    const buffer = new Uint8Array(Math.max(2 * this.#buffer.length, this.#length + more));
    buffer.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = buffer;
  }
}

/** Sends each record's line to its topic's output. */
class FileSink implements Sink {
  /** Set when an output's buffer is due to be written out. */
  due = false;
  readonly #outputs: readonly Output[];
  readonly #encoder = new TextEncoder();

  constructor(outputs: readonly Output[]) {
    this.#outputs = outputs;
  }

  lineFor(item: Scheduled): Line {
    return this.#outputs[item.topic].lineAtEnd();
  }

  bytes(item: Scheduled, line: Line): void {
    const output = this.#outputs[item.topic];
    output.keep(line);
    if (output.full) this.due = true;
  }

  text(item: Scheduled, text: string): void {
    const output = this.#outputs[item.topic];
    output.text(text, this.#encoder);
    if (output.full) this.due = true;
  }

  /** Writes out the outputs that are due. */
  async flushDue(): Promise<void> {
    for (const output of this.#outputs) if (output.full) await output.flush();
    this.due = false;
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
  if (options.format === "original") return await writeOriginal(dir, options);
  const simulation = new Simulation(options);
  const total = simulation.options.events;
  const step = Math.max(1, Math.floor(total / 100));
  await Deno.mkdir(dir, { recursive: true });
  const outputs: Output[] = [];
  // The same loop as iterating the simulation, but lines go to the files as bytes.
  const run = new Run(simulation.options, simulation.sessionRate);
  try {
    for (const topic of TOPICS) {
      const file = await Deno.open(`${dir}/${topic}.jsonl`, {
        write: true,
        create: true,
        truncate: true,
      });
      outputs.push(new Output(file));
    }
    const sink = new FileSink(outputs);
    let nextReport = step;
    while (run.emitted < total) {
      run.step(sink, total);
      if (sink.due) await sink.flushDue();
      if (run.emitted >= nextReport) {
        options.onProgress?.(run.emitted, total);
        nextReport = run.emitted + step;
      }
    }
    for (const output of outputs) await output.flush();
    options.onProgress?.(run.emitted, total);
  } finally {
    for (const output of outputs) output.close();
  }
  const manifest = run.builder.build();
  await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/** {@linkcode writeSimulation} of the original producers' records (strings, not the byte path). */
async function writeOriginal(dir: string, options: WriteSimulationOptions): Promise<Manifest> {
  const simulation = new OriginalSimulation(options);
  const total = simulation.options.events;
  const step = Math.max(1, Math.floor(total / 100));
  await Deno.mkdir(dir, { recursive: true });
  const encoder = new TextEncoder();
  const files = await Promise.all(
    TOPICS.map((topic) =>
      Deno.open(`${dir}/${topic}.jsonl`, { write: true, create: true, truncate: true })
    ),
  );
  try {
    const outputs = files.map((file) => new Output(file));
    let written = 0, nextReport = step;
    for (const batch of simulation.batches(1024)) {
      for (const record of batch) {
        const output = outputs[TOPICS.indexOf(record.topic)];
        output.text(record.value, encoder);
        if (output.full) await output.flush();
      }
      written += batch.length;
      if (written >= nextReport) {
        options.onProgress?.(written, total);
        nextReport = written + step;
      }
    }
    for (const output of outputs) await output.flush();
    options.onProgress?.(written, total);
  } finally {
    for (const file of files) file.close();
  }
  const manifest = simulation.manifest;
  await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}
