/**
 * `realtime --once` never hangs, on the real broker: a partition emptied by `delete-records`
 * counts as read, and a consumer that crashes (a compression codec kafkajs lacks) ends the run
 * with the reason.
 */
import assert from "node:assert/strict";
import { KafkaError } from "../../lib/errors.ts";
import {
  CompressionCodecs,
  CompressionTypes,
  KafkaJSNonRetriableError,
} from "../../lib/kafka/_kafkajs.ts";
import { consumeInto, createAggregator } from "../../lib/realtime/mod.ts";
import { INTEGRATION, testConfig, uniqueName } from "../_helpers.ts";
import { freshTopics, runScript } from "../_topics.ts";

const click = (i: number, t: number) =>
  JSON.stringify({
    event_id: `c${i}`,
    event: "page_view",
    user_id: `user_${i % 7}`,
    timestamp: new Date(t).toISOString(),
    page: "home_page",
    referrer: "direct",
    device: "mobile",
    session_id: `s${i % 5}`,
  });

Deno.test({
  name: "realtime --once ends at each partition's high watermark, records deleted or not",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("rtdeleted", { partitions: 2 });
    try {
      const clicks = t.name("clickstream");
      const t0 = Date.now() - 3_600_000;
      const producer = t.kafka.producer({ idempotent: true });
      await producer.connect();
      for (const partition of [0, 1]) {
        await producer.send({
          topic: clicks,
          acks: -1,
          messages: Array.from({ length: 100 }, (_, i) => ({
            partition,
            key: null,
            value: click(partition * 1000 + i, t0 + i * 1000),
            timestamp: String(t0 + i * 1000),
          })),
        });
      }
      await producer.disconnect();
      // Partition 0 emptied: its high watermark is 100, and it holds nothing.
      const admin = t.kafka.admin();
      await admin.connect();
      await admin.fetchTopicOffsets(clicks); // kafkajs finds the partition leaders in its metadata
      await admin.deleteTopicRecords({
        topic: clicks,
        partitions: [{ partition: 0, offset: "-1" }],
      });
      const offsets = await admin.fetchTopicOffsets(clicks);
      await admin.disconnect();
      assert.deepEqual(offsets.map((o) => [o.partition, o.low, o.high]).sort(), [
        [0, "100", "100"],
        [1, "0", "100"],
      ]);
      const agg = createAggregator();
      const stats = await consumeInto(t.kafka, t.kafkaConfig, agg, {
        once: true,
        fromBeginning: true,
      });
      assert.equal(stats.records, 100);
      assert.equal(agg.snapshot().totals.accepted, 100);
      // The CLI too: it prints the snapshot and exits.
      const cli = await runScript("realtime", ["--once", "--from-beginning", "--json"], {
        KAFKA_TOPIC_PREFIX: t.kafkaConfig.topicPrefix,
      });
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(JSON.parse(cli.stdout).totals.received, 100);
    } finally {
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a real-time consumer that crashes ends --once with the reason",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("rtcrash", { partitions: 1 });
    const codecs = CompressionCodecs as Record<number, unknown>;
    const snappy = codecs[CompressionTypes.Snappy];
    try {
      const clicks = t.name("clickstream");
      // Kafka's own producer, Snappy-compressed, read by a kafkajs without that codec (as kafkajs
      // comes: lib/kafka adds it), whose fetch then fails for good.
      const lines = Array.from({ length: 20 }, (_, i) => click(i, Date.now() - 60_000 + i)).join(
        "\n",
      );
      const produced = await runScript(
        "kafka",
        ["console-producer", "--topic", clicks, "--compression-codec", "snappy"],
        {},
        lines + "\n",
      );
      assert.equal(produced.code, 0, produced.stderr);
      codecs[CompressionTypes.Snappy] = () => {
        throw new KafkaJSNonRetriableError("Snappy compression not implemented");
      };
      await assert.rejects(
        () =>
          consumeInto(t.kafka, t.kafkaConfig, createAggregator(), {
            once: true,
            fromBeginning: true,
          }),
        (e: unknown) =>
          e instanceof KafkaError &&
          e.message === "The real-time consumer stopped: Snappy compression not implemented",
      );
    } finally {
      codecs[CompressionTypes.Snappy] = snappy;
      await t.cleanup();
    }
  },
});

Deno.test({
  name:
    "realtime on topics that do not exist names the first missing one and exits 1, in every mode",
  ...INTEGRATION,
  async fn() {
    const prefix = `${uniqueName("absent")}.`;
    for (const args of [["--once"], ["--once", "--from-beginning"], ["--duration", "3s"]]) {
      const out = await runScript("realtime", args, { KAFKA_TOPIC_PREFIX: prefix });
      assert.equal(out.code, 1, `${args.join(" ")}: ${out.stderr}`);
      assert.equal(
        out.stderr.trim().split("\n").at(-1),
        `error: Topic '${prefix}clickstream' does not exist on ${
          testConfig().kafka.brokers.join(",")
        } ` +
          "(`deno task produce` creates the topics; or check KAFKA_TOPIC_PREFIX)",
        args.join(" "),
      );
    }
  },
});
