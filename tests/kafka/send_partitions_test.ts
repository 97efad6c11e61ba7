/**
 * A record for a partition the producer's metadata does not list: kafkajs left it out of the
 * request and resolved the send as if it had been written. Our send (`_kafkajs_send.ts`) looks the
 * topic up again (a partition added since is then written) and fails naming a partition that does
 * not exist. On the real broker.
 */
import assert from "node:assert/strict";
import { readAll } from "../../lib/kafka/mod.ts";
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
