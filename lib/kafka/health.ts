/** Is the Kafka cluster reachable? */
import type { KafkaConfig } from "../config/mod.ts";
import { errorMessage } from "../errors.ts";
import { createKafka } from "./client.ts";

/** What {@linkcode pingKafka} found. */
export interface KafkaHealth {
  healthy: boolean;
  brokers: number;
  controller: number | null;
  clusterId?: string;
  topics: string[];
  error?: string;
}

/** Asks the cluster for its metadata (brokers, controller, topics) within `timeoutMs`. */
export async function pingKafka(config: KafkaConfig, timeoutMs = 1500): Promise<KafkaHealth> {
  const admin = createKafka(config, { connectionTimeout: timeoutMs, retry: { retries: 0 } })
    .admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith("__")).sort();
    return {
      healthy: cluster.brokers.length > 0,
      brokers: cluster.brokers.length,
      controller: cluster.controller,
      clusterId: cluster.clusterId,
      topics,
    };
  } catch (error) {
    return { healthy: false, brokers: 0, controller: null, topics: [], error: errorMessage(error) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
