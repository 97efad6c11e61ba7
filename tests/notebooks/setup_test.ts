import assert from "node:assert/strict";
import { executeNotebook } from "../../scripts/notebooks/run.ts";
import { AZURITE_KEY } from "../../lib/config/mod.ts";
import { escapeRegExp, INTEGRATION, testConfig } from "../_helpers.ts";

Deno.test({
  name: "00-setup shows the redacted configuration, a healthy stack and the versions",
  ...INTEGRATION,
  async fn() {
    const nb = await executeNotebook("00-setup", { timeout: 120 });
    const config = testConfig();
    const broker = escapeRegExp(config.kafka.brokers.join(","));
    assert.match(nb.text, new RegExp(`KAFKA_BOOTSTRAP_SERVERS\\s+${broker}`));
    assert.match(nb.text, new RegExp(`^kafka\\s+${broker}\\s+yes`, "m"));
    assert.match(nb.text, new RegExp(`^lake\\s+${escapeRegExp(config.lake.url)}\\s+yes`, "m"));
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
