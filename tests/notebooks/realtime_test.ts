import assert from "node:assert/strict";
import { executeNotebook } from "../../scripts/notebooks/run.ts";
import { INTEGRATION } from "../_helpers.ts";

Deno.test({
  name: "02-realtime updates its charts in place and closes with the burst's counts",
  ...INTEGRATION,
  async fn() {
    const nb = await executeNotebook("02-realtime", { timeout: 240 });
    // The live cell displayed three charts by display id and replaced them in place: however
    // many updates, only three outputs remain (nbformat does not keep the ids in the file, so
    // the notebook prints them).
    const live = nb.cells.find((c) => c.source.includes("events.show("))!;
    const html = (o: { data: Record<string, unknown> }) =>
      [o.data["text/html"] ?? ""].flat().join("");
    const displays = live.outputs.filter((o) => html(o).includes("<svg"));
    assert.equal(displays.length, 3);
    const updates = Number(/each chart was updated (\d+) times in place/.exec(nb.text)?.[1]);
    assert.ok(updates >= 2, `charts updated ${updates} times`);
    assert.match(nb.text, /display ids: rt-events, rt-revenue, rt-funnel/);
    // The checks in the notebook passed, and the closing table shows the whole burst.
    assert.match(nb.text, /✔ 12000 records read: \d+ accepted, \d+ malformed/);
    assert.match(nb.text, /^records received\s+12000$/m);
    const total = /^total\s+12000\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(nb.text);
    assert.ok(total, "the outcome table has a total row for 12000 records");
    const [accepted, malformed, late, duplicates] = total!.slice(1).map(Number);
    assert.equal(accepted + malformed + late + duplicates, 12000);
    assert.match(nb.text, new RegExp(`^accepted\\s+${accepted}$`, "m"));
    assert.match(nb.text, /✔ funnel \d+ → \d+ → \d+ → \d+ → \d+ sessions/);
    assert.match(nb.text, /^funnel: order sessions\s+\d+$/m);
  },
});
