/**
 * A faster record-batch decoder for kafkajs's consumer, installed by `./_kafkajs_fast.ts` in
 * place of `protocol/recordBatch/v0/decoder.js`.
 *
 * kafkajs decodes each record through a fresh `Decoder`, adds its offset and timestamp deltas
 * as 64-bit `Long`s (a BigInt parsed from the batch's decimal string, for every record) and
 * builds the headers object by spreading it once per header. Ours reads the batch's bytes in
 * place, adds the deltas as numbers while they are exact (below 2^53), and builds each headers
 * object once. Its records ({@linkcode FastRecord}) read as kafkajs's do: same fields, same
 * strings, `Buffer` slices of the same bytes (`tests/kafka/kafkajs_fast_test.ts` compares the
 * two), but the key, value, headers, offset and timestamp are made when first read, so a reader
 * that takes the value's bytes where they lie ({@linkcode FastRecord.bytes}) makes none of them.
 * A record it is not sure of (longer or shorter than its length says, a header without a key, a
 * `__proto__` header, a delta beyond 2^53) is decoded by kafkajs's own record decoder.
 *
 * @module
 */
import { Buffer } from "node:buffer";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The kafkajs modules the decoder needs (passed in by the installer). */
export interface DecoderDeps {
  Decoder: Any;
  KafkaJSPartialMessageError: Any;
  lookupCodecByAttributes: (attributes: number) => Any;
  RecordDecoder: (decoder: Any, batchContext: Any) => Any;
}

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const LOG_APPEND_TIME = 1;
const CREATE_TIME = 0;

/** The same function as kafkajs's `recordBatch/v0/decoder.js` exports. */
export function fastRecordBatchDecoder(deps: DecoderDeps) {
  const { KafkaJSPartialMessageError, lookupCodecByAttributes } = deps;

  return async (fetchDecoder: Any) => {
    const firstOffset = fetchDecoder.readInt64().toString();
    const length = fetchDecoder.readInt32();
    const decoder = fetchDecoder.slice(length);
    fetchDecoder.forward(length);

    const remainingBytes = Buffer.byteLength(decoder.buffer);
    if (remainingBytes < length) {
      throw new KafkaJSPartialMessageError(
        `Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${length})`,
      );
    }

    const partitionLeaderEpoch = decoder.readInt32();
    const magicByte = decoder.readInt8();
    decoder.readInt32(); // CRC, not checked (as kafkajs)
    const attributes = decoder.readInt16();
    const lastOffsetDelta = decoder.readInt32();
    const firstTimestamp = decoder.readInt64().toString();
    const maxTimestamp = decoder.readInt64().toString();
    const producerId = decoder.readInt64().toString();
    const producerEpoch = decoder.readInt16();
    const firstSequence = decoder.readInt32();

    const recordContext = {
      firstOffset,
      firstTimestamp,
      partitionLeaderEpoch,
      inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
      isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
      lastOffsetDelta,
      producerId,
      producerEpoch,
      firstSequence,
      maxTimestamp,
      timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME : CREATE_TIME,
    };
    const batchContext = { ...recordContext, magicByte };
    const codec = lookupCodecByAttributes(attributes);

    const count = decoder.readInt32();
    let records: Any[];
    if (!codec) {
      records = decodeRecords(deps, decoder.buffer, decoder.offset, count, batchContext);
    } else {
      if (count <= 0) records = [];
      else {
        const compressed = decoder.readAll();
        const buffer = await codec.decompress(compressed);
        records = decodeRecords(deps, buffer, 0, count, batchContext);
      }
    }
    return { ...recordContext, records };
  };
}

/**
 * Decodes `count` records from `buffer` at `start`, as kafkajs's record decoder would. One
 * function over 80 lines on purpose: it is the consumer's hottest loop, and its varint reads
 * stay inline here rather than behind calls per field.
 */
function decodeRecords(
  deps: DecoderDeps,
  buffer: Buffer,
  start: number,
  count: number,
  batchContext: Any,
): Any[] {
  const { Decoder, RecordDecoder } = deps;
  const records = new Array(count); // kafkajs throws the same RangeError for a negative count
  const { firstOffset, firstTimestamp, maxTimestamp, magicByte, timestampType } = batchContext;
  const isControlRecord = batchContext.isControlBatch;
  const offsetBase = Number(firstOffset);
  const offsetExact = Number.isSafeInteger(offsetBase) && String(offsetBase) === firstOffset;
  const timeBase = Number(firstTimestamp);
  const timeExact = Number.isSafeInteger(timeBase) && String(timeBase) === firstTimestamp;
  // Bases a number cannot hold exactly: every record goes to kafkajs's decoder.
  const exact = offsetExact && timeExact;
  const appendTime = timestampType === LOG_APPEND_TIME && maxTimestamp;

  let pos = start;
  const varint = () => {
    let b;
    let result = 0;
    let i = 0;
    do {
      b = buffer[pos++];
      result += (b & 0x7f) << i;
      i += 7;
    } while (b >= 0x80);
    return Decoder.decodeZigZag(result);
  };
  /** A zig-zag varlong as a number, or NaN when it may not be exact. */
  const varlong = () => {
    let b;
    let result = 0;
    let scale = 1;
    let bytes = 0;
    do {
      b = buffer[pos++];
      result += (b & 0x7f) * scale;
      scale *= 0x80;
      bytes++;
    } while (b >= 0x80);
    if (bytes > 7) return NaN;
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  };
  /** Skips a length-prefixed field; its length (−1: null). */
  const skip = () => {
    const n = varint();
    if (n > 0) pos += n;
    return n;
  };

  for (let r = 0; r < count; r++) {
    const length = varint();
    const recordStart = pos;
    let record: Any;
    if (length >= 0 && exact) record = decodeOne();
    if (record === undefined || pos !== recordStart + length) {
      // Not sure: kafkajs decodes this one (and throws what it throws).
      pos = recordStart;
      const slice = length === -1 ? null : buffer.slice(pos, pos + length);
      record = RecordDecoder(new Decoder(slice), batchContext);
      pos = recordStart + length;
    }
    records[r] = record;
  }
  return records;

  function decodeOne(): FastRecord | undefined {
    const attributes = buffer.readInt8(pos++);
    const timestampDelta = varlong();
    const offsetDelta = varint();
    const time = timeBase + timestampDelta; // NaN when the delta may not be exact
    if (!Number.isSafeInteger(time)) return undefined;
    const keyLength = varint();
    const keyStart = pos;
    if (keyLength > 0) pos += keyLength;
    const valueLength = varint();
    const valueStart = pos;
    if (valueLength > 0) pos += valueLength;
    if (keyLength < -1 || valueLength < -1) return undefined;
    const headersStart = pos;
    const headerCount = varint();
    // Headers are read when asked for; here only what would send the record to kafkajs's
    // decoder: a header without a key, or one named `__proto__`.
    for (let h = 0; h < headerCount; h++) {
      const keyLength = varint();
      if (keyLength < 0) return undefined;
      if (keyLength === 9 && isProto(buffer, pos)) return undefined;
      pos += keyLength;
      if (skip() < -1) return undefined;
    }
    return new FastRecord(
      buffer,
      magicByte,
      attributes,
      offsetBase + offsetDelta,
      appendTime ? Number(maxTimestamp) : time,
      appendTime ? maxTimestamp : undefined,
      keyStart,
      keyLength,
      valueStart,
      valueLength,
      headerCount === 0 ? -1 : headersStart,
      isControlRecord,
      batchContext,
    );
  }
}

const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]; // "__proto__"

function isProto(buffer: Uint8Array, at: number): boolean {
  for (let i = 0; i < 9; i++) if (buffer[at + i] !== PROTO[i]) return false;
  return true;
}

/** The `headers` of a record without any (kafkajs gives `{}`); shared, so frozen. */
const NO_HEADERS: Readonly<Record<string, Any>> = Object.freeze({});

/**
 * A record as kafkajs's record decoder returns it: `magicByte`, `attributes`, `timestamp` and
 * `offset` (decimal strings), `key` and `value` (`Buffer` slices of the batch's bytes, or null),
 * `headers`, `isControlRecord`, `batchContext`. The strings, slices and headers are made when
 * first read (then kept); a replay reading a million values where they lie made two million
 * slices and as many strings it never used. Readers that know this class read the fields behind
 * them instead: `bytes` (the batch's bytes), `valueStart` and `valueLength` (−1: null),
 * `offsetNumber` and `timeNumber` (ms; exact: the decoder takes only records whose offset and
 * timestamp a number holds).
 */
export class FastRecord {
  #offset: string | undefined;
  #timestamp: string | undefined;
  #key: Buffer | null | undefined;
  #value: Buffer | null | undefined;
  #headers: Record<string, Any> | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly magicByte: number,
    readonly attributes: number,
    readonly offsetNumber: number,
    readonly timeNumber: number,
    timestamp: string | undefined,
    readonly keyStart: number,
    readonly keyLength: number,
    readonly valueStart: number,
    readonly valueLength: number,
    /** Where the header count starts (−1: no headers). */
    readonly headersStart: number,
    readonly isControlRecord: boolean,
    readonly batchContext: Any,
  ) {
    this.#timestamp = timestamp;
  }

  get offset(): string {
    return this.#offset ??= String(this.offsetNumber);
  }

  get timestamp(): string {
    return this.#timestamp ??= String(this.timeNumber);
  }

  get key(): Buffer | null {
    return this.#key !== undefined ? this.#key : this.#key = this.#slice(
      this.keyStart,
      this.keyLength,
    );
  }

  get value(): Buffer | null {
    return this.#value !== undefined ? this.#value : this.#value = this.#slice(
      this.valueStart,
      this.valueLength,
    );
  }

  get headers(): Record<string, Any> {
    return this.#headers ??= this.headersStart < 0 ? NO_HEADERS : this.#readHeaders();
  }

  /**
   * The record over other bytes: `bytes` hold its value `shift` bytes before where this record's
   * bytes do (a copy of a stretch of them); its key and headers are dropped. What waits in
   * memory then no longer keeps the whole fetch response its bytes are part of.
   */
  rebased(bytes: Uint8Array, shift: number): FastRecord {
    const copy = new FastRecord(
      bytes,
      this.magicByte,
      this.attributes,
      this.offsetNumber,
      this.timeNumber,
      this.#timestamp,
      0,
      -1,
      this.valueStart - shift,
      this.valueLength,
      -1,
      this.isControlRecord,
      this.batchContext,
    );
    copy.#offset = this.#offset;
    return copy;
  }

  #slice(from: number, length: number): Buffer | null {
    if (length < 0) return null;
    const bytes = this.bytes;
    return Buffer.from(bytes.buffer, bytes.byteOffset + from, length);
  }

  #readHeaders(): Record<string, Any> {
    const bytes = this.bytes;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = this.headersStart;
    const varint = () => {
      let b;
      let result = 0;
      let i = 0;
      do {
        b = buffer[pos++];
        result += (b & 0x7f) << i;
        i += 7;
      } while (b >= 0x80);
      return (result >>> 1) ^ -(result & 1);
    };
    const headers: Record<string, Any> = {};
    const count = varint();
    for (let h = 0; h < count; h++) {
      const keyLength = varint();
      const headerKey = buffer.toString("utf8", pos, pos + keyLength);
      pos += keyLength;
      const valueLength = varint();
      const headerValue = valueLength === -1 ? null : buffer.slice(pos, pos + valueLength);
      if (valueLength > 0) pos += valueLength;
      const current = headers[headerKey];
      headers[headerKey] = current === undefined
        ? headerValue
        : Array.isArray(current)
        ? current.concat([headerValue])
        : [current, headerValue];
    }
    return headers;
  }
}
