/**
 * Poison and drift through the whole pipeline, on the real broker and Azurite: records of every
 * class the raw rule rejects (with odd headers), the original producers' format, type drift,
 * mixed with good records. Afterwards the lake holds exactly the valid ones, the DLQ each bad
 * one with its reason and its headers, real-time counts them malformed, and NRT quarantines the
 * drifting ones alone while the rest reach silver.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { KafkaMessage } from "kafkajs";
import { parseLakeUrl } from "../../lib/config/mod.ts";
import { dlqName, produceRecords } from "../../lib/kafka/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { auditLake, DLQ_EXTRA_HEADERS, DLQ_HEADERS, runSink } from "../../lib/sink/mod.ts";
import { NrtDb, runNrt } from "../../lib/nrt/mod.ts";
import { consumeInto, createAggregator, type Outcome } from "../../lib/realtime/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { azuriteUrl, INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { freshTopics, readRaw, runScript } from "../_topics.ts";

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
/** A value nesting lists `levels` deep (an event holding it nests once more). */
const nest = (levels: number): unknown => levels === 0 ? 1 : [nest(levels - 1)];

Deno.test({
  name: "poison goes to the DLQ with its reason and headers, drift to the quarantine, the rest on",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("poison", {
      partitions: 1,
      // The source topics take a 1.2 MB record; the DLQ keeps Kafka's 1 MiB default.
      configs: { "max.message.bytes": String(2 * 1024 * 1024) },
    });
    const url = azuriteUrl("poison");
    const config = { ...t.config, lake: parseLakeUrl(url) };
    const env = {
      KAFKA_TOPIC_PREFIX: t.kafkaConfig.topicPrefix,
      LAKE_URL: url,
    };
    const lake = openLake(config.lake);
    try {
      // Good records of our format, a few hours back.
      const start = new Date(Date.now() - 30 * HOUR);
      const sim = [...simulate({ seed: 12, events: 400, faults: "none", start, span: 4 * HOUR })];
      await produceRecords(t.kafka, t.kafkaConfig, sim);
      const t0 = Date.now() - 29 * HOUR;
      const orders = t.name("orders");
      const producer = t.kafka.producer({ idempotent: true });
      await producer.connect();
      const order = (id: string, extra: Record<string, unknown> = {}) =>
        JSON.stringify({
          event_id: id,
          order_id: id,
          user_id: "user_1",
          timestamp: iso(t0),
          items: [{ product_id: "prod_1", quantity: 2, price: 5 }],
          total_amount: 10,
          payment_method: "paypal",
          status: "completed",
          session_id: null,
          ...extra,
        });
      const poison: Array<{ value: string | Buffer | null; headers?: object; errorClass: string }> =
        [
          { value: "[1]", errorClass: "NotAnObject" },
          { value: "42", errorClass: "NotAnObject" },
          { value: "null", errorClass: "NotAnObject" },
          { value: '"text"', errorClass: "NotAnObject" },
          { value: '{\n  "order_id": "multi"\n}', errorClass: "MultilineJson" },
          {
            value: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
            errorClass: "InvalidUtf8",
          },
          { value: null, errorClass: "EmptyValue" },
          { value: order("big", { pad: "x".repeat(1_200_000) }), errorClass: "TooLarge" },
          {
            value: "{'order_id': 'o-py'}",
            headers: { bin: Buffer.from([0xff, 0x00, 0x80]), many: ["a", Buffer.from([1])] },
            errorClass: "InvalidJson",
          },
          {
            value: "not json",
            headers: { "event-type": "order", [DLQ_HEADERS.topic]: "someone-else" },
            errorClass: "InvalidJson",
          },
          // Half a surrogate pair, escaped: JSON to JavaScript, a file no JSON-lines reader takes.
          { value: order("lone", { user_id: "user_\ud800" }), errorClass: "LoneSurrogate" },
          // Nested past 1,000 levels: Spark's JSON reader refuses the line.
          { value: order("deep", { extra: nest(1001) }), errorClass: "TooDeep" },
        ];
      const drift = [
        order("drift-amount", { total_amount: "12.50" }),
        order("drift-items", { items: { product_id: "prod_1" } }),
      ];
      // The original producers' format (no event_id, local wall-clock time): a valid raw record.
      const original = JSON.stringify({
        order_id: "order_1",
        user_id: "user_7",
        timestamp: "2026-11-20 10:15:30",
        items: [{ product_id: "prod_3", quantity: 1, price: 12.5 }],
        total_amount: 12.5,
        payment_method: "paypal",
        status: "completed",
      });
      await producer.send({
        topic: orders,
        acks: -1,
        messages: [
          ...poison.map((p, i) => ({
            key: `p${i}`,
            value: p.value,
            headers: p.headers as never,
            timestamp: String(t0),
          })),
          ...drift.map((value) => ({ key: "d", value, timestamp: String(t0) })),
          { key: "order_1", value: original, timestamp: String(t0) },
          { key: "good", value: order("good-after"), timestamp: String(t0) },
          // A producer sending the lines of a file with their line ends: valid records.
          { key: "nl", value: order("line-end-lf") + "\n", timestamp: String(t0) },
          { key: "crlf", value: "\r\n" + order("line-end-crlf") + " \r\n", timestamp: String(t0) },
          // A Windows tool's byte-order mark: not part of the record, nor of its lake line.
          { key: "bom", value: "\uFEFF" + order("byte-order-mark"), timestamp: String(t0) },
        ],
      });
      await producer.disconnect();
      // A header without a value (null): kafkajs cannot send one, Kafka's console producer can.
      const console = await runScript(
        "kafka",
        [
          "console-producer",
          "--topic",
          orders,
          "--property",
          "parse.headers=true",
          "--property",
          "parse.key=true",
          "--property",
          "null.marker=NULL",
        ],
        env,
        "trace:NULL,event-type:order\tnull-header\tnot json either\n",
      );
      assert.equal(console.code, 0, console.stderr);
      const bad = poison.length + 1;

      // The sink: every valid record in the lake exactly once, every bad one in the DLQ.
      const group = uniqueName("g");
      const result = await runSink(config, { once: true, group, lake, flushSize: 50 });
      assert.equal(result.reason, "drained");
      assert.equal(result.dlq, bad);
      assert.equal(result.records, sim.length + drift.length + 5);
      const audit = await auditLake(t.kafka, lake, t.topics, { group });
      assert.deepEqual(audit.problems, []);
      // Their lines in the lake: the object alone (a line end inside a line would break the file).
      const orderLines = new Set<string>();
      for (const { path } of await lake.list(`topics/${orders}/`)) {
        const text = new TextDecoder().decode(await lake.get(path));
        for (const line of text.split("\n")) orderLines.add(line);
      }
      assert.ok(orderLines.has(order("line-end-lf")));
      assert.ok(orderLines.has(order("line-end-crlf")));
      assert.ok(orderLines.has(order("byte-order-mark")), "the line without the mark");

      const letters = await readRaw(t.kafka, dlqName(orders), bad);
      assert.equal(letters.length, bad);
      const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();
      const byKey = new Map(letters.map((m) => [m.key?.toString() ?? "", m]));
      for (const [i, p] of poison.entries()) {
        const letter = byKey.get(`p${i}`)!;
        assert.ok(letter, `p${i} in the DLQ`);
        assert.equal(header(letter, DLQ_HEADERS.errorClass), p.errorClass, `p${i}`);
        assert.equal(header(letter, DLQ_HEADERS.topic), orders);
        assert.equal(header(letter, DLQ_HEADERS.connector), group);
        if (p.errorClass !== "TooLarge" && p.value !== null) {
          assert.deepEqual(Buffer.from(letter.value!), Buffer.from(p.value as string));
        }
      }
      // Binary headers byte for byte, lists kept, ours not spoofed.
      const py = byKey.get("p8")!;
      assert.deepEqual([...(py.headers!.bin as Buffer)], [0xff, 0x00, 0x80]);
      assert.deepEqual((py.headers!.many as Buffer[]).map((b) => [...b]), [[0x61], [1]]);
      const spoofed = byKey.get("p9")!;
      assert.equal(header(spoofed, DLQ_HEADERS.topic), orders);
      assert.equal(header(spoofed, "event-type"), "order");
      // A null header: sent as an empty value, its name listed.
      const nulls = byKey.get("null-header")!;
      assert.equal(header(nulls, "trace"), "");
      assert.equal(header(nulls, "event-type"), "order");
      assert.equal(header(nulls, DLQ_EXTRA_HEADERS.nullHeaders), '["trace"]');
      // Too large for the DLQ topic as it is: cut to fit, the size it had named.
      const big = byKey.get("p7")!;
      assert.equal(
        Number(header(big, DLQ_EXTRA_HEADERS.truncatedFrom)),
        order("big", { pad: "x".repeat(1_200_000) }).length,
      );
      assert.ok(big.value!.length < 1024 * 1024);
      assert.equal(
        header(big, DLQ_HEADERS.message),
        `Value is ${
          order("big", { pad: "x".repeat(1_200_000) }).length
        } bytes, over the limit of 1048576`,
      );

      // Real time: each bad record is malformed.
      const outcomes = new Map<string, Outcome>();
      await consumeInto(t.kafka, t.kafkaConfig, createAggregator(), {
        once: true,
        fromBeginning: true,
        onRecord: (r) => {
          if (r.topic === "orders") outcomes.set(`${r.offset}`, r.outcome);
        },
      });
      const poisonOffsets = letters.map((m) => header(m, DLQ_HEADERS.offset)!);
      for (const offset of poisonOffsets) assert.equal(outcomes.get(offset), "malformed", offset);
      const malformed = [...outcomes.values()].filter((o) => o === "malformed").length;
      assert.equal(malformed, poisonOffsets.length, "the records with line ends are not malformed");

      // NRT: the drifting orders are quarantined alone, the rest reaches silver; --full too.
      await withTempDir(async (dir) => {
        for (const full of [false, true]) {
          const run = await runNrt({ config, lake, workDir: dir, full });
          assert.equal(run.quarantine.total, 2);
          const db = await NrtDb.open({ path: `${dir}/nrt.duckdb`, workDir: dir });
          try {
            const q = await db.rows<{ topic: string; reason: string; record: string }>(
              "SELECT topic, reason, record FROM quarantine ORDER BY reason",
            );
            assert.deepEqual(q.map((r) => [r.topic, r.reason]), [
              ["orders", "items: expected a list, got an object"],
              ["orders", 'total_amount: expected a number, got a string "12.50"'],
            ]);
            const ids = await db.rows<{ event_id: string }>(
              "SELECT event_id FROM silver.orders WHERE event_id IN ('good-after', 'drift-amount', 'drift-items', 'line-end-lf', 'line-end-crlf', 'byte-order-mark') ORDER BY event_id",
            );
            assert.deepEqual(ids.map((r) => r.event_id), [
              "byte-order-mark",
              "good-after",
              "line-end-crlf",
              "line-end-lf",
            ]);
            const simOrders = sim.filter((r) => r.topic === "orders")
              .map((r) => `'${JSON.parse(r.value).event_id}'`);
            const found = Number(
              await db.value(
                `SELECT count(*) FROM silver.orders WHERE event_id IN (${simOrders.join(", ")})`,
              ),
            );
            assert.ok(simOrders.length > 0);
            assert.equal(found, simOrders.length);
          } finally {
            db.close();
          }
        }
      });
      assert.equal((await lake.list("quarantine/")).length, 1);
    } finally {
      for (const { path } of await lake.list("")) await lake.delete(path).catch(() => {});
      await lake.close();
      await t.cleanup();
    }
  },
});
