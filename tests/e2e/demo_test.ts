/**
 * The README's first command, end to end: `deno task demo` (a small history, a short live
 * minute, no PySpark parity, no dashboard) on the real broker, Azurite, the Jupyter kernel and
 * DuckDB, in topics and a lake of its own. Each step's one-line result must add up with the
 * others: every record of this run read by the real-time snapshot, the history and the live
 * records in the lake or its DLQ, every lake row in bronze.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { azuriteUrl, escapeRegExp, INTEGRATION, runTask, uniqueName } from "../_helpers.ts";

const EVENTS = 3000;
const LIVE_RATE = 100;
const LIVE_SECONDS = 4;

/** The numbers in a step's result line, by the regular expression's named groups. */
function numbers(text: string, pattern: RegExp): Record<string, number> {
  const match = pattern.exec(text);
  assert.ok(match?.groups, `no line matching ${pattern} in:\n${text}`);
  return Object.fromEntries(Object.entries(match.groups).map(([k, v]) => [k, Number(v)]));
}

async function entries(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    for await (const e of Deno.readDir(dir)) names.add(e.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

Deno.test({
  name: "deno task demo runs every step, and their results add up",
  ...INTEGRATION,
  async fn() {
    const nrtDir = `${PROJECT_ROOT}/data/nrt`;
    const before = await entries(nrtDir);
    try {
      const r = await runTask("demo", [
        "--events",
        String(EVENTS),
        "--live",
        `${LIVE_SECONDS}s`,
        "--rate",
        String(LIVE_RATE),
        "--no-parity",
        "--no-dashboard",
      ], {
        KAFKA_TOPIC_PREFIX: `${uniqueName("demo")}.`,
        LAKE_URL: azuriteUrl("demo"),
      });
      const out = r.stdout;
      assert.equal(r.code, 0, `demo failed:\n${r.stderr}\n${out}`);
      const summary = out.slice(out.indexOf("Demo summary"));
      const steps = [
        "install",
        "stack up",
        "notebook 00-setup",
        "produce history",
        "real-time snapshot",
        `live ${LIVE_SECONDS}s`,
        "sink → lake",
        "near-real-time (DuckDB)",
      ];
      for (const step of steps) {
        assert.match(summary, new RegExp(`^${escapeRegExp(step)} `, "m"), step);
      }
      assert.match(summary, /created 8 topics/, "the run's own topics and their DLQs");

      const history = numbers(
        summary,
        /(?<sent>\d+) records in [\d.]+ s \(\d+\/s\); faults: (?<duplicates>\d+) duplicates, \d+ nulls, \d+ late, (?<malformed>\d+) malformed/,
      );
      assert.equal(history.sent, EVENTS);
      const rt = numbers(
        summary,
        /(?<read>\d+) records of this run read; (?<counted>\d+) counted, (?<duplicates>\d+) duplicates, (?<late>\d+) late, (?<malformed>\d+) malformed; revenue (?<revenue>[\d.]+)/,
      );
      assert.equal(rt.read, EVENTS, "the snapshot reads this run's history, all of it");
      assert.equal(rt.counted + rt.duplicates + rt.late + rt.malformed, EVENTS);
      assert.equal(rt.malformed, history.malformed, "each malformed record the simulator made");
      // A duplicate whose copy arrives too late counts as late instead.
      assert.ok(rt.duplicates <= history.duplicates && rt.duplicates > 0);
      assert.ok(rt.revenue > 0);

      const live = numbers(summary, /(?<sent>\d+) live records at \d+\/s, watched/);
      assert.equal(live.sent, LIVE_RATE * LIVE_SECONDS);
      // The live view (the real CLI) stopped once the producer was done, after what it read.
      const viewed = numbers(r.stderr, /Stopped after (?<records>\d+) records\./);
      assert.ok(viewed.records > 0 && viewed.records <= live.sent, r.stderr);

      const sink = numbers(
        summary,
        /(?<records>\d+) records → (?<files>\d+) files in azurite:\S+; (?<dlq>\d+) to the DLQ/,
      );
      assert.equal(sink.records + sink.dlq, EVENTS + live.sent, "every record in the lake or DLQ");
      assert.ok(sink.dlq >= history.malformed, "malformed records go to the DLQ");
      const nrt = numbers(
        summary,
        /full: (?<synced>\d+) files synced, (?<bronze>\d+) bronze rows, (?<gold>\d+) gold tables/,
      );
      assert.equal(nrt.synced, sink.files, "every lake file synced");
      assert.equal(nrt.bronze, sink.records, "every lake row in bronze");
      assert.ok(nrt.gold > 0);
    } finally {
      // The NRT pass's work folder for this lake (named after it) goes with the test.
      for (const name of await entries(nrtDir)) {
        if (!before.has(name)) await Deno.remove(`${nrtDir}/${name}`, { recursive: true });
      }
    }
  },
});
