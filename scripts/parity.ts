/**
 * `deno task parity [--lake DIR] [--seed N --events N --faults P] [--out DIR]`: the same raw lake
 * through `lib/nrt` (DuckDB) and through the `databricks/` notebooks (local PySpark) into two
 * output roots, then every gold and silver table compared order-insensitively, numbers within
 * 1e-9. Prints each mismatch as a diff and a summary table; exits 1 when any table differs.
 * The work is `runParity` in `lib/parity/compare.ts`.
 *
 * @module
 */
import { loadConfig, PROJECT_ROOT } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { formatDiff, summarize } from "../lib/nrt/parity.ts";
import { FAULT_PRESETS } from "../lib/simulate/mod.ts";
import { parseFlags, runCli } from "../lib/cli/mod.ts";
import { printTable } from "../lib/cli/mod.ts";
import { runParity, SEED_FORMATS, seedLake, SIDES } from "../lib/parity/mod.ts";

const SPEC = {
  name: "parity",
  summary:
    "Run lib/nrt (DuckDB) and the databricks/ notebooks (local PySpark) over the same lake and compare every table.",
  flags: {
    lake: {
      type: "string",
      placeholder: "DIR",
      description:
        "raw lake folder (or file:// URL) holding topics/ (default: LAKE_URL when file://, else a seeded lake)",
    },
    seed: {
      type: "integer",
      description:
        "seed a fresh lake with the simulator (default 42 when no file:// lake is given)",
    },
    events: { type: "integer", default: 5000, min: 1, description: "records of a seeded lake" },
    faults: {
      type: "string",
      choices: FAULT_PRESETS,
      default: "default",
      description: "fault preset of a seeded lake",
    },
    format: {
      type: "string",
      choices: SEED_FORMATS,
      default: "v1",
      description: "records of a seeded lake: ours, the original producers', or both",
    },
    out: {
      type: "string",
      placeholder: "DIR",
      default: "data/parity",
      description: "output folder (duckdb/, spark/, and a seeded lake/)",
    },
    "show-rows": {
      type: "integer",
      default: 0,
      min: 0,
      description: "rows each notebook display() prints",
    },
  },
  examples: [
    "deno task parity",
    "deno task parity --seed 7 --events 20000 --faults heavy",
    "EVENT_TIME_ZONE=Europe/Berlin deno task parity --format mixed",
    "LAKE_URL=file://data/lake deno task parity",
  ],
} as const;

function absolute(path: string): string {
  const p = path.replace(/^file:\/\//, "");
  return p.startsWith("/") ? p : `${PROJECT_ROOT}/${p}`;
}

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  const config = loadConfig();
  const out = absolute(flags.out);
  let lakeRoot: string;
  if (flags.lake !== undefined && flags.seed !== undefined) {
    throw new UsageError("Give either --lake or --seed, not both");
  }
  if (flags.lake !== undefined) lakeRoot = absolute(flags.lake);
  else if (flags.seed === undefined && config.lake.kind === "file") lakeRoot = config.lake.root!;
  else {
    lakeRoot = `${out}/lake`;
    const seed = flags.seed ?? 42;
    console.error(
      `Seeding ${lakeRoot}: seed ${seed}, ${flags.events} records, faults ${flags.faults}, ` +
        `format ${flags.format}`,
    );
    await seedLake(lakeRoot, {
      seed,
      events: flags.events,
      faults: flags.faults,
      topicPrefix: config.kafka.topicPrefix,
      format: flags.format,
      zone: config.eventTimeZone,
    });
  }
  if (!(await Deno.stat(`${lakeRoot}/topics`).then(() => true, () => false))) {
    throw new UsageError(`No raw lake at ${lakeRoot}: it has no topics/ folder`);
  }

  const result = await runParity({
    lakeRoot,
    outDir: out,
    topicPrefix: config.kafka.topicPrefix,
    eventTimeZone: config.eventTimeZone,
    displayRows: flags["show-rows"],
    onProgress: (line) => console.error(line),
  });

  for (const table of result.tables) {
    if (!table.comparison) {
      console.log(`\n${table.name}: missing in ${table.missing}`);
    } else if (table.comparison.mismatches > 0) {
      console.log(`\n${table.name}: ${table.comparison.mismatches} mismatches`);
      console.log(formatDiff(table.comparison, SIDES));
    } else if (table.comparison.columns.typeDiffers.length > 0) {
      console.log(`\n${table.name}: same values`);
      console.log(formatDiff(table.comparison, SIDES));
    }
  }
  console.log();
  printTable(
    summarize(
      result.tables.map((t) => ({ name: t.name, comparison: t.comparison, missing: t.missing })),
      SIDES,
    ),
  );
  const gold = result.tables.filter((t) => t.layer === "gold");
  const goldBad = gold.filter((t) => !t.comparison || t.comparison.mismatches > 0).length;
  console.log(
    `\nparity: ${result.tables.length} tables (${gold.length} gold), ${result.mismatches} mismatches` +
      ` (${goldBad} gold tables differ); DuckDB ${result.duckdbSeconds.toFixed(1)} s, Spark ${
        result.sparkSeconds.toFixed(1)
      } s (+${result.sparkStartupSeconds.toFixed(1)} s start-up)`,
  );
  console.log(`outputs: ${result.roots.duckdb}, ${result.roots.spark}`);
  return result.mismatches === 0 ? 0 : 1;
});
