/**
 * `deno task bench [--quick] [--scale] [--only NAME,…]`: runs every `bench/<name>.ts` and prints one table,
 * each figure beside its baseline measured in the same run (these machines are shared and noisy:
 * a ratio holds, an absolute time does not). The table is also written, as Markdown, to
 * `data/bench/latest.md` for the README.
 */
import { PROJECT_ROOT } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { formatTable } from "../lib/viz/mod.ts";
import type { BenchRow } from "../bench/_types.ts";
import { runCli } from "./_cli.ts";
import { services, startService } from "./stack/services.ts";
import { loadConfig } from "../lib/config/mod.ts";

const USAGE = `Usage: deno task bench [--quick] [--scale] [--only simulate,producer,…]

  --quick   smaller sizes: a smoke run, not figures to record
  --scale   also the figures at ten times the size (slow; not in CI)
  --only    run only these bench/<name>.ts modules`;

function fmt(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  return n >= 10 ? n.toFixed(1) : n.toFixed(3);
}

function markdown(rows: BenchRow[], header: string): string {
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
async function settle(): Promise<void> {
  const deadline = Date.now() + 60_000;
  let calm = 0;
  let before = cpuTimes();
  let said = false;
  while (Date.now() < deadline && calm < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
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
async function runOne(name: string, quick: boolean, scale: boolean): Promise<BenchRow[]> {
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

if (import.meta.main) {
  runCli(async () => {
    const args = [...Deno.args];
    if (args.includes("--help")) {
      console.log(USAGE);
      return 0;
    }
    const quick = args.includes("--quick");
    const scale = args.includes("--scale");
    const onlyIndex = args.indexOf("--only");
    const only = onlyIndex >= 0 ? args[onlyIndex + 1]?.split(",") : undefined;
    for (const a of args) {
      if (a.startsWith("--") && !["--quick", "--scale", "--only"].includes(a)) {
        throw new UsageError(`Unknown flag '${a}'\n${USAGE}`);
      }
    }
    const names: string[] = [];
    for await (const e of Deno.readDir(`${PROJECT_ROOT}/bench`)) {
      if (e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_")) {
        names.push(e.name.slice(0, -3));
      }
    }
    const order = ["simulate", "producer", "sink", "realtime", "dashboard", "nrt", "spark"];
    names.sort((a, b) =>
      (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99 || a.localeCompare(b)
    );
    const selected = only ? names.filter((n) => only.includes(n)) : names;
    if (only && selected.length !== only.length) {
      throw new UsageError(
        `Unknown bench in --only: ${only.filter((n) => !names.includes(n)).join(", ")}`,
      );
    }
    const config = loadConfig();
    for (const s of services(config)) await startService(config, s, (l) => console.error(l));
    const rows: BenchRow[] = [];
    for (const name of selected) {
      await settle();
      console.error(`▶ bench/${name}.ts${quick ? " (quick)" : ""}…`);
      const got = await runOne(name, quick, scale);
      for (const r of got) {
        if (!Number.isFinite(r.value) && r.name.endsWith("(failed)")) {
          console.error(`  ✘ ${name} failed: ${r.note}`);
          continue;
        }
        console.error(
          `  ${r.name}: ${fmt(r.value)} ${r.unit} (${
            Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "–"
          })`,
        );
      }
      rows.push(...got);
    }
    console.log(formatTable(rows.map((r) => ({
      figure: r.name,
      value: `${fmt(r.value)} ${r.unit}`,
      baseline: r.baseline ? `${r.baseline}: ${fmt(r.baselineValue)}` : "–",
      ratio: Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "–",
      goal: r.goal,
      met: r.pass ? "yes" : "NO",
    }))));
    const cpu = (await Deno.readTextFile("/proc/cpuinfo")).match(/model name\s*:\s*(.*)/)?.[1] ??
      "unknown CPU";
    const header = `Measured ${
      new Date().toISOString().slice(0, 10)
    } on ${navigator.hardwareConcurrency} cores (${cpu}), ${
      Math.round(Deno.systemMemoryInfo().total / 2 ** 30)
    } GiB, Deno ${Deno.version.deno}${quick ? " — quick mode, not for the record" : ""}.`;
    await Deno.mkdir(`${PROJECT_ROOT}/data/bench`, { recursive: true });
    await Deno.writeTextFile(`${PROJECT_ROOT}/data/bench/latest.md`, markdown(rows, header));
    console.log(`\n${header}\nMarkdown: data/bench/latest.md`);
    return rows.every((r) => r.pass) ? 0 : 1;
  });
}
