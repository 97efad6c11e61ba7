/**
 * A progress bar on stderr for long runs (only on a terminal).
 *
 * @module
 */

/**
 * A progress bar on stderr for long runs, drawn only when stderr is a terminal (so logs and
 * tests stay clean). Call `update(done)` as often as you like; it redraws at most ~10 times/s.
 */
export class ProgressBar {
  readonly #total: number;
  readonly #label: string;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #last = 0;
  readonly #encoder = new TextEncoder();

  constructor(total: number, label = "", options: { enabled?: boolean } = {}) {
    this.#total = total;
    this.#label = label;
    this.#enabled = options.enabled ?? Deno.stderr.isTerminal();
  }

  /** Redraws with `done` of the total finished. */
  update(done: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#last < 100 && done < this.#total) return;
    this.#last = now;
    const ratio = this.#total > 0 ? Math.min(1, done / this.#total) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max(0.001, (now - this.#started) / 1000);
    const text = `\r${this.#label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
      `${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${this.#total} ` +
      `(${Math.round(rate)}/s)`;
    Deno.stderr.writeSync(this.#encoder.encode(text));
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.#enabled) Deno.stderr.writeSync(this.#encoder.encode("\n"));
  }
}
