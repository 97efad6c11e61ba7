import assert from "node:assert/strict";
import { executeNotebook } from "../../scripts/notebooks/run.ts";
import { azuriteUrl, INTEGRATION } from "../_helpers.ts";

Deno.test({
  name:
    "03-lake-sink fills the lake, opens a file, replays identically and finds every record once",
  ...INTEGRATION,
  async fn() {
    const nb = await executeNotebook("03-lake-sink", {
      timeout: 300,
      env: { LAKE_URL: azuriteUrl("nb03") },
    });
    assert.match(nb.text, /✔ 1500 records in 4 topics/);
    const sink = /✔ sink: (\d+) lines in (\d+) files \+ (\d+) dead letters = 1500 records/.exec(
      nb.text,
    );
    assert.ok(sink, "the sink's check line");
    assert.equal(Number(sink[1]) + Number(sink[3]), 1500);
    assert.ok(Number(sink[3]) > 0, "the default faults make a few malformed records");
    // The tree: hourly folders of the clickstream topic, files named by partition and offset.
    assert.match(
      nb.text,
      /year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\s+\d+\s+\d+\s+\d\+\d{10}\.json/,
    );
    assert.match(
      nb.text,
      /✔ \d+ JSON lines, all in hour \d{4}-\d{2}-\d{2}T\d{2}h, partition \d, from offset \d+/,
    );
    const replay = /✔ the replay rewrote (\d+) files with the same names and bytes/.exec(nb.text);
    assert.ok(replay);
    assert.equal(Number(replay[1]), Number(sink[2]));
    assert.match(nb.text, /✔ every record is in the lake exactly once/);
    assert.match(nb.text, /Lake vs Kafka/);
    assert.match(nb.text, /✔ deleted the lesson03-\S+ topics/);
    // Tables are rendered as HTML for Jupyter too.
    assert.ok(
      nb.cells.some((c) =>
        c.outputs.some((o) => String(o.data["text/html"] ?? "").includes("<table>"))
      ),
    );
  },
});
