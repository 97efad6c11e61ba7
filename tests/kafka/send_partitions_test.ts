/**
 * A record for a partition the producer's metadata does not list: kafkajs left it out of the
 * request and resolved the send as if it had been written. Our send (`_kafkajs_send.ts`) looks the
 * topic up again (a partition added since is then written) and fails naming a partition that does
 * not exist. On the real broker.
 */
import assert from "node:assert/strict";
import { produceRecords, readAll } from "../../lib/kafka/mod.ts";
import { INTEGRATION } from "../_helpers.ts";
import { addPartitions, freshTopics } from "../_topics.ts";

Deno.test({
  name: "a send to a partition added since the producer connected is written, to none fails",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("send-grow", { partitions: 1 });
    const topic = t.name("orders");
    const producer = t.kafka.producer({ retry: { retries: 2, initialRetryTime: 50 } });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ partition: 0, value: "a" }] });
      await addPartitions(t.kafka, topic, 2);
      const sent = await producer.send({ topic, messages: [{ partition: 1, value: "b" }] });
      assert.deepEqual(sent.map((r) => [r.partition, r.baseOffset]), [[1, "0"]]);
      const read = await readAll(t.kafka, [topic]);
      assert.deepEqual(read.map((r) => [r.partition, r.value]).sort(), [[0, "a"], [1, "b"]]);
      await assert.rejects(
        producer.send({ topic, messages: [{ partition: 7, value: "c" }] }),
        /partition 7 of .*orders, which has 2 partition\(s\)/,
      );
    } finally {
      await producer.disconnect();
      await t.cleanup();
    }
  },
});

for (const workers of [1, 0]) {
  Deno.test({
    name: `a long produce run (${workers ? "a producer thread" : "this thread"}) also fills ` +
      "partitions added to its topic meanwhile",
    ...INTEGRATION,
    async fn() {
      const t = await freshTopics(`produce-grow-${workers}`, { partitions: 1 });
      const topic = t.name("orders");
      const at = Date.now() - 3_600_000;
      const records = Array.from({ length: 300 }, (_, i) => ({
        topic: "orders" as const,
        key: `order_${i}`,
        value: JSON.stringify({ order_id: `order_${i}`, timestamp: new Date(at).toISOString() }),
        eventType: "order",
        timestamp: at,
      }));
      try {
        // 300 records at 200/s: the topic grows to 3 partitions half a second in.
        const grown = new Promise((r) => setTimeout(r, 500)).then(() =>
          addPartitions(t.kafka, topic, 3)
        );
        const stats = await produceRecords(t.kafka, t.kafkaConfig, records, {
          rate: 200,
          workers,
          metadataMaxAgeMs: 200,
        });
        await grown;
        assert.equal(stats.sent, 300);
        const read = await readAll(t.kafka, [topic]);
        assert.deepEqual(read.map((r) => String(r.key)).sort(), records.map((r) => r.key).sort());
        // Before, the run kept to the one partition it found at its start.
        const added = read.filter((r) => r.partition > 0).length;
        assert.ok(added > 50, `${added} records in the added partitions`);
      } finally {
        await t.cleanup();
      }
    },
  });
}
