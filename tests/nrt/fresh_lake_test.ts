/**
 * `deno task nrt` on a lake nothing was written to yet (a fresh Azurite container, before any
 * sink run): a pass over nothing, whose write back makes the container rather than failing.
 */
import assert from "node:assert/strict";
import { parseLakeUrl } from "../../lib/config/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { runNrt } from "../../lib/nrt/mod.ts";
import { azuriteUrl, INTEGRATION, testConfig, withTempDir } from "../_helpers.ts";

Deno.test({
  name: "an NRT pass on an Azurite lake with no container yet writes its empty tables back",
  ...INTEGRATION,
  fn: () =>
    withTempDir(async (dir) => {
      const config = { ...testConfig(), lake: parseLakeUrl(azuriteUrl("nrtfresh")) };
      const lake = openLake(config.lake);
      try {
        const run = await runNrt({ config, lake, workDir: dir });
        assert.equal(run.sync.listed, 0);
        assert.ok(run.gold.length >= 25);
        assert.ok(run.layers.every((l) => l.silver === 0));
        const written = (await lake.list("analysis/")).map((e) => e.path);
        assert.ok(written.some((p) => p.endsWith("clickstream_by_device/data.csv")), written[0]);
      } finally {
        for (const { path } of await lake.list("")) await lake.delete(path).catch(() => {});
        await lake.close();
      }
    }),
});
