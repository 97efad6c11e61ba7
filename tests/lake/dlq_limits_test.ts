/**
 * The dead-letter queue at its limits, on the real broker: more dead letters than the DLQ topic
 * takes in one batch, a DLQ that refuses them, a DLQ that goes away. The sink never wedges:
 * it sends what fits, or stops with the reason having committed nothing past the letters, and a
 * rerun once the DLQ is fixed loses nothing.
 */
import assert from "node:assert/strict";
import { parseLakeUrl } from "../../lib/config/mod.ts";
import { KafkaError } from "../../lib/errors.ts";
import { ConfigResourceTypes } from "../../lib/kafka/_kafkajs.ts";
import { dlqName } from "../../lib/kafka/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { auditLake, runSink } from "../../lib/sink/mod.ts";
import { INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { freshTopics, readRaw } from "../_topics.ts";
import { sleep } from "../../lib/sleep.ts";

/** Records of clickstream: `good` valid events, `bad` non-JSON values of about `size` bytes. */
function records(good: number, bad: number, size = 1000) {
  const now = Date.now() - 3_600_000;
  const every = bad > 0 ? Math.floor((good + bad) / bad) : Infinity;
  const out: Array<{ key: null; value: string; timestamp: string; bad: boolean }> = [];
  let bads = 0;
  for (let i = 0; i < good + bad; i++) {
    const isBad = bads < bad && (i % every === every - 1 || good + bad - i <= bad - bads);
    if (isBad) bads++;
    const value = isBad ? `not json ${i} ${"x".repeat(size)}` : JSON.stringify({
      event_id: `e${i}`,
      user_id: "u",
      timestamp: new Date(now + i).toISOString(),
    });
    out.push({ key: null, value, timestamp: String(now + i), bad: isBad });
  }
  return out;
}

async function committed(t: Awaited<ReturnType<typeof freshTopics>>, group: string, topic: string) {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return offsets.partitions.map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

Deno.test({
  name: "dead letters beyond the DLQ topic's max.message.bytes go out in several sends, each once",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("dlqsplit", {
      partitions: 1,
      dlqConfigs: { "max.message.bytes": String(64 * 1024) },
    });
    await withTempDir(async (dir) => {
      const config = { ...t.config, lake: parseLakeUrl(`file://${dir}`) };
      const lake = openLake(config.lake);
      try {
        const clicks = t.name("clickstream");
        const sent = records(100, 300);
        const producer = t.kafka.producer({ idempotent: true });
        await producer.connect();
        await producer.send({
          topic: clicks,
          acks: -1,
          messages: sent.map(({ bad: _, ...m }) => m),
        });
        await producer.disconnect();
        const group = uniqueName("g");
        // 300 letters of 1 KB: about 300 KB, where the DLQ takes 64 KB a batch.
        const result = await runSink(config, { once: true, group, lake, topics: [clicks] });
        assert.equal(result.reason, "drained");
        assert.equal(result.dlq, 300);
        assert.equal(result.records, 100);
        const letters = await readRaw(t.kafka, dlqName(clicks), 300);
        assert.equal(letters.length, 300);
        assert.equal(new Set(letters.map((m) => m.value!.toString())).size, 300);
        const audit = await auditLake(t.kafka, lake, [clicks], { group });
        assert.deepEqual(audit.problems, []);
      } finally {
        await lake.close();
        await t.cleanup();
      }
    });
  },
});

Deno.test({
  name:
    "a DLQ the broker refuses stops the sink at once with the reason; fixed, a rerun loses nothing",
  ...INTEGRATION,
  async fn() {
    // A compacted topic refuses records without a key: clickstream's dead letters have none.
    const t = await freshTopics("dlqrefuse", {
      partitions: 1,
      dlqConfigs: { "cleanup.policy": "compact" },
    });
    await withTempDir(async (dir) => {
      const config = { ...t.config, lake: parseLakeUrl(`file://${dir}`) };
      const lake = openLake(config.lake);
      try {
        const clicks = t.name("clickstream");
        const sent = records(50, 1);
        const badOffset = sent.findIndex((m) => m.bad);
        const producer = t.kafka.producer({ idempotent: true });
        await producer.connect();
        await producer.send({
          topic: clicks,
          acks: -1,
          messages: sent.map(({ bad: _, ...m }) => m),
        });
        await producer.disconnect();
        const group = uniqueName("g");
        const logs: string[] = [];
        const started = Date.now();
        await assert.rejects(
          () =>
            runSink(config, {
              once: true,
              group,
              lake,
              topics: [clicks],
              log: (l) => logs.push(l),
            }),
          (e: unknown) => {
            assert.ok(e instanceof KafkaError);
            assert.match(e.message, /^Could not send 1 dead letter\(s\) to .*clickstream\.dlq: /);
            assert.match(e.message, /nothing past the last commit was committed/);
            assert.match(e.message, /trying again cannot help/);
            assert.equal(e.retriable, false);
            return true;
          },
        );
        // At once: no retrying for minutes.
        assert.ok(Date.now() - started < 60_000, `${Date.now() - started} ms`);
        for (const offset of await committed(t, group, clicks)) assert.ok(offset <= badOffset);

        // The DLQ fixed: the rerun sends the letter and commits; the lake holds everything once.
        const admin = t.kafka.admin();
        await admin.connect();
        await admin.alterConfigs({
          validateOnly: false,
          resources: [{
            type: ConfigResourceTypes.TOPIC,
            name: dlqName(clicks),
            configEntries: [{ name: "cleanup.policy", value: "delete" }],
          }],
        });
        await admin.disconnect();
        const rerun = await runSink(config, { once: true, group, lake, topics: [clicks] });
        assert.equal(rerun.dlq, 1);
        const audit = await auditLake(t.kafka, lake, [clicks], { group });
        assert.deepEqual(audit.problems, []);
        assert.deepEqual(await committed(t, group, clicks), [sent.length]);
      } finally {
        await lake.close();
        await t.cleanup();
      }
    });
  },
});

Deno.test({
  name:
    "a DLQ that goes away is retried for maxCommitRetryMs, then the sink stops with nothing committed past it",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("dlqgone", { partitions: 1, dlqConfigs: {} });
    await withTempDir(async (dir) => {
      const config = { ...t.config, lake: parseLakeUrl(`file://${dir}`) };
      const lake = openLake(config.lake);
      try {
        const clicks = t.name("clickstream");
        const producer = t.kafka.producer({ idempotent: true });
        await producer.connect();
        const good = records(20, 0).map(({ bad: _, ...m }) => m);
        await producer.send({ topic: clicks, acks: -1, messages: good });
        const group = uniqueName("g");
        let stored = 0;
        const logs: string[] = [];
        const running = runSink(config, {
          group,
          lake,
          topics: [clicks],
          idleFlushMs: 200,
          progressEveryMs: 100,
          maxCommitRetryMs: 5000,
          retry: { initialDelayMs: 100, maxDelayMs: 500 },
          onProgress: (p) => (stored = p.records),
          log: (l) => logs.push(l),
        });
        const failed = running.then(() => null, (e) => e);
        const deadline = Date.now() + 60_000;
        while (
          (stored < 20 || (await committed(t, group, clicks))[0] < 20) && Date.now() < deadline
        ) {
          await sleep(100);
        }
        assert.equal((await committed(t, group, clicks))[0], 20);
        const admin = t.kafka.admin();
        await admin.connect();
        await admin.deleteTopics({ topics: [dlqName(clicks)] });
        await admin.disconnect();
        await producer.send({
          topic: clicks,
          acks: -1,
          messages: [{ key: null, value: "{not json", timestamp: String(Date.now()) }],
        });
        await producer.disconnect();
        const error = await failed;
        assert.ok(error instanceof KafkaError, String(error));
        assert.match(
          error.message,
          /^Could not send 1 dead letter\(s\) to .*clickstream\.dlq: .*; gave up after \d+ s of retries$/,
        );
        assert.ok(logs.some((l) => /commit failed .*; retrying/.test(l)), logs.join("\n"));
        assert.deepEqual(await committed(t, group, clicks), [20]);
      } finally {
        await lake.close();
        await t.cleanup();
      }
    });
  },
});
