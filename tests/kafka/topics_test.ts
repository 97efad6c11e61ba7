import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { createKafka, ensureTopics, pingKafka, topicName } from "../../lib/kafka/mod.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { INTEGRATION, uniqueName } from "../_helpers.ts";

Deno.test({
  name: "ensureTopics creates the four topics and their dead-letter topics once, under a prefix",
  ...INTEGRATION,
  async fn() {
    const base = loadConfig();
    const config = { ...base.kafka, topicPrefix: `${uniqueName("t")}.`, partitions: 2 };
    const kafka = createKafka(config);
    const created = await ensureTopics(kafka, config);
    assert.equal(created.length, 8);
    assert.ok(created.includes(`${config.topicPrefix}delivery-status.dlq`));
    assert.deepEqual(await ensureTopics(kafka, config), []);
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topicName(config, "orders")] });
    assert.equal(meta.topics[0].partitions.length, 2);
    await admin.deleteTopics({ topics: created });
    await admin.disconnect();
    assert.equal(TOPICS.length, 4);
  },
});

Deno.test({
  name: "pingKafka reports a broker that does not answer",
  ...INTEGRATION,
  async fn() {
    const config = loadConfig({ env: { KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1" }, dotenv: null });
    const health = await pingKafka(config.kafka, 500);
    assert.equal(health.healthy, false);
    assert.ok(health.error);
  },
});
