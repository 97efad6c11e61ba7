import assert from "node:assert/strict";
import { executeNotebook } from "../../scripts/notebooks/run.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { INTEGRATION, uniqueName } from "../_helpers.ts";

Deno.test({
  name: "01-produce shows the topics, the faults, two charts and offsets that grew by the manifest",
  ...INTEGRATION,
  async fn() {
    const prefix = `${uniqueName("nb01")}.`;
    const nb = await executeNotebook("01-produce", {
      timeout: 300,
      env: { KAFKA_TOPIC_PREFIX: prefix },
    });
    const sim = simulate({ seed: 42, events: 5000, start: new Date("2026-11-23T00:00:00Z") });
    for (const _ of sim);
    const m = sim.manifest.topics;
    // The faults table shows the manifest's counts.
    for (const t of ["clickstream", "orders", "user-profiles", "delivery-status"] as const) {
      assert.match(
        nb.text,
        new RegExp(`^${t}\\s+${m[t].records}\\s+${m[t].valid}\\s+${m[t].duplicates}\\s`, "m"),
        t,
      );
      // The offsets table: before 0, after = added = manifest.
      assert.match(
        nb.text,
        new RegExp(
          `^${prefix.replace(".", "\\.")}${t}\\s+0\\s+${m[t].records}\\s+${m[t].records}\\s+${
            m[t].records
          }$`,
          "m",
        ),
      );
    }
    assert.match(nb.text, /✔ Kafka holds exactly the simulated records/);
    // Records from other producers: both formats get an event time, the original one a content key.
    assert.match(nb.text, /The original producers' records/);
    assert.match(
      nb.text,
      /^original\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+\S+Z\s+c:[0-9a-f]{16}$/m,
    );
    assert.match(nb.text, /^v1\s+\S+Z\s+\S+Z\s+[0-9a-f-]{36}$/m);
    assert.match(nb.text, /sent 5000 records .* 0 failed/);
    const svgs = nb.cells.flatMap((c) => c.outputs).filter((o) =>
      String(o.data["text/html"] ?? "").includes("<svg")
    );
    assert.equal(svgs.length, 2, "two charts");
  },
});
