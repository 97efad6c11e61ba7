/**
 * databricks/streaming.py on local PySpark against the local broker: its windowed counts equal an
 * independent computation over the same records it read from Kafka, records being taken or left
 * out by the real-time rule (`lib/realtime/decode.ts`): ours, the original producers' (wall-clock
 * times in another zone, no event_id), and values no producer of ours writes.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { produceRecords } from "../../lib/kafka/mod.ts";
import { NrtDb, sqlString } from "../../lib/nrt/db.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { runDatabricksNotebook } from "../../lib/parity/mod.ts";
import { decodeLine } from "../../lib/realtime/decode.ts";
import type { Topic } from "../../lib/schema/events.ts";
import { INTEGRATION, withTempDir } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";

const ZONE = "America/New_York";

/** A string field as Spark reads it into a string column: other JSON values as their JSON text. */
function sparkString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Event-time minute windows × event type, and status counts, computed in TypeScript: a record
 * counts when the real-time rule accepts it, once per identity (the event_id, else its content).
 */
function expectedCounts(values: { topic: string; value: string | Uint8Array | null }[]) {
  const clicks = new Map<string, number>();
  const statuses = new Map<string, number>();
  const seen = new Set<string>();
  for (const { topic, value } of values) {
    const decoded = decodeLine(topic as Topic, value, ZONE);
    if (!decoded.ok || seen.has(decoded.id)) continue;
    seen.add(decoded.id);
    const { event, time } = decoded;
    const type = sparkString(event.event), status = sparkString(event.status);
    if (topic === "clickstream" && type !== null) {
      const minute = Math.floor(time / 60_000) * 60_000;
      const key = `${new Date(minute).toISOString().slice(0, 19)}Z|${type}`;
      clicks.set(key, (clicks.get(key) ?? 0) + 1);
    }
    if (topic === "delivery-status" && status !== null) {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }
  return { clicks, statuses };
}

/** Clickstream and delivery values no producer of ours writes, each a case of the rule. */
function oddValues(): { topic: Topic; value: string | Uint8Array | null }[] {
  const at = Date.parse("2026-11-26T09:30:00Z");
  const click = (id: string, fields: Record<string, unknown> = {}) => ({
    event_id: id,
    user_id: "user_odd",
    timestamp: new Date(at).toISOString(),
    event: "click",
    page: "home_page",
    device: "mobile",
    ...fields,
  });
  const text = (o: unknown) => JSON.stringify(o);
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => typeof p === "string" ? Buffer.from(p) : Buffer.from(p)));
  const clicks: (string | Uint8Array | null)[] = [
    null,
    "",
    "{'event': 'click'}", // a Python dict printed: not JSON
    "[" + text(click("arr")) + "]", // an array holding an event: not an object
    '"just a string"',
    text(click("trail")) + " x", // JSON, then more
    '{"event_id": "multi",\n "user_id": "user_odd", "timestamp": "2026-11-26T09:30:00Z", "event": "click"}',
    bytes([0xef, 0xbb, 0xbf], text(click("bom"))), // a byte-order mark: valid
    text(click("lf")) + "\n", // a line's end: valid
    "\r\n " + text(click("crlf")) + "\r\n",
    bytes(text(click("bad-utf8")).slice(0, -2), [0xff, 0xfe], '"}'), // not UTF-8
    text(click("fffd", { page: "\uFFFD" })), // a real replacement character: valid
    text(click("num-user", { user_id: 7 })), // the key not a string
    text(click("", {})), // an empty event_id
    text(click("num-id", { event_id: 7 })),
    text(click("zone", { timestamp: "2026-11-26T15:00:00+05:30" })), // another zone
    text(click("epoch", { timestamp: at + 120_000 })), // epoch ms, a JSON number
    text(click("no-day", { timestamp: "2026-02-30 10:00:00" })), // no such day
    text(click("wall", { timestamp: "2026-11-26 04:31:00" })), // wall clock, in ZONE
    text(click("typed", { event: 7 })), // a number where a string belongs: "7" in Spark
    text(click("nested", { event: { kind: "click" } })),
    '{"event_id": "twice", "user_id": "user_odd", "timestamp": "2026-11-26T09:30:00Z", ' +
    '"event": "view", "event": "click"}', // a key named twice: the last value
    '{"event_id": "esc", "user\\u005fid": "user_odd", "timestamp": "2026-11-26T09:30:00Z", "event": "click"}',
    text(click("bom")), // the marked record's duplicate
  ];
  const deliveries: (string | Uint8Array | null)[] = [
    text({ event_id: "d-odd", order_id: "order_x", timestamp: "2026-11-26T09:30:00Z", status: 3 }),
    text({ order_id: "order_y", timestamp: "2026-11-26 04:30:00", status: "delivered" }),
    text({ order_id: "order_y", timestamp: "2026-11-26 04:30:00", status: "delivered" }),
    text({ order_id: 42, timestamp: "2026-11-26 04:30:00", status: "failed" }),
    "42",
  ];
  return [
    ...clicks.map((value) => ({ topic: "clickstream" as const, value })),
    ...deliveries.map((value) => ({ topic: "delivery-status" as const, value })),
  ];
}

async function readCounts(db: NrtDb, dir: string): Promise<Record<string, unknown>[]> {
  return await db.rows(`SELECT * FROM read_parquet(${sqlString(`${dir}/*.parquet`)})`);
}

Deno.test({
  name:
    "streaming.py counts clickstream per minute and deliveries by status, as Kafka holds them, " +
    "by the real-time rule",
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
        ...simulate({
          seed: 12,
          events: 400,
          format: "original",
          zone: ZONE,
          start: new Date("2026-11-26T08:00:00Z"),
          span: 2 * 3_600_000,
        }),
      ].filter((r) => r.topic === "clickstream" || r.topic === "delivery-status");
      await produceRecords(kafka, kafkaConfig, records);
      const odd = oddValues();
      const producer = kafka.producer();
      await producer.connect();
      try {
        for (const topic of ["clickstream", "delivery-status"] as const) {
          await producer.send({
            topic: `${kafkaConfig.topicPrefix}${topic}`,
            messages: odd.filter((o) => o.topic === topic).map((o, i) => ({
              value: o.value === null ? null : Buffer.from(o.value),
              headers: i % 2 ? { "content-type": "text/x-python", "": Buffer.from([0]) } : {},
            })),
          });
        }
      } finally {
        await producer.disconnect();
      }
      // Another producer's transaction, aborted: its records are not there to count.
      const other = kafka.producer({
        transactionalId: `${kafkaConfig.topicPrefix}other`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await other.connect();
      const aborted = await other.transaction();
      await aborted.send({
        topic: `${kafkaConfig.topicPrefix}clickstream`,
        messages: Array.from({ length: 20 }, (_, i) => ({
          value: JSON.stringify({
            event_id: `aborted-${i}`,
            user_id: "user_x",
            timestamp: "2026-11-26T09:00:00Z",
            event: "click",
          }),
        })),
      });
      await aborted.abort();
      await other.disconnect();

      await runDatabricksNotebook("streaming", {
        lakeRoot: dir,
        widgets: {
          kafka_bootstrap_servers: kafkaConfig.brokers.join(","),
          kafka_security: "PLAINTEXT",
          topic_prefix: kafkaConfig.topicPrefix,
          starting_offsets: "earliest",
          trigger: "available-now",
          event_time_zone: ZONE,
        },
        displayRows: 0,
      });

      const expected = expectedCounts([...records, ...odd]);
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
