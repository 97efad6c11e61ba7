/**
 * Faster hot paths for kafkajs, installed into kafkajs's own CommonJS modules (kafkajs's
 * networking, retries, idempotence, transactions and consumer groups stay as they are):
 *
 * 1. The Produce request encoder (`protocol/requests/produce/v3/request.js`, which v4–v7
 *    wrap). kafkajs builds every record, every header and every batch in its own growable
 *    `Encoder`, each a fresh zero-filled 512-byte Buffer, and computes CRC-32C a byte at a
 *    time; under Deno's `node:buffer` that is most of a producer's CPU time. Ours writes the
 *    whole request into one reused byte array and computes CRC-32C eight bytes at a time. It
 *    emits the same bytes (`tests/kafka/kafkajs_fast_test.ts` compares them with kafkajs's
 *    encoder) and hands anything unusual (compression, keys that are neither strings nor
 *    Buffers, timestamps beyond 2^53) to kafkajs's own encoder.
 * 2. `producer/groupMessagesPerPartition.js`, which copies the list of a partition's messages
 *    for every message it adds (quadratic in the batch size); ours appends.
 * 3. The consumer's record-batch decoder (`protocol/recordBatch/v0/decoder.js`, see
 *    `./_kafkajs_decode.ts`): the same records, about three times faster.
 *
 * The request and decoder modules are loaded lazily by kafkajs, so (1) and (3) apply whenever
 * this module is imported before the first send or fetch. (2) replaces a module kafkajs loads
 * with its entry point, so it applies only when this module runs before `kafkajs` is first
 * imported: `./_kafkajs.ts` imports it first, and every value import of kafkajs in this project
 * goes through that file.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { fastRecordBatchDecoder } from "./_kafkajs_decode.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = createRequire(import.meta.url);
const KAFKAJS = "kafkajs/src/";
const REQUEST_V3 = require.resolve(`${KAFKAJS}protocol/requests/produce/v3/request.js`);
const GROUP = require.resolve(`${KAFKAJS}producer/groupMessagesPerPartition.js`);
const SEND_MESSAGES = require.resolve(`${KAFKAJS}producer/sendMessages.js`);
const DECODE_MESSAGES = require.resolve(`${KAFKAJS}protocol/requests/fetch/v4/decodeMessages.js`);

/** Which of the three replacements are in place (tests and the bench check it). */
export const installed = { request: false, grouping: false, decoder: false };

// ---------------------------------------------------------------------------------------------
// CRC-32C (Castagnoli), slicing by 8.

const CRC_TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      const prev = tables[t - 1][n];
      tables[t][n] = tables[0][prev & 0xff] ^ (prev >>> 8);
    }
  }
  return tables;
})();

/** CRC-32C of `bytes[start, end)`, as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES;
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[bytes[i + 4]] ^ t2[bytes[i + 5]] ^ t1[bytes[i + 6]] ^ t0[bytes[i + 7]];
  }
  for (; i < end; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// One growable output buffer, reused across requests of this thread.

const utf8 = new TextEncoder();
let out = new Uint8Array(1 << 20);
let view = new DataView(out.buffer);
let pos = 0;

function reserve(n: number) {
  if (pos + n <= out.length) return;
  let size = out.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(out); // all of it: a length-prefixed field is written past `pos`, then moved back
  out = next;
  view = new DataView(out.buffer);
}

function int8(v: number) {
  reserve(1);
  view.setInt8(pos, v);
  pos += 1;
}
function int16(v: number) {
  reserve(2);
  view.setInt16(pos, v);
  pos += 2;
}
function int32(v: number) {
  reserve(4);
  view.setInt32(pos, v);
  pos += 4;
}
function int64(v: bigint) {
  reserve(8);
  view.setBigInt64(pos, v);
  pos += 8;
}

/** Unsigned varint of a non-negative integer below 2^53. */
function uvarint(v: number) {
  reserve(8);
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
}
/** Kafka's zig-zag varint of an int32. */
const varint = (v: number) => uvarint(((v << 1) ^ (v >> 31)) >>> 0);
/** Kafka's zig-zag varlong of a safe integer. */
const varlong = (v: number) => uvarint(v >= 0 ? v * 2 : -v * 2 - 1);

/** UTF-8 bytes of `s`, as kafkajs's `Buffer.write(s, 'utf8')` writes them. */
function writeUtf8(s: string): number {
  const n = s.length;
  if (n < 64) {
    reserve(n);
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[pos + i] = c;
    }
    if (i === n) {
      pos += n;
      return n;
    }
  }
  reserve(n * 3);
  const { written } = utf8.encodeInto(s, out.subarray(pos));
  pos += written;
  return written;
}

/**
 * Writes a length-prefixed field: `write` appends the body at `pos`, then the body is moved
 * right behind the varint of its length (a record's length and a string's length come first).
 */
function prefixed(write: () => void) {
  reserve(5);
  const start = pos;
  pos += 5;
  write();
  const length = pos - start - 5;
  pos = start;
  varint(length);
  const gap = start + 5 - pos;
  if (gap > 0) out.copyWithin(pos, start + 5, start + 5 + length);
  pos += length;
}

/** A key, value or header value: null → -1, Buffer → raw bytes, string → UTF-8. */
function varintBytes(value: Any) {
  if (value == null) varint(-1);
  else if (typeof value === "string") prefixed(() => writeUtf8(value));
  else {
    varint(value.length);
    reserve(value.length);
    out.set(value, pos);
    pos += value.length;
  }
}

function kafkaString(s: string | null | undefined) {
  if (s == null) return int16(-1);
  const start = pos;
  int16(0);
  const length = writeUtf8(s);
  view.setInt16(start, length);
}

// ---------------------------------------------------------------------------------------------
// The Produce request (v3 layout, as kafkajs writes it for compression None).

const isBytes = (v: Any) => v == null || typeof v === "string" || Buffer.isBuffer(v);
// kafkajs measures a header value with Buffer.byteLength, which throws on null.
const isHeaderValue = (v: Any) => typeof v === "string" || Buffer.isBuffer(v);

/** Whether our encoder writes exactly what kafkajs would for these messages. */
function supported(messages: Any[]): boolean {
  for (const m of messages) {
    if (!isBytes(m.key) || !isBytes(m.value)) return false;
    const headers = m.headers;
    if (headers != null) {
      if (typeof headers !== "object") return false;
      for (const key in headers) {
        if (!Object.hasOwn(headers, key)) continue;
        const v = headers[key];
        if (Array.isArray(v) ? !v.every(isHeaderValue) : !isHeaderValue(v)) return false;
      }
    }
  }
  return true;
}

function headerArray(headers: Any): Array<[string, Any]> {
  const list: Array<[string, Any]> = [];
  if (headers == null) return list;
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    if (Array.isArray(v)) { for (const one of v) list.push([key, one]); }
    else list.push([key, v]);
  }
  return list;
}

/** The batch's first and max timestamp, as kafkajs picks them (string order of the values). */
function timestampRange(messages: Any[], now: number): [Any, Any] {
  let first: Any = undefined;
  let max: Any = undefined;
  for (const m of messages) {
    const t = m.timestamp;
    if (t == null) continue;
    if (first === undefined) first = max = t;
    else {
      const s = String(t);
      if (s < String(first)) first = t;
      if (s >= String(max)) max = t;
    }
  }
  return first === undefined ? [now, now] : [first, max];
}

interface Partition {
  partition: Any;
  messages: Any[];
  firstSequence?: number;
}

/** Returns false (having written nothing) when kafkajs's own encoder must do it. */
function writePartition(
  data: Partition,
  transactional: boolean,
  producerId: bigint,
  producerEpoch: number,
  Long: Any,
): boolean {
  const { messages } = data;
  const now = Date.now();
  const [first, max] = timestampRange(messages, now);
  const deltas = new Array<number>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const d = (messages[i].timestamp || now) - first;
    if (!Number.isSafeInteger(d)) return false;
    deltas[i] = d;
  }
  const start = pos;
  int32(Number(data.partition));
  int32(0); // size of the record batch, below
  const batchStart = pos;
  int64(0n); // first offset
  int32(0); // length, below
  int32(0); // partition leader epoch
  int8(2); // magic
  int32(0); // CRC, below
  const bodyStart = pos;
  int16(transactional ? 16 : 0); // attributes: no compression, create time
  int32(messages.length - 1);
  int64(Long.fromValue(first).value);
  int64(Long.fromValue(max).value);
  int64(producerId);
  int16(producerEpoch);
  int32(data.firstSequence ?? 0);
  int32(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    prefixed(() => {
      int8(0);
      varlong(deltas[i]);
      varint(i);
      varintBytes(m.key);
      varintBytes(m.value);
      const headers = headerArray(m.headers);
      varint(headers.length);
      for (const [key, value] of headers) {
        prefixed(() => writeUtf8(key));
        varintBytes(value);
      }
    });
  }
  view.setUint32(bodyStart - 4, crc32c(out, bodyStart, pos));
  view.setInt32(batchStart + 8, pos - batchStart - 12);
  view.setInt32(start + 4, pos - batchStart);
  return true;
}

function fastRequest(original: Any, Encoder: Any, Long: Any, Types: Any) {
  return (args: Any) => {
    const request = original(args);
    const {
      acks,
      timeout,
      transactionalId = null,
      producerId = Long.fromInt(-1),
      producerEpoch = 0,
      compression = Types.None,
      topicData,
    } = args;
    if (compression !== Types.None) return request;
    const slow = request.encode;
    request.encode = () => {
      if (!topicData.every((t: Any) => t.partitions.every((p: Any) => supported(p.messages)))) {
        return slow();
      }
      pos = 0;
      kafkaString(transactionalId);
      int16(acks);
      int32(timeout);
      int32(topicData.length);
      const id = Long.fromValue(producerId).value;
      for (const { topic, partitions } of topicData) {
        kafkaString(topic);
        int32(partitions.length);
        for (const partition of partitions) {
          if (!writePartition(partition, !!transactionalId, id, producerEpoch, Long)) {
            return slow();
          }
        }
      }
      const encoder = new Encoder(0);
      // A copy: the next request reuses `out`, and this one may wait in kafkajs's queue.
      encoder.buf = Buffer.from(out.slice(0, pos).buffer);
      encoder.offset = pos;
      return Promise.resolve(encoder);
    };
    return request;
  };
}

// ---------------------------------------------------------------------------------------------
// Grouping messages per partition in linear time.

function groupMessagesPerPartition(
  { topic, partitionMetadata, messages, partitioner }: Any,
): Record<string, Any[]> {
  if (partitionMetadata.length === 0) return {};
  const result: Record<string, Any[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

/** The kafkajs release these replacements were written and compared against. */
const KAFKAJS_VERSION = "2.2.4";

/** Whether to install the replacements, and the warning to print when they are left out. */
export function installPlan(
  version: string,
  stock: string | undefined,
): { install: boolean; warning?: string } {
  // KAFKAJS_STOCK=1: kafkajs exactly as published (the bench's second column, or to rule the
  // replacements out when something looks wrong).
  if (stock === "1") return { install: false };
  // Another release may lay out its modules differently: leave it as it is (the comparison
  // tests then fail, asking for the replacements to be checked against it).
  if (version !== KAFKAJS_VERSION) {
    return {
      install: false,
      warning: `warning: kafkajs ${version} is not ${KAFKAJS_VERSION}, the release the faster ` +
        `paths of lib/kafka/_kafkajs_fast.ts were checked against: running stock kafkajs (slower)`,
    };
  }
  return { install: true };
}

/** The KAFKAJS_STOCK variable, if this process may read it. */
export function stockSetting(): string | undefined {
  try {
    return Deno.env.get("KAFKAJS_STOCK");
  } catch {
    return undefined; // no --allow-env: the replacements are installed
  }
}

function install() {
  const plan = installPlan(require(`kafkajs/package.json`).version, stockSetting());
  // Once per process: this module is evaluated once (a worker is a process of its own here).
  if (plan.warning) console.error(plan.warning);
  if (!plan.install) return;
  const cache = require.cache as Record<string, Any>;
  if (!cache[DECODE_MESSAGES]) {
    const path = require.resolve(`${KAFKAJS}protocol/recordBatch/v0/decoder.js`);
    require(path);
    cache[path].exports = fastRecordBatchDecoder({
      Decoder: require(`${KAFKAJS}protocol/decoder.js`),
      KafkaJSPartialMessageError: require(`${KAFKAJS}errors.js`).KafkaJSPartialMessageError,
      lookupCodecByAttributes: require(`${KAFKAJS}protocol/message/compression/index.js`)
        .lookupCodecByAttributes,
      RecordDecoder: require(`${KAFKAJS}protocol/recordBatch/record/v0/decoder.js`),
    });
    installed.decoder = true;
  }
  if (!cache[SEND_MESSAGES]) {
    require(GROUP);
    cache[GROUP].exports = groupMessagesPerPartition;
    installed.grouping = true;
  }
  if (!cache[require.resolve(`${KAFKAJS}protocol/requests/produce/v4/request.js`)]) {
    const original = require(REQUEST_V3);
    const Encoder = require(`${KAFKAJS}protocol/encoder.js`);
    const Long = require(`${KAFKAJS}utils/long.js`);
    const { Types } = require(`${KAFKAJS}protocol/message/compression/index.js`);
    cache[REQUEST_V3].exports = fastRequest(original, Encoder, Long, Types);
    installed.request = true;
  }
}

install();

/** kafkajs's own record-batch decoder (tests compare our records with its). */
export function kafkajsRecordBatchDecoder(): Any {
  return fresh(require.resolve(`${KAFKAJS}protocol/recordBatch/v0/decoder.js`));
}

/** Our record-batch decoder, as installed. */
export function fastRecordBatchDecode(): Any {
  return require(`${KAFKAJS}protocol/recordBatch/v0/decoder.js`);
}

/** A module as kafkajs ships it, loaded anew past our replacement in the cache. */
function fresh(path: string): Any {
  const saved = require.cache[path];
  delete require.cache[path];
  try {
    return require(path);
  } finally {
    require.cache[path] = saved;
  }
}

/** kafkajs's own v3 Produce request builder (tests compare our bytes with it). */
export function kafkajsProduceRequest(): Any {
  return fresh(REQUEST_V3);
}

/** Our Produce request builder, as installed (the same signature as kafkajs's). */
export function fastProduceRequest(): Any {
  return require(REQUEST_V3);
}
