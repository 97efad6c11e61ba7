import assert from "node:assert/strict";
import {
  clientProperties,
  CONFIG_FLAG,
  KAFKA_TOOLS,
  kafkaToolArgs,
} from "../../lib/stack/kafka_tools.ts";
import type { KafkaConfig } from "../../lib/config/mod.ts";

const CLOUD: KafkaConfig = {
  brokers: ["pkc-1.westeurope.azure.confluent.cloud:9092"],
  ssl: true,
  topicPrefix: "",
  partitions: 6,
  local: false,
  sasl: { mechanism: "plain", username: "KEY", password: 'se"cr\\et' },
};

Deno.test("kafka tools: client properties carry the security settings, escaped", () => {
  assert.equal(
    clientProperties(CLOUD),
    [
      "security.protocol=SASL_SSL",
      "sasl.mechanism=PLAIN",
      // JAAS escapes \ and ", then .properties escapes \ again.
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="KEY" password="se\\\\"cr\\\\\\\\et";',
      "",
    ].join("\n"),
  );
  const scram = clientProperties({
    ...CLOUD,
    ssl: false,
    sasl: { mechanism: "scram-sha-512", username: "u", password: "p" },
  })!;
  assert.match(scram, /^security\.protocol=SASL_PLAINTEXT$/m);
  assert.match(scram, /^sasl\.mechanism=SCRAM-SHA-512$/m);
  assert.match(scram, /ScramLoginModule required username="u" password="p";/);
  assert.equal(clientProperties({ ...CLOUD, sasl: undefined }), "security.protocol=SSL\n");
  assert.equal(clientProperties({ ...CLOUD, sasl: undefined, ssl: false }), undefined);
});

Deno.test("kafka tools: the properties file goes in with each tool's own flag, once", async () => {
  assert.deepEqual(Object.keys(CONFIG_FLAG).sort(), Object.keys(KAFKA_TOOLS).sort());
  const topics = await kafkaToolArgs("topics", ["--list"], "/tmp/x.properties");
  assert.deepEqual(topics.slice(-2), ["--command-config", "/tmp/x.properties"]);
  const consumer = await kafkaToolArgs("console-consumer", ["--topic", "t"], "/tmp/x.properties");
  assert.deepEqual(consumer.slice(-2), ["--consumer.config", "/tmp/x.properties"]);
  const given = await kafkaToolArgs(
    "topics",
    ["--list", "--command-config", "mine.properties"],
    "/tmp/x.properties",
  );
  assert.ok(!given.includes("/tmp/x.properties"));
  assert.equal(given.filter((a) => a === "--command-config").length, 1);
  const local = await kafkaToolArgs("topics", ["--list"]);
  assert.ok(!local.some((a) => a.endsWith("-config") || a.endsWith(".config")));
});
