/** Producing the simulation to a real broker, including one that restarts mid-run. */
import assert from "node:assert/strict";
import { type Config, loadConfig } from "../../lib/config/mod.ts";
import {
  createKafka,
  ensureTopics,
  highWatermarks,
  produceRecords,
  readAll,
  type ReadRecord,
  topicName,
} from "../../lib/kafka/mod.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { type SimRecord, simulate } from "../../lib/simulate/mod.ts";
import { services, startService, stopService } from "../../lib/stack/mod.ts";
import { INTEGRATION, uniqueName } from "../_helpers.ts";

const START = new Date("2026-11-20T00:00:00Z");

/** Per topic and key, the values in order: what "same records, same order per key" means. */
function byKey(records: Array<{ topic: string; key: string | null; value: string | null }>) {
  const out = new Map<string, string[]>();
  for (const r of records) {
    const k = `${r.topic}\u0000${r.key}`;
    let list = out.get(k);
    if (!list) out.set(k, list = []);
    list.push(r.value ?? "");
  }
  return out;
}

function expectSameRecords(config: Config, sent: SimRecord[], read: ReadRecord[]) {
  const expected = byKey(sent.map((r) => ({ ...r, topic: topicName(config.kafka, r.topic) })));
  const actual = byKey(read);
  assert.equal(read.length, sent.length, "record count");
  assert.equal(actual.size, expected.size, "key count");
  for (const [k, values] of expected) assert.deepEqual(actual.get(k), values, k);
}

Deno.test({
  name: "produce sends exactly the simulated records, in order per key, with headers",
  ...INTEGRATION,
  async fn() {
    const config = loadConfig();
    config.kafka.topicPrefix = `${uniqueName("produce")}.`;
    const kafka = createKafka(config.kafka);
    await ensureTopics(kafka, config.kafka);
    const records = [...simulate({ seed: 7, events: 3000, start: START })];
    const stats = await produceRecords(kafka, config.kafka, records, { batchSize: 250 });
    assert.equal(stats.sent, records.length);
    assert.equal(stats.failed, 0);
    const read = await readAll(kafka, TOPICS.map((t) => topicName(config.kafka, t)));
    expectSameRecords(config, records, read);
    const order = read.find((r) => r.topic.endsWith("orders") && r.value?.startsWith("{"))!;
    assert.equal(order.headers["schema-version"], "1");
    assert.equal(order.headers["event-type"], "order");
    assert.equal(order.key, JSON.parse(order.value!).order_id);
    // The Kafka record timestamp is the event time.
    const click = records.find((r) => r.topic === "clickstream")!;
    const clickRead = read.find((r) => r.value === click.value)!;
    assert.equal(clickRead.timestamp, click.timestamp);
  },
});

Deno.test({
  name: "the in-process path (no worker threads) sends the same records and counts per topic",
  ...INTEGRATION,
  async fn() {
    const config = loadConfig();
    config.kafka.topicPrefix = `${uniqueName("produce0")}.`;
    const kafka = createKafka(config.kafka);
    await ensureTopics(kafka, config.kafka);
    const records = [...simulate({ seed: 8, events: 2000, start: START })];
    const progress: number[] = [];
    const stats = await produceRecords(kafka, config.kafka, records, {
      workers: 0,
      batchSize: 300,
      progressEvery: 500,
      onProgress: (s) => progress.push(s.sent),
    });
    assert.equal(stats.sent, records.length);
    assert.equal(stats.failed, 0);
    for (const t of TOPICS) {
      assert.equal(stats.perTopic[t], records.filter((r) => r.topic === t).length, t);
    }
    assert.equal(progress.at(-1), records.length);
    assert.ok(progress.length >= 4, "progress every 500 records and at the end");
    expectSameRecords(
      config,
      records,
      await readAll(kafka, TOPICS.map((t) => topicName(config.kafka, t))),
    );
  },
});

Deno.test({
  name: "a broker stopped and restarted mid-run loses nothing and duplicates nothing",
  ...INTEGRATION,
  async fn() {
    // A broker of this test's own (another port, its own data folder), so the shared one keeps running.
    const dir = await Deno.makeTempDir({ prefix: "ecom-broker-" });
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const config = loadConfig({
      env: {
        ...Deno.env.toObject(),
        KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}`,
        LAKE_URL: `file://${dir}/lake`,
        DATA_DIR: dir,
      },
      dotenv: null,
    });
    const [broker] = services(config);
    try {
      await startService(config, broker, () => {});
      const kafka = createKafka(config.kafka);
      await ensureTopics(kafka, config.kafka);
      const records = [...simulate({ seed: 11, events: 20_000, start: START })];
      let restarted = false;
      const run = produceRecords(kafka, config.kafka, records, {
        rate: 4000,
        progressEvery: 1000,
        onProgress: (s) => {
          if (!restarted && s.sent >= 4000) {
            restarted = true;
            // Stop the broker for a few seconds while the producer keeps sending.
            (async () => {
              await stopService(config, broker);
              await new Promise((r) => setTimeout(r, 3000));
              await startService(config, broker, () => {});
            })();
          }
        },
      });
      const stats = await run;
      assert.ok(restarted, "the broker was restarted during the run");
      assert.equal(stats.sent, records.length);
      const names = TOPICS.map((t) => topicName(config.kafka, t));
      let logged = 0;
      for (const name of names) {
        for (const end of (await highWatermarks(kafka, name)).values()) logged += end;
      }
      assert.equal(logged, records.length, "records in the partition logs");
      expectSameRecords(config, records, await readAll(kafka, names));
    } finally {
      await stopService(config, broker);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
