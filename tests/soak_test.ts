/**
 * `deno task soak --duration 60s`: a minute of produce + sink + real time + NRT at 5000
 * records/s, and 500/s of the original producers' records beside them, on a private broker and
 * Azurite, with the sink SIGKILLed and the broker and Azurite restarted; every check of its
 * report must pass (the 10-minute run's figures are in the README).
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../lib/config/mod.ts";
import { INTEGRATION, runTask } from "./_helpers.ts";

Deno.test({
  name: "a minute's soak under kills and restarts loses and duplicates nothing",
  ...INTEGRATION,
  async fn() {
    const run = await runTask("soak", ["--duration", "60s"]);
    assert.equal(run.code, 0, run.stdout + run.stderr.split("\n").slice(-40).join("\n"));
    const report = JSON.parse(
      await Deno.readTextFile(
        `${PROJECT_ROOT}/${
          /report in (data\/soak\/report-\S+)\.\{md,json\}/.exec(run.stderr)![1]
        }.json`,
      ),
    );
    assert.equal(report.ok, true);
    assert.equal(report.records.produced, 330_000);
    // A producer retry across the broker restart may write a batch twice: Kafka holds the truth.
    assert.ok(report.records.kafka >= 330_000);
    // The original producers' delivery events (ours come 30 minutes after their order, later
    // than a minute's run) were read: every topic had events accepted.
    for (const t of report.realtime) assert.ok(t.accepted > 0, JSON.stringify(t));
    assert.deepEqual([report.records.lost, report.records.duplicated], [0, 0]);
    assert.deepEqual(
      report.disruptions.map((d: { what: string }) => d.what),
      ["sink SIGKILLed and restarted", "broker restarted", "Azurite restarted"],
    );
    for (const check of report.checks) assert.ok(check.ok, `${check.check}: ${check.detail}`);
    assert.ok(report.rss.some((s: { process: string }) => s.process === "realtime"));
    // The view's live lines carried its memory: its heap after collections was followed.
    assert.ok(report.realtimeHeap?.warm > 0, JSON.stringify(report.realtimeHeap));
  },
});
