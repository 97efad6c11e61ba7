/**
 * Source topics that change under a running sink: a partition added (found within the consumer's
 * metadata age, read from its first record, its records in the lake exactly once: the audit
 * agrees), another producer's transaction left open (no lag: a read-committed consumer cannot
 * read past the last stable offset), and a topic deleted and made again (the sink stops with
 * the reason rather than skip the new log or overwrite the old one's files).
 */
import assert from "node:assert/strict";
import { FileLake } from "../../lib/lake/mod.ts";
import { auditLake, runSink } from "../../lib/sink/mod.ts";
import { logRestarted } from "../../lib/sink/intake.ts";
import { INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { addPartitions, freshTopics, openTransaction } from "../_topics.ts";
import { order as orderEvent } from "../realtime/_events.ts";

const AT = new Date(Date.now() - 3_600_000).toISOString();
/** One of our orders an hour ago, as a record value. */
const order = (id: string) => JSON.stringify(orderEvent(AT, { event_id: id, order_id: id }));

Deno.test({
  name: "a partition added to a topic while the sink runs reaches the lake from its first record",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("sink-grow", { partitions: 1 });
    const topic = t.name("orders");
    await withTempDir(async (dir) => {
      const lake = new FileLake(dir);
      const producer = t.kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ partition: 0, value: order("a1") }] });
      await producer.disconnect();
      const group = uniqueName("g");
      let dlq = 0;
      const stop = new AbortController();
      const running = runSink(t.config, {
        topics: [topic],
        group,
        lake,
        signal: stop.signal,
        flushSize: 1,
        commitIntervalMs: 0,
        metadataMaxAgeMs: 500,
        onProgress: (p) => (dlq = p.dlq),
        progressEveryMs: 100,
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
        await addPartitions(t.kafka, topic, 2);
        // Written before the sink finds the partition: ours, the original producers' (no
        // event_id, a wall-clock time) and a Python dict printed instead of JSON (the DLQ).
        const original = JSON.stringify({
          order_id: "order_orig",
          user_id: "user_7",
          timestamp: AT.slice(0, 19).replace("T", " "),
          items: [{ product_id: "prod_3", quantity: 1, price: 12.5 }],
          total_amount: 12.5,
          payment_method: "paypal",
          status: "completed",
        });
        const late = t.kafka.producer();
        await late.connect();
        await late.send({
          topic,
          messages: [order("b1"), original, "{'order_id': 'py'}"].map((value) => ({
            partition: 1,
            value,
          })),
        });
        await late.disconnect();
        const stored = await until(3);
        assert.deepEqual(
          stored.map((p) => p.replace(/.*\+(\d+)\+(\d+)\.json$/, "$1+$2")).sort(),
          ["0+0000000000", "1+0000000000", "1+0000000001"],
        );
        for (let i = 0; i < 100 && dlq < 1; i++) await new Promise((r) => setTimeout(r, 100));
        assert.equal(dlq, 1);
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

Deno.test({
  name:
    "a live sink's lag ends at the last stable offset: another producer's open transaction is no lag",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("sink-lso", { partitions: 1 });
    const topic = t.name("orders");
    const open = await openTransaction(t.kafka, "other-app");
    await withTempDir(async (dir) => {
      const producer = t.kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ partition: 0, value: order("a1") }] });
      // Three records of a transaction left open before the sink starts: its first fetch sees
      // them below the high watermark, past the last stable offset.
      await open.transaction.send({
        topic,
        messages: ["t1", "t2", "t3"].map((id) => ({ value: order(id) })),
      });
      let last: number | undefined;
      const stop = new AbortController();
      const running = runSink(t.config, {
        topics: [topic],
        group: uniqueName("g"),
        lake: new FileLake(dir),
        signal: stop.signal,
        flushSize: 1,
        commitIntervalMs: 0,
        progressEveryMs: 100,
        onProgress: (p) => (last = p.lag),
      });
      try {
        const files = async () => (await new FileLake(dir).list("topics/")).length;
        for (let i = 0; i < 100 && (await files()) < 1; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(await files(), 1);
        // A record sent now waits behind the open transaction too: unreadable, so no lag either.
        await producer.send({ topic, messages: [{ partition: 0, value: order("a2") }] });
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(last, 0);
      } finally {
        await producer.disconnect();
        stop.abort();
        await running;
      }
    });
    await open.close();
    await t.cleanup();
  },
});

Deno.test({
  name:
    "a topic deleted and made again under a running sink stops it with the reason; the lake keeps the old files",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("sink-remade", { partitions: 1 });
    const topic = t.name("orders");
    await withTempDir(async (dir) => {
      const lake = new FileLake(dir);
      const producer = t.kafka.producer();
      const admin = t.kafka.admin();
      await Promise.all([producer.connect(), admin.connect()]);
      await producer.send({
        topic,
        messages: ["a0", "a1", "a2", "a3"].map((id) => ({ value: order(id) })),
      });
      const stop = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const running = runSink(t.config, {
        topics: [topic],
        group: uniqueName("g"),
        lake,
        signal: stop.signal,
        flushSize: 1,
        commitIntervalMs: 0,
        metadataMaxAgeMs: 500,
      });
      const stored = async () => {
        const out: string[] = [];
        for (const e of await lake.list("topics/")) {
          const text = new TextDecoder().decode(await lake.get(e.path));
          out.push(`${e.path.replace(/.*\+/, "")} ${JSON.parse(text).event_id}`);
        }
        return out.sort();
      };
      try {
        for (let i = 0; i < 100 && (await stored()).length < 4; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const before = await stored();
        assert.equal(before.length, 4);
        await admin.deleteTopics({ topics: [topic] });
        for (let i = 0; i < 100 && (await admin.listTopics()).includes(topic); i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
        // The new log's offsets 0 and 1 name files that hold a0 and a1: the sink skipped them
        // silently before (its position was 4).
        await producer.send({ topic, messages: ["b0", "b1"].map((id) => ({ value: order(id) })) });
        // (Before, it went on without them: still running 30 s later.)
        const waited = new Promise((r) => timer = setTimeout(r, 30_000, "still running"));
        await assert.rejects(
          Promise.race([running, waited]),
          /orders partition 0 started again: its log ends at offset 2, below the 4/,
        );
        assert.deepEqual(await stored(), before);
      } finally {
        clearTimeout(timer);
        await Promise.all([producer.disconnect(), admin.disconnect()]);
        stop.abort();
        await running.catch(() => {});
      }
    });
    await t.cleanup();
  },
});

Deno.test("only a batch holding records below the position, past the log's end, is a restart", () => {
  const batch = (high: number, offsets: number[]) => ({
    topic: "orders",
    partition: 0,
    highWatermark: String(high),
    messages: offsets.map((o) => ({ offset: String(o) })) as never,
  });
  // The log made again: the consumer went back to its start, the log ends below the position.
  assert.match(
    logRestarted(batch(2, [0, 1]), 4)?.message ?? "",
    /orders partition 0 started again/,
  );
  // A new leader whose high watermark has not caught up yet: its fetch holds no records.
  assert.equal(logRestarted(batch(3, []), 4), null);
  // A fetch that came back before a seek applied: records below the position, the log goes on.
  assert.equal(logRestarted(batch(9, [2, 3, 4]), 4), null);
  // Records from the position on; a fresh partition (no position yet).
  assert.equal(logRestarted(batch(6, [4, 5]), 4), null);
  assert.equal(logRestarted(batch(2, [0, 1]), -1), null);
});
