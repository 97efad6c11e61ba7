/**
 * A partition added to a source topic while the sink runs: found within the consumer's metadata
 * age, read from its first record, its records in the lake exactly once (the audit agrees).
 */
import assert from "node:assert/strict";
import { FileLake } from "../../lib/lake/mod.ts";
import { auditLake, runSink } from "../../lib/sink/mod.ts";
import { INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { freshTopics } from "../_topics.ts";
import { order as orderEvent } from "../realtime/_events.ts";

Deno.test({
  name: "a partition added to a topic while the sink runs reaches the lake from its first record",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("sink-grow", { partitions: 1 });
    const topic = t.name("orders");
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const order = (id: string) => JSON.stringify(orderEvent(at, { event_id: id, order_id: id }));
    await withTempDir(async (dir) => {
      const lake = new FileLake(dir);
      const producer = t.kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ partition: 0, value: order("a1") }] });
      await producer.disconnect();
      const group = uniqueName("g");
      const stop = new AbortController();
      const running = runSink(t.config, {
        topics: [topic],
        group,
        lake,
        signal: stop.signal,
        flushSize: 1,
        commitIntervalMs: 0,
        metadataMaxAgeMs: 500,
      });
      const files = async () => (await lake.list("topics/")).map((e) => e.path);
      const until = async (n: number) => {
        for (let i = 0; i < 100 && (await files()).length < n; i++) {
          await new Promise((r) => setTimeout(r, 200));
        }
        return await files();
      };
      try {
        assert.equal((await until(1)).length, 1);
        const admin = t.kafka.admin();
        await admin.connect();
        await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });
        await admin.disconnect();
        // Written before the sink finds the partition.
        const late = t.kafka.producer();
        await late.connect();
        await late.send({
          topic,
          messages: [{ partition: 1, value: order("b1") }, { partition: 1, value: order("b2") }],
        });
        await late.disconnect();
        const stored = await until(3);
        assert.deepEqual(
          stored.map((p) => p.replace(/.*\+(\d+)\+(\d+)\.json$/, "$1+$2")).sort(),
          ["0+0000000000", "1+0000000000", "1+0000000001"],
        );
      } finally {
        stop.abort();
        assert.equal((await running).reason, "stopped");
      }
      const audit = await auditLake(t.kafka, lake, [topic], { group });
      assert.deepEqual(audit.problems, []);
      assert.equal(audit.topics.reduce((n, a) => n + a.lines, 0), 3);
    });
    await t.cleanup();
  },
});
