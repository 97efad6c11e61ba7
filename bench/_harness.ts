/**
 * The benchmark harness behind `deno task bench`: each bench in a process of its own, a quiet
 * machine before each, and the table as text and Markdown.
 *
 * @module
 */
import { PROJECT_ROOT } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { sleep } from "../lib/sleep.ts";
import type { BenchRow } from "./_types.ts";

/** A figure as text: thousands separated, small numbers with their decimals. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  return n >= 10 ? n.toFixed(1) : n.toFixed(3);
}

/** The table as Markdown for the README, under `header`. */
export function markdown(rows: BenchRow[], header: string): string {
  const lines = [
    header,
    "",
    "| figure | value | baseline | baseline value | ratio | goal | met | note |",
    "| --- | ---: | --- | ---: | ---: | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baseline || "–"} | ${
        Number.isFinite(r.baselineValue) ? `${fmt(r.baselineValue)} ${r.unit}` : "–"
      } | ${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "–"} | ${r.goal} | ${
        r.pass ? "yes" : "**no**"
      } | ${r.note ?? ""} |`
    ),
  ];
  return lines.join("\n") + "\n";
}

/** Busy and total CPU time of the whole machine so far (`/proc/stat`), in clock ticks. */
function cpuTimes(): { busy: number; total: number } {
  const fields = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1)
    .map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - fields[3] - fields[4], total };
}

/**
 * Waits until the machine has been quiet (under 15% busy) for two seconds, at most a minute:
 * the broker still deleting the last bench's topics, or a JVM collecting, would otherwise slow
 * the next bench, even in CPU time (cores here may be hyperthreads of one another).
 */
export async function settle(): Promise<void> {
  const deadline = Date.now() + 60_000;
  let calm = 0;
  let before = cpuTimes();
  let said = false;
  while (Date.now() < deadline && calm < 2000) {
    await sleep(250);
    const now = cpuTimes();
    const busy = (now.busy - before.busy) / Math.max(1, now.total - before.total);
    before = now;
    calm = busy < 0.15 ? calm + 250 : 0;
    if (!said && calm === 0 && Date.now() + 55_000 > deadline) {
      console.error("  (waiting for the machine to settle)");
      said = true;
    }
  }
}

/** A failed bench as a row of the table. */
function failed(name: string, message: string): BenchRow {
  return {
    name: `${name} (failed)`,
    value: NaN,
    unit: "",
    baseline: "",
    baselineValue: NaN,
    ratio: NaN,
    goal: "",
    pass: false,
    note: message,
  };
}

/**
 * Runs `bench/<name>.ts` in a process of its own (`bench/_run_one.ts`): no figure pays for
 * another bench's heap, threads or leftovers.
 */
export async function runOne(
  name: string,
  quick: boolean,
  scale = false,
): Promise<BenchRow[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${PROJECT_ROOT}/bench/_run_one.ts`,
      name,
      ...(quick ? ["--quick"] : []),
      ...(scale ? ["--scale"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const last = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
  let result: { rows?: BenchRow[]; error?: string };
  try {
    result = JSON.parse(last);
  } catch {
    return [failed(name, `exited with code ${out.code} and printed no result`)];
  }
  if (result.error !== undefined || !result.rows) return [failed(name, result.error ?? "")];
  // JSON has no NaN: a missing figure came back as null.
  const num = (v: unknown) => (typeof v === "number" ? v : NaN);
  return result.rows.map((r) => ({
    ...r,
    value: num(r.value),
    baselineValue: num(r.baselineValue),
    ratio: num(r.ratio),
  }));
}

/** The benches to run: every `bench/<name>.ts` in the table's order, or only those named. */
export async function benchNames(only?: string[]): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${PROJECT_ROOT}/bench`)) {
    if (e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_")) {
      names.push(e.name.slice(0, -3));
    }
  }
  const order = ["simulate", "producer", "sink", "realtime", "replay", "dashboard", "nrt", "spark"];
  names.sort((a, b) =>
    (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99 || a.localeCompare(b)
  );
  if (!only) return names;
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length > 0) throw new UsageError(`Unknown bench in --only: ${unknown.join(", ")}`);
  return names.filter((n) => only.includes(n));
}

/** One bench row as a progress line on stderr (or why the bench failed). */
export function progressLine(name: string, r: BenchRow): string {
  if (!Number.isFinite(r.value) && r.name.endsWith("(failed)")) {
    return `  ✘ ${name} failed: ${r.note}`;
  }
  return `  ${r.name}: ${fmt(r.value)} ${r.unit} (${
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "–"
  })`;
}

/** The line naming the machine and the day, above the table. */
export async function machineLine(quick: boolean): Promise<string> {
  const cpu = (await Deno.readTextFile("/proc/cpuinfo")).match(/model name\s*:\s*(.*)/)?.[1] ??
    "unknown CPU";
  return `Measured ${
    new Date().toISOString().slice(0, 10)
  } on ${navigator.hardwareConcurrency} cores (${cpu}), ${
    Math.round(Deno.systemMemoryInfo().total / 2 ** 30)
  } GiB, Deno ${Deno.version.deno}${quick ? " — quick mode, not for the record" : ""}.`;
}
