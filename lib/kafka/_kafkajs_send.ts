/**
 * kafkajs's `producer/sendMessages.js` (2.2.4) with in-doubt batches looked for before they
 * are resent (`./_in_doubt.ts`), installed into kafkajs's own CommonJS modules like the
 * replacements in `./_kafkajs_fast.ts`. Everything else is kafkajs's logic, in its order:
 * group the messages per partition and leader, take the per-broker lock of the idempotent
 * producer, assign sequence numbers, send, roll the sequence numbers back on failure, and let
 * kafkajs's retrier try again (after refreshing metadata or reconnecting as kafkajs does). One
 * change: a refresh that fails there (no broker answers, mid-restart) no longer ends the retries
 * on their first try; the send's own retriable error goes to the retrier instead. And one fix: a
 * record for a partition the producer's metadata does not list (added to the topic since, or
 * none such) was left out of the request and the send resolved as if it had been written; it
 * now refreshes the metadata and retries, then fails naming the partition.
 *
 * The look-up applies to idempotent producers without a transactional id: a transactional
 * producer's state outlives a restart while its transaction is open, so the broker itself
 * recognises a resend there.
 *
 * kafkajs loads `sendMessages.js` with its entry point, so this applies only when this module
 * runs before `kafkajs` is first imported: `./_kafkajs.ts` imports it first.
 *
 * @module
 */
// kafkajs's sendMessages.js loads the message grouping: ours must be in place first.
import { installPlan, stockSetting } from "./_kafkajs_fast.ts";
import { createRequire } from "node:module";
import {
  type BatchHeader,
  InDoubtLedger,
  type LogReader,
  type PartitionResult,
  type TopicData,
} from "./_in_doubt.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = createRequire(import.meta.url);
const KAFKAJS = "kafkajs/src/";
const SEND_MESSAGES = require.resolve(`${KAFKAJS}producer/sendMessages.js`);
const MESSAGE_PRODUCER = require.resolve(`${KAFKAJS}producer/messageProducer.js`);

const READ_UNCOMMITTED = 0;
const LATEST = -1;
const EARLIEST = -2;
/** Bytes per read when looking for an in-doubt batch (the broker returns at least one batch). */
const READ_BYTES = 4 << 20;

/** Whether the replacement is in place (tests check it). */
export const installed = { sendMessages: false };

/** The headers of the record batches among decoded records (kafkajs keeps each batch's context). */
function batchHeaders(records: Any[]): BatchHeader[] {
  const headers: BatchHeader[] = [];
  let last = "";
  for (const { batchContext: b } of records) {
    if (!b || b.firstOffset === last) continue;
    last = b.firstOffset;
    headers.push({
      producerId: String(b.producerId),
      producerEpoch: b.producerEpoch,
      firstSequence: b.firstSequence,
      firstOffset: Number(b.firstOffset),
      lastOffset: Number(b.firstOffset) + b.lastOffsetDelta,
    });
  }
  return headers;
}

/** Reads a partition leader's log through a kafkajs broker connection. */
function brokerReader(broker: Any, logger: Any): LogReader {
  const offsets = async (
    partitions: Array<{ topic: string; partition: number }>,
    timestamp: number,
  ) => {
    const topics = [...new Set(partitions.map((p) => p.topic))].map((topic) => ({
      topic,
      partitions: partitions.filter((p) => p.topic === topic)
        .map(({ partition }) => ({ partition: Number(partition), timestamp })),
    }));
    const { responses } = await broker.listOffsets({
      isolationLevel: READ_UNCOMMITTED,
      topics,
    });
    const found = new Map<string, number>();
    for (const { topic, partitions } of responses) {
      for (const p of partitions) found.set(`${topic}\u0000${p.partition}`, Number(p.offset));
    }
    return partitions.map(({ topic, partition }) => found.get(`${topic}\u0000${partition}`)!);
  };
  const fetch = async (topic: string, partition: number, offset: number) => {
    const { responses } = await broker.fetch({
      isolationLevel: READ_UNCOMMITTED,
      maxWaitTime: 0,
      minBytes: 1,
      maxBytes: READ_BYTES,
      topics: [{
        topic,
        partitions: [{
          partition: Number(partition),
          fetchOffset: String(offset),
          maxBytes: READ_BYTES,
        }],
      }],
    });
    const data = responses[0].partitions[0];
    return { batches: batchHeaders(data.messages), end: Number(data.highWatermark) };
  };
  return {
    ends: (partitions) => offsets(partitions, LATEST),
    async read(topic, partition, offset) {
      try {
        return await fetch(topic, partition, offset);
      } catch (error) {
        if ((error as Any).type === "TOPIC_AUTHORIZATION_FAILED") {
          logger.warn("No permission to read the topic: a batch in doubt is sent again", {
            topic,
            partition,
          });
          return null;
        }
        if ((error as Error).name !== "KafkaJSOffsetOutOfRange") throw error;
        // Retention deleted the floor: read from what is left, or nothing if the log is shorter.
        const [start] = await offsets([{ topic, partition }], EARLIEST);
        const [end] = await offsets([{ topic, partition }], LATEST);
        return offset >= end ? { batches: [], end } : await fetch(topic, partition, start);
      }
    },
  };
}

/** kafkajs's modules this port uses. */
interface Deps {
  KafkaJSMetadataNotLoaded: Any;
  staleMetadata: (e: Any) => boolean;
  groupMessagesPerPartition: Any;
  createTopicData: Any;
  responseSerializer: Any;
}

/** What every Produce request of one `send` shares. */
interface SendContext {
  /** acks, timeout, compression. */
  request: { acks: number; timeout?: number; compression?: number };
  eosManager: Any;
  /** Null for a producer that is not idempotent, or transactional. */
  ledger: InDoubtLedger | null;
  deps: Deps;
  logger: Any;
}

/** One Produce request to one broker, under the idempotent producer's lock for that broker. */
async function produceTo(
  broker: Any,
  topicData: TopicData[],
  { request, eosManager, ledger, deps, logger }: SendContext,
): Promise<PartitionResult[]> {
  await eosManager.acquireBrokerLock(broker);
  try {
    if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData);
    const producer = {
      producerId: String(eosManager.getProducerId()),
      producerEpoch: eosManager.getProducerEpoch(),
    };
    const settled = ledger
      ? await ledger.settle(topicData, producer, brokerReader(broker, logger), eosManager)
      : [];
    for (const { topicName, partition, baseOffset } of settled) {
      logger.info("A batch in doubt is in the log already: not sent again", {
        topic: topicName,
        partition,
        offset: baseOffset,
      });
    }
    if (topicData.length === 0) return settled;
    for (const { topic, partitions } of topicData) {
      for (const entry of partitions) {
        entry.firstSequence = eosManager.getSequence(topic, entry.partition);
        eosManager.updateSequence(topic, entry.partition, entry.messages.length);
      }
    }
    let response;
    try {
      response = await broker.produce({
        transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
        producerId: eosManager.getProducerId(),
        producerEpoch: eosManager.getProducerEpoch(),
        ...request,
        topicData,
      });
    } catch (e) {
      for (const { topic, partitions } of topicData) {
        for (const entry of partitions) {
          eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
        }
      }
      ledger?.failed(topicData);
      throw e;
    }
    if (request.acks === 0) return [];
    const results: PartitionResult[] = deps.responseSerializer(response);
    ledger?.acknowledged(topicData, results);
    return [...settled, ...results];
  } finally {
    await eosManager.releaseBrokerLock(broker);
  }
}

/**
 * kafkajs's `sendMessages` factory, with the in-doubt look-up. Over 80 lines on purpose: it keeps
 * kafkajs's `producer/sendMessages.js` in its own order and shape, so the two read side by side
 * (a kafkajs upgrade is reviewed against it); the look-up itself is `produceTo` above.
 */
function createSendMessages(deps: Deps) {
  return ({ logger, cluster, partitioner, eosManager, retrier }: Any) => {
    let ledger: InDoubtLedger | undefined;
    // The producer id is known only after connect; a producer without one is not idempotent.
    const ledgerOf = () =>
      eosManager.getProducerId() === -1 || eosManager.isTransactional()
        ? null
        : (ledger ??= new InDoubtLedger());

    return ({ acks, timeout, compression, topicMessages }: Any) => {
      const responsePerBroker = new Map<Any, PartitionResult[] | null>();

      const createProducerRequests = async () => {
        const topicMetadata = new Map<string, Any>();
        await cluster.refreshMetadataIfNecessary();
        for (const { topic, messages } of topicMessages) {
          const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
          if (partitionMetadata.length === 0) {
            logger.debug("Producing to topic without metadata", {
              topic,
              targetTopics: Array.from(cluster.targetTopics),
            });
            throw new deps.KafkaJSMetadataNotLoaded("Producing to topic without metadata");
          }
          const messagesPerPartition = deps.groupMessagesPerPartition({
            topic,
            partitionMetadata,
            messages,
            partitioner,
          });
          const partitionsPerLeader = cluster.findLeaderForPartitions(
            topic,
            Object.keys(messagesPerPartition),
          );
          // kafkajs leaves a partition its metadata does not list out of the request, and the
          // send resolves with its records never written: ask for fresh metadata instead (a
          // partition added since), then fail naming it.
          const listed = new Set(Object.values(partitionsPerLeader).flat().map(Number));
          const unlisted = Object.keys(messagesPerPartition).filter((p) => !listed.has(Number(p)));
          if (unlisted.length > 0) {
            throw new deps.KafkaJSMetadataNotLoaded(
              `Producing to partition ${
                unlisted.join(", ")
              } of ${topic}, which has ${partitionMetadata.length} partition(s) in the metadata`,
            );
          }
          topicMetadata.set(topic, { partitionsPerLeader, messagesPerPartition });
          for (const nodeId of Object.keys(partitionsPerLeader)) {
            const broker = await cluster.findBroker({ nodeId });
            if (!responsePerBroker.has(broker)) responsePerBroker.set(broker, null);
          }
        }
        const brokers = [...responsePerBroker.keys()].filter((b) => !responsePerBroker.get(b));
        return brokers.map(async (broker) => {
          const topicData: TopicData[] = deps.createTopicData(
            [...topicMetadata.entries()]
              .filter(([_, { partitionsPerLeader }]) => !!partitionsPerLeader[broker.nodeId])
              .map(([topic, { partitionsPerLeader, messagesPerPartition }]) => ({
                topic,
                partitions: partitionsPerLeader[broker.nodeId],
                messagesPerPartition,
              })),
          );
          try {
            const request = { acks, timeout, compression };
            const context = { request, eosManager, ledger: ledgerOf(), deps, logger };
            responsePerBroker.set(broker, await produceTo(broker, topicData, context));
          } catch (e) {
            responsePerBroker.delete(broker);
            throw e;
          }
        });
      };

      return retrier(async (bail: Any, retryCount: number, retryTime: number) => {
        await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }: Any) => topic));
        try {
          await Promise.all(await createProducerRequests());
          return [...responsePerBroker.values()].flat();
        } catch (e: Any) {
          if (e.name === "KafkaJSConnectionClosedError") {
            cluster.removeBroker({ host: e.host, port: e.port });
          }
          if (!cluster.isConnected()) {
            logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, {
              retryCount,
              retryTime,
            });
            await refreshQuietly(() => cluster.connect().then(() => cluster.refreshMetadata()));
            throw e;
          }
          // Stale metadata: the number of partitions may have grown in the meantime.
          if (
            deps.staleMetadata(e) ||
            e.name === "KafkaJSMetadataNotLoaded" ||
            e.name === "KafkaJSConnectionError" ||
            e.name === "KafkaJSConnectionClosedError" ||
            (e.name === "KafkaJSProtocolError" && e.retriable)
          ) {
            logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime });
            await refreshQuietly(() => cluster.refreshMetadata());
            throw e;
          }
          logger.error(`${e.message}`, { retryCount, retryTime });
          if (e.retriable) throw e;
          bail(e);
        }
      });
    };
  };
}

/**
 * A metadata refresh after a failed send. kafkajs's refresh gives up at once (non-retriable)
 * when no broker answers, and thrown here it would end the send's retries on the first try of
 * a broker restart: the send's own (retriable) error is thrown instead, and the next try
 * refreshes again.
 */
async function refreshQuietly(refresh: () => Promise<unknown>): Promise<void> {
  try {
    await refresh();
  } catch { /* the broker is away: the retry after the wait refreshes again */ }
}

function install() {
  // Another release may send differently: leave it as it is (the tests then fail, asking for
  // this port to be checked against it; `./_kafkajs_fast.ts` has warned once). KAFKAJS_STOCK=1
  // means kafkajs as published, without the in-doubt look-up too.
  const plan = installPlan(require("kafkajs/package.json").version, stockSetting());
  if (!plan.install) return;
  const cache = require.cache as Record<string, Any>;
  if (cache[MESSAGE_PRODUCER]) return; // too late: kafkajs holds its own sendMessages already
  require(SEND_MESSAGES);
  cache[SEND_MESSAGES].exports = createSendMessages({
    KafkaJSMetadataNotLoaded: require(`${KAFKAJS}errors.js`).KafkaJSMetadataNotLoaded,
    staleMetadata: require(`${KAFKAJS}protocol/error.js`).staleMetadata,
    groupMessagesPerPartition: require(`${KAFKAJS}producer/groupMessagesPerPartition.js`),
    createTopicData: require(`${KAFKAJS}producer/createTopicData.js`),
    responseSerializer: require(`${KAFKAJS}producer/responseSerializer.js`),
  });
  installed.sendMessages = true;
}

install();
