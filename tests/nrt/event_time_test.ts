import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import { NrtDb, sqlString } from "../../lib/nrt/db.ts";
import { installEventTime } from "../../lib/nrt/event_time.ts";
import { runNrt, writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { parseEventTime, parseEventTimeText } from "../../lib/schema/event_time.ts";
import { withTempDir } from "../_helpers.ts";
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

Deno.test("NRT keeps every record with its event time: other zones, offsets, epoch ms, and garbage as NULL", async () => {
  await withTempDir(async (dir) => {
    const zone = "America/Sao_Paulo";
    const timestamps: unknown[] = [
      "2026-11-26T10:15:30.123Z",
      "2026-11-26T10:15:30+05:30",
      "2026-11-26 10:15:30",
      "2026-11-26T23:59:59.999-03:00",
      1795688130123,
      "1795688130123",
      "yesterday",
      "2026-02-30 10:00:00",
      null,
      { ms: 1 },
    ];
    const records = timestamps.map((timestamp, i) => ({
      topic: "orders",
      key: `order_${i}`,
      value: JSON.stringify({
        order_id: `order_${i}`,
        user_id: "user_1",
        timestamp,
        items: [{ product_id: "prod_1", quantity: 1, price: 10 }],
        total_amount: 10,
        payment_method: "paypal",
        status: "completed",
      }),
      timestamp: Date.UTC(2026, 10, 27, 12),
    }));
    const lake = new FileLake(`${dir}/lake`);
    await writeLakeFromRecords(lake, records, { partitions: 1, zone });
    await runNrt({
      config: loadConfig({ env: { EVENT_TIME_ZONE: zone }, dotenv: null }),
      lake,
      workDir: `${dir}/work`,
      writeBack: false,
    });
    const db = await NrtDb.open({ path: `${dir}/work/nrt.duckdb`, workDir: `${dir}/work` });
    try {
      const rows = await db.rows<{ order_id: string; t: number | null; hour: number }>(
        "SELECT order_id, epoch_ms(event_time) AS t, hour FROM silver.orders ORDER BY order_id",
      );
      // Every record is kept (the original producers' have no event_id: identified by content).
      assert.equal(rows.length, timestamps.length);
      for (const row of rows) {
        const i = Number(row.order_id.slice(6));
        const expected = parseEventTime(timestamps[i], zone);
        assert.equal(row.t, expected, JSON.stringify(timestamps[i]));
        // Filed by the event time's UTC hour, or by the Kafka record time (12:00) without one.
        assert.equal(row.hour, new Date(expected ?? Date.UTC(2026, 10, 27, 12)).getUTCHours());
      }
      // Revenue by day counts the six with an event time, on their UTC days.
      const days = await db.rows<{ day: string; orders: number }>(
        "SELECT day, orders FROM gold.orders_revenue_by_day ORDER BY day",
      );
      assert.deepEqual(days, [{ day: "2026-11-26", orders: 5 }, { day: "2026-11-27", orders: 1 }]);
    } finally {
      db.close();
    }
  });
});
