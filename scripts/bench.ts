/**
 * `deno task bench [--quick] [--scale] [--only NAME,…]`: runs every `bench/<name>.ts` and prints one table,
 * each figure beside its baseline measured in the same run (these machines are shared and noisy:
 * a ratio holds, an absolute time does not). The table is also written, as Markdown, to
 * `data/bench/latest.md` for the README.
 */
import {
  benchNames,
  fmt,
  machineLine,
  markdown,
  progressLine,
  runOne,
  settle,
} from "../bench/_harness.ts";
import type { BenchRow } from "../bench/_types.ts";
import { parseFlags, runCli } from "../lib/cli/mod.ts";
import { loadConfig, PROJECT_ROOT } from "../lib/config/mod.ts";
import { services, startService } from "../lib/stack/mod.ts";
import { formatTable } from "../lib/viz/mod.ts";

const SPEC = {
  name: "bench",
  summary: "Run every bench/<name>.ts, each in a process of its own, and print one table: each " +
    "figure beside its baseline measured in the same run (also written to data/bench/latest.md).",
  flags: {
    quick: { type: "boolean", description: "smaller sizes: a smoke run, not figures to record" },
    scale: {
      type: "boolean",
      description: "also the figures at ten times the size (slow; not in CI)",
    },
    only: {
      type: "string",
      placeholder: "NAME,…",
      description: "run only these bench/<name>.ts modules (e.g. simulate,producer)",
    },
  },
  examples: [
    "deno task bench",
    "deno task bench --quick --only sink",
    "deno task bench --only nrt --scale",
  ],
} as const;

if (import.meta.main) {
  runCli(async () => {
    const { flags } = parseFlags(SPEC, Deno.args);
    const quick = flags.quick;
    const selected = await benchNames(flags.only?.split(",").map((n) => n.trim()).filter(Boolean));
    const config = loadConfig();
    for (const s of services(config)) await startService(config, s, (l) => console.error(l));
    const rows: BenchRow[] = [];
    for (const name of selected) {
      await settle();
      console.error(`▶ bench/${name}.ts${quick ? " (quick)" : ""}…`);
      const got = await runOne(name, quick, flags.scale);
      for (const r of got) console.error(progressLine(name, r));
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
    const header = await machineLine(quick);
    await Deno.mkdir(`${PROJECT_ROOT}/data/bench`, { recursive: true });
    await Deno.writeTextFile(`${PROJECT_ROOT}/data/bench/latest.md`, markdown(rows, header));
    console.log(`\n${header}\nMarkdown: data/bench/latest.md`);
    return rows.every((r) => r.pass) ? 0 : 1;
  });
}
