/**
 * A child process of the soak test: one of our scripts (`deno run -A scripts/<name>.ts`), its
 * output kept (the last stdout line, the stderr tail), its memory (RSS) sampled while it runs.
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";

/** One RSS sample: seconds since the soak began, and resident memory in MB. */
export interface RssSample {
  at: number;
  mb: number;
}

/** The resident memory of a process in MB, or undefined when it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** A script running as a child process. */
export class Child {
  readonly name: string;
  readonly process: Deno.ChildProcess;
  readonly pid: number;
  readonly samples: RssSample[] = [];
  readonly startedAt: number;
  /** The last complete stdout line (a live `--json` snapshot, a summary). */
  lastLine = "";
  /** The last stdout lines, for summaries of several lines. */
  readonly stdoutTail: string[] = [];
  /** The last stderr lines. */
  readonly stderrTail: string[] = [];
  readonly status: Promise<Deno.CommandStatus>;

  constructor(
    name: string,
    script: string,
    args: string[],
    env: Record<string, string>,
    startedAt: number,
    /** Called with every complete line the process prints. */
    onLine?: (line: string, stream: "stdout" | "stderr") => void,
  ) {
    this.name = name;
    this.startedAt = startedAt;
    this.process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${PROJECT_ROOT}/scripts/${script}.ts`, ...args],
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.process.pid;
    const out = this.#lines(this.process.stdout, (line) => {
      this.lastLine = line;
      this.stdoutTail.push(line);
      if (this.stdoutTail.length > 40) this.stdoutTail.shift();
      onLine?.(line, "stdout");
    });
    const err = this.#lines(this.process.stderr, (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 40) this.stderrTail.shift();
      onLine?.(line, "stderr");
    });
    this.status = Promise.all([out, err]).then(() => this.process.status);
  }

  async #lines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      let at;
      while ((at = pending.indexOf("\n")) >= 0) {
        onLine(pending.slice(0, at));
        pending = pending.slice(at + 1);
      }
    }
    if (pending) onLine(pending);
  }

  /** Takes one RSS sample (nothing once the process is gone). */
  sample(now: number): void {
    const mb = rssOf(this.pid);
    if (mb !== undefined) this.samples.push({ at: (now - this.startedAt) / 1000, mb });
  }

  /** Sends a signal; false when the process is already gone. */
  kill(signal: Deno.Signal): boolean {
    try {
      this.process.kill(signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** RSS figures of one process: at start, at the end of warm-up, peak, at the end (MB). */
export interface RssSummary {
  process: string;
  start: number;
  warm: number;
  peak: number;
  end: number;
  /** (end − warm) / warm. */
  growth: number;
}

/**
 * Summarises RSS samples. A garbage-collected heap saws up and down, so the warm and end
 * figures are medians over a minute: the minute from `warmAt` seconds on (the state a stream
 * fills is full by then) and the last minute.
 */
export function summarise(
  process: string,
  samples: readonly RssSample[],
  warmAt: number,
): RssSummary | undefined {
  if (samples.length === 0) return undefined;
  const median = (list: readonly RssSample[]) => {
    const sorted = list.map((s) => s.mb).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const last = samples.at(-1)!.at;
  const warmFrom = Math.min(warmAt, last);
  const warmList = samples.filter((s) => s.at >= warmFrom && s.at < warmFrom + 60);
  const endList = samples.filter((s) => s.at >= last - 60);
  const warm = median(warmList.length ? warmList : [samples.at(-1)!]);
  const end = median(endList);
  // Start: once the process is up (its first seconds are the runtime loading).
  const start = samples.find((s) => s.at >= samples[0].at + 5) ?? samples[0];
  return {
    process,
    start: start.mb,
    warm,
    peak: Math.max(...samples.map((s) => s.mb)),
    end,
    growth: (end - warm) / warm,
  };
}
