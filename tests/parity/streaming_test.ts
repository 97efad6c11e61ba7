/**
 * databricks/streaming.py on local PySpark against the local broker: its windowed counts equal an
 * independent computation over the same events it read from Kafka.
 */
import assert from "node:assert/strict";
import { produceRecords } from "../../lib/kafka/mod.ts";
import { NrtDb, sqlString } from "../../lib/nrt/db.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { runDatabricksNotebook } from "../../lib/parity/mod.ts";
import { INTEGRATION, withTempDir } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";

/** Event-time minute windows × event type, and status counts, computed in TypeScript. */
function expectedCounts(values: { topic: string; value: string }[]) {
  const clicks = new Map<string, number>();
  const statuses = new Map<string, number>();
  const seen = new Set<string>();
  for (const { topic, value } of values) {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(value);
    } catch {
      continue; // not JSON: the notebook leaves it out too
    }
    const id = event.event_id as string;
    if (!id || seen.has(id)) continue;
    seen.add(id);
    if (topic === "clickstream" && event.event !== null && typeof event.timestamp === "string") {
      const minute = Math.floor(Date.parse(event.timestamp) / 60_000) * 60_000;
      const key = `${new Date(minute).toISOString().slice(0, 19)}Z|${event.event}`;
      clicks.set(key, (clicks.get(key) ?? 0) + 1);
    }
    if (topic === "delivery-status" && event.status !== null) {
      const key = event.status as string;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  }
  return { clicks, statuses };
}

async function readCounts(db: NrtDb, dir: string): Promise<Record<string, unknown>[]> {
  return await db.rows(`SELECT * FROM read_parquet(${sqlString(`${dir}/*.parquet`)})`);
}

Deno.test({
  name: "streaming.py counts clickstream per minute and deliveries by status, as Kafka holds them",
  ...INTEGRATION,
  fn: () =>
    withTempDir(async (dir) => {
      const { kafka, kafkaConfig, cleanup } = await cliTopics("stream", { dlq: false });
      const records = [
        ...simulate({
          seed: 11,
          events: 800,
          faults: "default",
          start: new Date("2026-11-26T08:00:00Z"),
          span: 2 * 3_600_000,
        }),
      ].filter((r) => r.topic === "clickstream" || r.topic === "delivery-status");
      await produceRecords(kafka, kafkaConfig, records);

      await runDatabricksNotebook("streaming", {
        lakeRoot: dir,
        widgets: {
          kafka_bootstrap_servers: kafkaConfig.brokers.join(","),
          kafka_security: "PLAINTEXT",
          topic_prefix: kafkaConfig.topicPrefix,
          starting_offsets: "earliest",
          trigger: "available-now",
        },
        displayRows: 0,
      });

      const expected = expectedCounts(records);
      const db = await NrtDb.open();
      try {
        const clicks = await readCounts(db, `${dir}/analysis/parquet/streaming_clickstream_counts`);
        const got = Object.fromEntries(
          clicks.map((r) => [`${r.window_start}|${r.event}`, Number(r.count)]),
        );
        assert.deepEqual(got, Object.fromEntries(expected.clicks));
        for (const r of clicks) {
          const start = Date.parse(r.window_start as string);
          assert.equal(Date.parse(r.window_end as string) - start, 60_000);
        }
        const statuses = await readCounts(
          db,
          `${dir}/analysis/parquet/streaming_delivery_status_counts`,
        );
        assert.deepEqual(
          Object.fromEntries(statuses.map((r) => [r.status as string, Number(r.count)])),
          Object.fromEntries(expected.statuses),
        );
        // The CSV copy holds the same rows, with a header.
        const csv = await Array.fromAsync(
          Deno.readDir(`${dir}/analysis/streaming_clickstream_counts`),
        );
        const part = csv.find((e) => e.name.startsWith("part-") && e.name.endsWith(".csv"));
        const text = await Deno.readTextFile(
          `${dir}/analysis/streaming_clickstream_counts/${part!.name}`,
        );
        assert.equal(text.split("\n")[0], "window_start,window_end,event,count");
        assert.equal(text.trim().split("\n").length - 1, clicks.length);
      } finally {
        db.close();
        await cleanup();
      }
    }),
});
