/**
 * `deno task simulate --seed N --events N --out DIR [--faults none|default|heavy] [--span 72h]
 * [--start ISO] [--format v1|original]`: simulated events as `DIR/<topic>.jsonl` plus
 * `DIR/manifest.json`, no Kafka. The span ends now unless `--start` fixes it; with `--start`,
 * reruns are byte-identical. `--format original` writes the original producers' records, their
 * wall-clock timestamps in `EVENT_TIME_ZONE`.
 *
 * @module
 */

import { loadConfig } from "../lib/config/mod.ts";
import { TOPICS } from "../lib/schema/events.ts";
import { DEFAULTS, type Manifest, writeSimulation } from "../lib/simulate/mod.ts";
import { formatTable } from "../lib/viz/mod.ts";
import { formatDuration, parseFlags, parseStart, ProgressBar, runCli } from "../lib/cli/mod.ts";
import { SIMULATION_FLAGS } from "../lib/cli/shared.ts";

const SPEC = {
  name: "simulate",
  summary: "Simulate the shop and write its events as DIR/<topic>.jsonl plus DIR/manifest.json.",
  flags: {
    ...SIMULATION_FLAGS,
    events: {
      type: "integer",
      default: DEFAULTS.events,
      min: 0,
      description: "records to write across all topics, faults included",
    },
    out: { type: "string", required: true, placeholder: "DIR", description: "output folder" },
    span: {
      type: "duration",
      default: DEFAULTS.span,
      min: 1000,
      description: "event time covered",
    },
  },
  examples: [
    "deno task simulate --seed 42 --events 100000 --out data/sim",
    "deno task simulate --events 1000 --out data/small --faults none --start 2026-11-26T00:00:00Z",
    "EVENT_TIME_ZONE=Europe/Berlin deno task simulate --format original --out data/original",
  ],
} as const;

function summary(m: Manifest): string {
  const row = (topic: string, c: Manifest["totals"]) => ({
    topic,
    records: c.records,
    valid: c.valid,
    duplicates: c.duplicates,
    nulls: c.nulls,
    late: c.late,
    malformed: c.malformed,
    unknown: c.unknownField,
    "no country": c.noCountry,
  });
  return formatTable([...TOPICS.map((t) => row(t, m.topics[t])), row("total", m.totals)]);
}

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  const start = flags.start === undefined ? undefined : parseStart(flags.start);
  const zone = loadConfig().eventTimeZone;
  const progress = new ProgressBar(flags.events, "simulate", {
    enabled: Deno.stderr.isTerminal() && flags.events >= 100_000,
  });
  const began = performance.now();
  const manifest = await writeSimulation(flags.out, {
    seed: flags.seed,
    events: flags.events,
    faults: flags.faults,
    span: flags.span,
    start,
    format: flags.format,
    zone,
    onProgress: (done) => progress.update(done),
  });
  progress.done();
  const seconds = (performance.now() - began) / 1000;
  console.log(
    `Wrote ${manifest.totals.records} records to ${flags.out}/ in ${seconds.toFixed(1)} s ` +
      `(seed ${manifest.seed}, faults ${manifest.faults}, ${manifest.start} + ${
        formatDuration(manifest.span)
      }, format ${manifest.format}${
        manifest.zone ? `, wall-clock times in ${manifest.zone}` : ""
      })`,
  );
  console.log(summary(manifest));
  console.log(
    `World: ${manifest.world.users} users, ${manifest.world.sessions} sessions, ` +
      `${manifest.world.orders} orders (${manifest.world.completedOrders} completed)`,
  );
});
