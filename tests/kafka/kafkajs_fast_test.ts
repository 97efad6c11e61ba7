/**
 * The faster Produce request encoder and message grouping installed into kafkajs write exactly
 * what kafkajs's own code writes (unit tests, no broker; the produce tests run it against Kafka).
 */
import {
  crc32c,
  fastProduceRequest,
  fastRecordBatchDecode,
  installed,
  kafkajsProduceRequest,
  kafkajsRecordBatchDecoder,
} from "../../lib/kafka/_kafkajs_fast.ts";
import { createKafka } from "../../lib/kafka/mod.ts";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { asKafkajs } from "./_records.ts";

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
  assert.ok(installed.decoder);
  assert.notStrictEqual(fastRecordBatchDecode(), kafkajsRecordBatchDecoder());
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

const Decoder = require("kafkajs/src/protocol/decoder.js");
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js");
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js");

/** One record batch as the broker stores it, encoded by kafkajs itself. */
async function batchBytes(
  messages: Array<{ key?: unknown; value?: unknown; timestamp: number; headers?: object }>,
  options: object = {},
): Promise<Buffer> {
  const first = messages[0].timestamp;
  const records = messages.map((m, i) =>
    Record({ ...m, offsetDelta: i, timestampDelta: m.timestamp - first })
  );
  const encoder = await RecordBatch({
    records,
    firstTimestamp: first,
    maxTimestamp: Math.max(...messages.map((m) => m.timestamp)),
    lastOffsetDelta: records.length - 1,
    ...options,
  });
  return encoder.buffer;
}

// deno-lint-ignore no-explicit-any
async function decodeBoth(bytes: Buffer): Promise<[any, any]> {
  const run = (decode: (d: unknown) => Promise<unknown>) =>
    decode(new Decoder(bytes)).catch((e: Error) => `${e.name}: ${e.message}`);
  return [asKafkajs(await run(fastRecordBatchDecode())), await run(kafkajsRecordBatchDecoder())];
}

Deno.test("kafkajs fast paths: record batches decode to what kafkajs decodes", async () => {
  const messages = [
    {
      key: "user_1",
      value: '{"a":1}',
      timestamp: T0,
      headers: { "event-type": "page_view", "schema-version": "1" },
    },
    { key: null, value: "x".repeat(300), timestamp: T0 + 70_000 },
    { key: "k", value: null, timestamp: T0 - 5, headers: { dup: ["1", "2", "3"], "ключ": "ü" } },
    { key: Buffer.from([0, 255]), value: "v".repeat(20_000), timestamp: T0 + 2 ** 40 },
    { key: "p", value: "q", timestamp: T0, headers: { ["__proto__"]: "x" } },
  ];
  const cases: Array<[string, Buffer]> = [
    ["plain", await batchBytes(messages)],
    [
      "offsets and producer",
      await batchBytes(messages, {
        firstOffset: Long.fromNumber(123_456_789_012),
        producerId: Long.fromNumber(77),
        producerEpoch: 2,
        firstSequence: 9,
      }),
    ],
    ["transactional", await batchBytes(messages, { transactional: true })],
    ["gzip", await batchBytes(messages, { compression: Types.GZIP })],
    [
      "offsets past 2^53",
      await batchBytes(messages, { firstOffset: Long.fromString("9007199254740993") }),
    ],
    ["timestamps past 2^53", await batchBytes([{ key: "a", value: "b", timestamp: 2 ** 53 + 2 }])],
  ];
  const appendTime = Buffer.from(await batchBytes(messages));
  appendTime.writeInt16BE(appendTime.readInt16BE(21) | 0x08, 21); // LOG_APPEND_TIME
  cases.push(["log append time", appendTime]);
  const full = await batchBytes(messages);
  cases.push(["partial batch", full.subarray(0, full.length - 10)]);
  for (const [name, bytes] of cases) {
    const [ours, theirs] = await decodeBoth(bytes);
    assert.deepStrictEqual(ours, theirs, name);
  }
  const [plain] = await decodeBoth(cases[0][1]);
  assert.equal(plain.records.length, 5);
  assert.deepStrictEqual(plain.records[2].headers.dup.map(String), ["1", "2", "3"]);
});
