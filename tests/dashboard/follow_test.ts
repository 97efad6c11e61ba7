/**
 * The dashboard's Kafka reader against the real broker: a topic deleted under it shows in the
 * feed's status (its panels stand still), and clears once the topic is made again.
 */
import assert from "node:assert/strict";
import { followKafka } from "../../lib/dashboard/follow.ts";
import { LiveFeed } from "../../lib/dashboard/mod.ts";
import { createAggregator } from "../../lib/realtime/mod.ts";
import { INTEGRATION } from "../_helpers.ts";
import { freshTopics } from "../_topics.ts";

async function until(check: () => boolean, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return check();
}

Deno.test({
  name: "dashboard: a topic deleted under the live feed shows in its status until made again",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("dash-gone", { partitions: 1 });
    const feed = new LiveFeed(createAggregator());
    const stop = new AbortController();
    const reading = followKafka(feed, t.kafka, t.kafkaConfig, {
      signal: stop.signal,
      metadataMaxAgeMs: 300,
    });
    const admin = t.kafka.admin();
    await admin.connect();
    const orders = t.name("orders");
    try {
      assert.ok(await until(() => feed.status.state === "reading"));
      assert.equal(feed.status.gone, undefined);
      await admin.deleteTopics({ topics: [orders] });
      assert.ok(await until(() => feed.status.gone !== undefined), "the deletion shows");
      assert.deepEqual(feed.status, { state: "reading", gone: [orders] });
      await admin.createTopics({ topics: [{ topic: orders, numPartitions: 1 }] });
      assert.ok(await until(() => feed.status.gone === undefined), "and clears once made again");
      assert.deepEqual(feed.status, { state: "reading" });
    } finally {
      stop.abort();
      await reading;
      await admin.disconnect();
      await t.cleanup();
    }
  },
});
