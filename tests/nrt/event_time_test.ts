import assert from "node:assert/strict";
import { NrtDb, sqlString } from "../../lib/nrt/db.ts";
import { installEventTime } from "../../lib/nrt/event_time.ts";
import { parseEventTimeText } from "../../lib/schema/event_time.ts";
import { CHECK_ZONES, eventTimeInputs } from "../schema/_event_time_inputs.ts";

Deno.test("DuckDB's event time agrees with the TypeScript rule on the same inputs, in every zone", async () => {
  const db = await NrtDb.open();
  try {
    const values = eventTimeInputs(20261126);
    await db.run(
      `CREATE TABLE inputs AS SELECT * FROM (VALUES ${
        values.map((v, i) => `(${i}, ${sqlString(v)})`).join(", ")
      }) t(i, ts)`,
    );
    for (const zone of CHECK_ZONES) {
      await installEventTime(db, zone);
      const rows = await db.rows<{ i: number; ms: number | null; tz: Date | null }>(
        "SELECT i, event_time_ms(ts) AS ms, event_time(ts) AS tz FROM inputs ORDER BY i",
      );
      let accepted = 0;
      for (const { i, ms, tz } of rows) {
        const expected = parseEventTimeText(values[i], zone);
        assert.equal(ms, expected, `${JSON.stringify(values[i])} in ${zone}`);
        assert.equal(tz === null ? null : tz.getTime(), expected);
        if (expected !== null) accepted++;
      }
      assert.ok(accepted > values.length / 3, `only ${accepted} inputs had an event time`);
    }
  } finally {
    db.close();
  }
});
