import assert from "node:assert/strict";
import { executeNotebook } from "../../scripts/notebooks/run.ts";
import { AZURITE_KEY } from "../../lib/config/mod.ts";
import { INTEGRATION } from "../_helpers.ts";

Deno.test({
  name: "00-setup shows the redacted configuration, a healthy stack and the versions",
  ...INTEGRATION,
  async fn() {
    const nb = await executeNotebook("00-setup", { timeout: 120 });
    assert.match(nb.text, /KAFKA_BOOTSTRAP_SERVERS\s+127\.0\.0\.1:9092/);
    assert.match(nb.text, /^kafka\s+127\.0\.0\.1:9092\s+yes/m);
    assert.match(nb.text, /^lake\s+azurite:\/\/127\.0\.0\.1:10000\/lake\s+yes/m);
    assert.match(nb.text, /✔ Kafka and the lake answer/);
    assert.match(nb.text, new RegExp(`deno\\s+${Deno.version.deno.replaceAll(".", "\\.")}`));
    assert.match(nb.text, /kafkajs\s+2\.2\.4/);
    assert.ok(!nb.text.includes(AZURITE_KEY), "the storage key must never be shown");
    // The configuration table is also rendered as HTML for Jupyter.
    assert.ok(
      nb.cells[1].outputs.some((o) => String(o.data["text/html"] ?? "").includes("<table>")),
    );
  },
});
