/**
 * Offsets asked while a partition's leader is being chosen: a KRaft broker that just started
 * answers "This server is not the leader for that topic-partition" until it has loaded its
 * topics, and kafkajs gives up at the first such answer (`stack up` followed at once by
 * `realtime --once` crashed with it).
 */
import assert from "node:assert/strict";
import {
  createKafka,
  ensureTopics,
  fetchOffsets,
  leaderMoving,
  produceRecords,
  topicName,
  topicsOffsets,
} from "../../lib/kafka/mod.ts";
import { replay } from "../../lib/realtime/mod.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { startService, stopService } from "../../lib/stack/mod.ts";
import { INTEGRATION } from "../_helpers.ts";
import { withOwnBroker } from "./_own_broker.ts";

/** An error as kafkajs's protocol errors carry it. */
const kafkaError = (type: string) => Object.assign(new Error(type), { type, retriable: true });

/** An admin whose offsets request fails with `errors` first, then answers. */
function flakyAdmin(errors: Error[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetchTopicOffsets(_topic: string) {
      const error = errors[calls++];
      if (error) return Promise.reject(error);
      return Promise.resolve([{ partition: 0, offset: "7", high: "7", low: "2" }]);
    },
  };
}

Deno.test("leaderMoving: only the answers of a leader election", () => {
  assert.equal(leaderMoving(kafkaError("NOT_LEADER_FOR_PARTITION")), true);
  assert.equal(leaderMoving(kafkaError("LEADER_NOT_AVAILABLE")), true);
  for (const other of ["UNKNOWN_TOPIC_OR_PARTITION", "TOPIC_AUTHORIZATION_FAILED", undefined]) {
    assert.equal(leaderMoving(kafkaError(String(other))), false, String(other));
  }
  for (const odd of [null, undefined, "NOT_LEADER_FOR_PARTITION", 6, {}]) {
    assert.equal(leaderMoving(odd), false, String(odd));
  }
});

Deno.test("fetchOffsets asks again while the leader is being chosen, and only then", async () => {
  const moving = flakyAdmin([
    kafkaError("NOT_LEADER_FOR_PARTITION"),
    kafkaError("LEADER_NOT_AVAILABLE"),
  ]);
  const offsets = await fetchOffsets(moving, "t");
  assert.equal(moving.calls, 3);
  assert.deepEqual(offsets.map((o) => [o.partition, o.low, o.high]), [[0, "2", "7"]]);

  const denied = flakyAdmin([kafkaError("TOPIC_AUTHORIZATION_FAILED")]);
  await assert.rejects(fetchOffsets(denied, "t"), /TOPIC_AUTHORIZATION_FAILED/);
  assert.equal(denied.calls, 1, "any other error is thrown at once");

  const stuck = flakyAdmin(Array(100).fill(kafkaError("NOT_LEADER_FOR_PARTITION")));
  await assert.rejects(fetchOffsets(stuck, "t", 250), /NOT_LEADER_FOR_PARTITION/);
  assert.ok(stuck.calls >= 2 && stuck.calls < 100, `${stuck.calls} calls in 250 ms`);
});

Deno.test({
  name: "right after a broker restart, offsets, ensureTopics and a replay wait for the leaders",
  ...INTEGRATION,
  async fn() {
    await withOwnBroker(async (config, broker) => {
      const kafka = createKafka(config.kafka);
      const start = new Date(Date.now() - 3600e3);
      // Ours and the original producers' (Berlin wall-clock times, no event_id) with heavy faults:
      // the replay right after the restart reads every one, counted or malformed.
      const records = [
        ...simulate({ seed: 5, events: 400, start }),
        ...simulate({
          seed: 6,
          events: 300,
          start,
          format: "original",
          zone: "Europe/Berlin",
          faults: "heavy",
        }),
      ];
      await produceRecords(kafka, config.kafka, records);
      const names = TOPICS.map((t) => topicName(config.kafka, t));
      const held = async () => {
        let n = 0;
        for (const offsets of (await topicsOffsets(kafka, names)).values()) {
          for (const o of offsets) n += o.high - o.low;
        }
        return n;
      };
      assert.equal(await held(), records.length);
      // A broker holding many partitions takes longer to load them after a start (the local
      // stack's holds hundreds): the window in which it answers "not the leader" widens.
      const admin0 = kafka.admin();
      await admin0.connect();
      await admin0.createTopics({
        topics: Array.from({ length: 60 }, (_, i) => ({ topic: `filler-${i}`, numPartitions: 4 })),
      });
      await admin0.disconnect();

      // No wait after the port opens: the broker is still loading its topics.
      await stopService(config, broker);
      await startService(config, broker, () => {});
      assert.equal(await held(), records.length, "offsets right after the restart");
      const { snapshot } = await replay(kafka, config.kafka);
      assert.equal(snapshot.totals.received, records.length, "a replay right after it");
      assert.ok(snapshot.totals.malformed > 0, "the faulty records were read and counted");

      await stopService(config, broker);
      await startService(config, broker, () => {});
      assert.deepEqual(await ensureTopics(kafka, config.kafka), [], "nothing to create");
      // ensureTopics returned once every topic is served: a plain kafkajs request succeeds.
      const admin = kafka.admin();
      await admin.connect();
      try {
        for (const name of names) {
          assert.equal((await admin.fetchTopicOffsets(name)).length, config.kafka.partitions);
        }
      } finally {
        await admin.disconnect();
      }
    });
  },
});
