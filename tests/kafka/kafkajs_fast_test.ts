/**
 * The faster Produce request encoder and message grouping installed into kafkajs write exactly
 * what kafkajs's own code writes (unit tests, no broker; the produce tests run it against Kafka).
 */
import {
  crc32c,
  fastProduceRequest,
  installed,
  kafkajsProduceRequest,
} from "../../lib/kafka/_kafkajs_fast.ts";
import { createKafka } from "../../lib/kafka/mod.ts";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const require = createRequire(import.meta.url);
const Long = require("kafkajs/src/utils/long.js");
const { Types } = require("kafkajs/src/protocol/message/compression/index.js");

// deno-lint-ignore no-explicit-any
async function bytes(build: any, args: object): Promise<Uint8Array> {
  const encoder = await build(args).encode();
  return new Uint8Array(encoder.buffer);
}

const T0 = Date.UTC(2026, 10, 26);

function request(messages: object[], extra: object = {}) {
  return {
    acks: -1,
    timeout: 30000,
    topicData: [
      { topic: "clickstream", partitions: [{ partition: 0, firstSequence: 7, messages }] },
      {
        topic: "orders-ü",
        partitions: [
          { partition: "2", messages: messages.slice(0, 2) },
          { partition: 1, firstSequence: 2 ** 31 - 1, messages: messages.slice(1) },
        ],
      },
    ],
    ...extra,
  };
}

const MESSAGES = [
  {
    key: "user_1",
    value: '{"event_id":"a"}',
    timestamp: String(T0 + 5),
    headers: { "event-type": Buffer.from("page_view"), "schema-version": Buffer.from("1") },
  },
  { key: null, value: "x".repeat(300), timestamp: String(T0) },
  { key: Buffer.from([0, 1, 2]), value: null, timestamp: String(T0 + 100_000) },
  {
    key: "ключ",
    value: "värde 🚀".repeat(40),
    timestamp: String(T0 - 3),
    headers: { a: ["1", "2"] },
  },
  { key: "k", value: "v".repeat(70_000), timestamp: T0 + 1 },
];

Deno.test("kafkajs fast paths: installed when imported before kafkajs", () => {
  assert.ok(installed.request);
  assert.ok(installed.grouping);
  assert.notStrictEqual(fastProduceRequest(), kafkajsProduceRequest());
  assert.ok(createKafka); // the client goes through ../../lib/kafka/_kafkajs.ts
});

Deno.test("kafkajs fast paths: CRC-32C check value", () => {
  assert.deepStrictEqual(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  const data = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
  const original = require("kafkajs/src/protocol/recordBatch/crc32C/index.js");
  for (const [start, end] of [[0, 1000], [3, 997], [5, 12], [0, 0]]) {
    assert.deepStrictEqual(
      crc32c(data, start, end),
      original(Buffer.from(data.subarray(start, end))),
    );
  }
});

Deno.test("kafkajs fast paths: Produce request bytes equal kafkajs's", async () => {
  const cases: Array<[string, object]> = [
    ["idempotent", request(MESSAGES, { producerId: Long.fromNumber(4242), producerEpoch: 3 })],
    [
      "transactional",
      request(MESSAGES, {
        transactionalId: "sink-ü",
        producerId: Long.fromNumber(2 ** 40),
        producerEpoch: 1,
      }),
    ],
    ["defaults", request(MESSAGES.slice(0, 3))],
    ["one message, an empty partition", request(MESSAGES.slice(1, 2))],
    ["no timestamps", request(MESSAGES.map(({ timestamp: _, ...m }) => m))],
  ];
  // A partition without timestamps takes the clock's: one fixed clock for both encoders.
  const clock = Date.now;
  Date.now = () => T0 + 42;
  try {
    for (const [name, args] of cases) {
      const ours = await bytes(fastProduceRequest(), args);
      const theirs = await bytes(kafkajsProduceRequest(), args);
      assert.deepStrictEqual(ours.length, theirs.length, name);
      assert.deepStrictEqual(ours, theirs, name);
    }
  } finally {
    Date.now = clock;
  }
});

Deno.test("kafkajs fast paths: kafkajs encodes what ours leaves to it", async () => {
  const unusual = [
    { key: "k", value: "v", timestamp: String(T0), headers: { n: null } }, // kafkajs throws
    { key: 5, value: "v", timestamp: String(T0) },
  ];
  for (const message of unusual) {
    const args = request([message]);
    const ours = await bytes(fastProduceRequest(), args).catch((e) => e.constructor.name);
    const theirs = await bytes(kafkajsProduceRequest(), args).catch((e) => e.constructor.name);
    assert.deepStrictEqual(ours, theirs);
  }
  const gzip = request(MESSAGES.slice(0, 2), { compression: Types.GZIP });
  // gzip output carries no clock: equal bytes here too.
  assert.deepStrictEqual(
    await bytes(fastProduceRequest(), gzip),
    await bytes(kafkajsProduceRequest(), gzip),
  );
});

Deno.test("kafkajs fast paths: messages grouped per partition as kafkajs groups them", () => {
  const ours = require("kafkajs/src/producer/groupMessagesPerPartition.js");
  const path = require.resolve("kafkajs/src/producer/groupMessagesPerPartition.js");
  const saved = require.cache[path];
  delete require.cache[path];
  const theirs = require(path);
  require.cache[path] = saved;
  assert.notStrictEqual(ours, theirs);
  const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: "v", n: i }));
  const args = {
    topic: "t",
    partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }],
    messages,
    partitioner: ({ message }: { message: { n: number } }) => (message.n * 7) % 3,
  };
  assert.deepStrictEqual(ours(args), theirs(args));
  assert.deepStrictEqual(
    ours({ ...args, partitionMetadata: [] }),
    theirs({ ...args, partitionMetadata: [] }),
  );
});
