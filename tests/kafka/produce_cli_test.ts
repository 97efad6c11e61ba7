/** The two CLIs agree: `produce` sends exactly the lines `simulate` writes, for the same flags. */
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { createKafka, readAll, topicName } from "../../lib/kafka/mod.ts";
import { TOPICS } from "../../lib/schema/mod.ts";
import { INTEGRATION, runTask, uniqueName, withTempDir } from "../_helpers.ts";

Deno.test({
  name: "deno task produce sends exactly the records deno task simulate writes for the same flags",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const flags = [
        "--seed",
        "5",
        "--events",
        "1500",
        "--start",
        "2026-11-20T00:00:00Z",
        "--span",
        "24h",
      ];
      const sim = await runTask("simulate", [...flags, "--out", dir]);
      assert.equal(sim.code, 0, sim.stderr);
      const prefix = `${uniqueName("cli")}.`;
      const produced = await runTask("produce", flags, { KAFKA_TOPIC_PREFIX: prefix });
      assert.equal(produced.code, 0, produced.stderr);
      assert.match(produced.stdout, /Sent 1500 of 1500 records .* 0 failed/);
      const config = loadConfig();
      config.kafka.topicPrefix = prefix;
      const read = await readAll(
        createKafka(config.kafka),
        TOPICS.map((t) => topicName(config.kafka, t)),
      );
      for (const topic of TOPICS) {
        const lines = (await Deno.readTextFile(`${dir}/${topic}.jsonl`)).split("\n").filter((l) =>
          l !== ""
        );
        const got = read.filter((r) => r.topic === topicName(config.kafka, topic));
        assert.equal(got.length, lines.length, topic);
        // Same multiset of lines, and within each partition the file's order.
        assert.deepEqual(got.map((r) => r.value).sort(), [...lines].sort(), topic);
        for (const partition of new Set(got.map((r) => r.partition))) {
          const inPartition = got.filter((r) => r.partition === partition).map((r) => r.value);
          const order = lines.filter((l) => inPartition.includes(l));
          assert.deepEqual(
            [...new Set(inPartition)],
            [...new Set(order)],
            `${topic}[${partition}] order`,
          );
        }
      }
    });
  },
});

Deno.test("produce rejects --events with --duration, and bad values, naming the flag", async () => {
  const both = await runTask("produce", ["--events", "10", "--duration", "10s"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--events and --duration/);
  const bad = await runTask("produce", ["--rate", "fast"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--rate/);
});
