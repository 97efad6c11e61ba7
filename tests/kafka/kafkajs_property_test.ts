/**
 * Property tests (fast-check, fixed seed): the Produce request encoder and the record-batch
 * decoder installed into kafkajs write and read exactly what kafkajs's own do, on random batches
 * (keys, values and headers as text, bytes or null, any timestamps and offsets, transactional or
 * not, compressed or not).
 */
import assert from "node:assert/strict";
import { asKafkajs } from "./_records.ts";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import fc from "fast-check";
import {
  fastProduceRequest,
  fastRecordBatchDecode,
  kafkajsProduceRequest,
  kafkajsRecordBatchDecoder,
} from "../../lib/kafka/_kafkajs_fast.ts";

const require = createRequire(import.meta.url);
const Long = require("kafkajs/src/utils/long.js");
const Decoder = require("kafkajs/src/protocol/decoder.js");
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js");
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js");
const { Types } = require("kafkajs/src/protocol/message/compression/index.js");

const RUNS = { seed: 20261126, numRuns: 300 };
const T0 = Date.UTC(2026, 10, 26);

const text = fc.string({ unit: "binary", maxLength: 40 });
const bytes = fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b));
const big = fc.string({ minLength: 200, maxLength: 3000 });
const payload = fc.oneof(text, bytes, big, fc.constant(null));
const headerValue = fc.oneof(text, bytes);
const headers = fc.option(
  fc.dictionary(
    fc.string({ unit: "binary", minLength: 1, maxLength: 12 }).filter((k) => k !== "__proto__"),
    fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 3 })),
    { maxKeys: 4 },
  ),
  { nil: undefined },
);
const message = fc.record({
  key: payload,
  value: payload,
  timestamp: fc.integer({ min: T0 - 2 ** 33, max: T0 + 2 ** 33 }),
  headers,
});

Deno.test("our Produce request bytes equal kafkajs's on random batches", async () => {
  // A partition without timestamps takes the clock's: one fixed clock for both encoders.
  const clock = Date.now;
  Date.now = () => T0 + 42;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(2 ** 31 - 1),
        async (messages, transactional, dropTimes, firstSequence) => {
          const msgs = messages.map((m) => ({
            ...m,
            timestamp: dropTimes ? undefined : String(m.timestamp),
          }));
          const args = {
            acks: -1,
            timeout: 30000,
            ...(transactional
              ? { transactionalId: "sink-ü", producerId: Long.fromNumber(77), producerEpoch: 2 }
              : {}),
            topicData: [
              { topic: "orders", partitions: [{ partition: 0, firstSequence, messages: msgs }] },
              { topic: "clickstream", partitions: [{ partition: 2, messages: msgs.slice(0, 3) }] },
            ],
          };
          const encode = async (build: (a: unknown) => { encode(): Promise<{ buffer: Buffer }> }) =>
            new Uint8Array((await build(args).encode()).buffer);
          assert.deepEqual(
            await encode(fastProduceRequest()),
            await encode(kafkajsProduceRequest()),
          );
        },
      ),
      RUNS,
    );
  } finally {
    Date.now = clock;
  }
});

Deno.test("our record-batch decoder reads random batches as kafkajs reads them", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(message, { minLength: 1, maxLength: 30 }),
      fc.oneof(
        fc.integer({ min: 0, max: 2 ** 40 }).map((n) => Long.fromNumber(n)),
        fc.constant(Long.fromString("9007199254740993")),
      ),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      async (messages, firstOffset, transactional, gzip, appendTime) => {
        const first = messages[0].timestamp;
        const records = messages.map((m, i) =>
          Record({ ...m, offsetDelta: i, timestampDelta: m.timestamp - first })
        );
        const encoded = await RecordBatch({
          records,
          firstOffset,
          firstTimestamp: first,
          maxTimestamp: Math.max(...messages.map((m) => m.timestamp)),
          lastOffsetDelta: records.length - 1,
          transactional,
          producerId: Long.fromNumber(5),
          ...(gzip ? { compression: Types.GZIP } : {}),
        });
        const batch = Buffer.from(encoded.buffer);
        if (appendTime) batch.writeInt16BE(batch.readInt16BE(21) | 0x08, 21); // LOG_APPEND_TIME
        const run = (decode: (d: unknown) => Promise<unknown>) =>
          decode(new Decoder(batch)).catch((e: Error) => `${e.name}: ${e.message}`);
        assert.deepEqual(
          asKafkajs(await run(fastRecordBatchDecode())),
          await run(kafkajsRecordBatchDecoder()),
        );
      },
    ),
    RUNS,
  );
});
