/**
 * The sink's topic preparation, before any record is taken: the source topics must exist, the
 * DLQ topics are created when missing, no other sink may be alive in the group, and each
 * partition's low/high/committed offsets are read (the drain's end and the resume points).
 *
 * @module
 */
import type { Admin, Kafka } from "kafkajs";
import type { KafkaConfig } from "../config/mod.ts";
import { errorMessage, KafkaError, WorkspaceError } from "../errors.ts";
import { ConfigResourceTypes } from "../kafka/_kafkajs.ts";
import { dlqName } from "../kafka/client.ts";
import { partitionKey } from "../kafka/partition.ts";
import { fetchOffsets, missingTopic } from "../kafka/topics.ts";
import { sleep } from "../sleep.ts";
import { KAFKA_MAX_MESSAGE_BYTES, SINK_DEFAULTS, type SinkSettings } from "./options.ts";
import type { Position } from "./state.ts";

/** What the sink knows of its topics before it starts. */
export interface PreparedTopics {
  /** Per {@linkcode partitionKey}: offsets at start. */
  positions: Map<string, Position>;
  /** Largest record batch each DLQ topic takes. */
  dlqMaxBytes: Map<string, number>;
}

/** Hooks of {@linkcode prepareTopics}. */
export interface PrepareHooks {
  log: (line: string) => void;
  /** Aborted when the sink stops: the wait for another sink's member ends. */
  signal: AbortSignal;
}

/**
 * Checks the source topics, creates missing DLQ topics, checks the group has no live sink,
 * reads the DLQ limits and the positions. Kafka unreachable is a retriable `KafkaError`.
 */
export async function prepareTopics(
  kafka: Kafka,
  config: KafkaConfig,
  s: SinkSettings,
  hooks: PrepareHooks,
): Promise<PreparedTopics> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    // After a first metadata request: kafkajs finds the group coordinator in it (before one,
    // it waits a retry delay).
    await checkAlone(admin, s, hooks);
    const missing = missingTopic(config, s.topics, existing, {
      advice: "run `deno task stack up`, or check KAFKA_TOPIC_PREFIX and --topics",
    });
    if (missing) throw missing;
    await createDlqTopics(admin, config, s.topics.map(dlqName).filter((t) => !existing.has(t)));
    const dlqMaxBytes = await readDlqLimits(admin, s, hooks.log);
    return { positions: await readPositions(admin, s), dlqMaxBytes };
  } catch (error) {
    if (error instanceof WorkspaceError) throw error;
    throw new KafkaError(
      `Could not read topics from ${config.brokers.join(",")}: ${errorMessage(error)}`,
      { cause: error, retriable: true },
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function createDlqTopics(admin: Admin, config: KafkaConfig, dlqs: string[]) {
  if (dlqs.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: dlqs.map((topic) => ({
      topic,
      numPartitions: 1,
      replicationFactor: config.local ? 1 : 3,
    })),
  });
}

async function readPositions(admin: Admin, s: SinkSettings): Promise<Map<string, Position>> {
  const positions = new Map<string, Position>();
  const committed = await admin.fetchOffsets({ groupId: s.group, topics: s.topics });
  for (const topic of s.topics) {
    const offsets = await fetchOffsets(admin, topic);
    const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const o of offsets) {
      positions.set(partitionKey(topic, o.partition), {
        low: Number(o.low),
        high: Number(o.high),
        committed: Number(done.find((d) => d.partition === o.partition)?.offset ?? -1),
      });
    }
  }
  return positions;
}

/**
 * One sink process per group: a member of the group still there after a session timeout is
 * a live sink (a crashed one's member expires by then), so this one stops before any work.
 */
async function checkAlone(admin: Admin, s: SinkSettings, hooks: PrepareHooks) {
  const group = s.group;
  const deadline = Date.now() + Math.max(s.sessionTimeoutMs, SINK_DEFAULTS.sessionTimeoutMs) +
    5000;
  for (let first = true;; first = false) {
    const { groups } = await admin.describeGroups([group]);
    const members = groups.find((g) => g.groupId === group)?.members ?? [];
    if (members.length === 0) return;
    if (Date.now() >= deadline) {
      const m = members[0];
      throw new KafkaError(
        `Another sink is running in consumer group '${group}' (${m.clientId} on ${
          m.clientHost.replace(/^\//, "")
        }): one sink process per group. Stop it first, or give this one another --group`,
      );
    }
    if (first) {
      hooks.log(
        `consumer group '${group}' has a member (a sink still running, or one that just ` +
          `crashed); waiting for it to leave`,
      );
    }
    await sleep(500, hooks.signal);
    if (hooks.signal.aborted) return;
  }
}

/** Reads each DLQ topic's `max.message.bytes` (dead letters are sent in batches that fit). */
async function readDlqLimits(
  admin: Admin,
  s: SinkSettings,
  log: (line: string) => void,
): Promise<Map<string, number>> {
  const names = s.topics.map(dlqName);
  const limits = new Map(names.map((name) => [name, s.dlqMaxBytes ?? KAFKA_MAX_MESSAGE_BYTES]));
  if (s.dlqMaxBytes !== undefined) return limits;
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ["max.message.bytes"],
      })),
    });
    for (const r of described.resources) {
      const value = Number(
        r.configEntries.find((c) => c.configName === "max.message.bytes")?.configValue,
      );
      if (Number.isSafeInteger(value) && value > 0) limits.set(r.resourceName, value);
    }
  } catch (error) {
    log(
      `could not read the DLQ topics' max.message.bytes (${errorMessage(error)}); ` +
        `assuming Kafka's default`,
    );
  }
  return limits;
}
