/**
 * Our decoded record batches in kafkajs's own shape, for comparing with what kafkajs decodes:
 * each {@linkcode FastRecord} as the plain object kafkajs's record decoder builds, after checking
 * that the fields behind its lazy ones say the same (the value's bytes where they lie, the
 * offset and timestamp as numbers).
 */
import assert from "node:assert/strict";
import { FastRecord } from "../../lib/kafka/_kafkajs_decode.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** A decoded batch (or the error string a test made of its failure) with plain records. */
export function asKafkajs(decoded: Any): Any {
  if (typeof decoded !== "object" || decoded === null || !Array.isArray(decoded.records)) {
    return decoded;
  }
  return { ...decoded, records: decoded.records.map(plainRecord) };
}

function plainRecord(record: Any): Any {
  if (!(record instanceof FastRecord)) return record;
  const value = record.value;
  assert.equal(record.valueLength, value === null ? -1 : value.length);
  if (value !== null) {
    assert.deepEqual(
      record.bytes.subarray(record.valueStart, record.valueStart + record.valueLength),
      value,
    );
  }
  assert.equal(record.offsetNumber, Number(record.offset));
  assert.equal(record.timeNumber, Number(record.timestamp));
  // Read twice: the same objects (kept once made).
  assert.equal(record.value, value);
  assert.equal(record.headers, record.headers);
  return {
    magicByte: record.magicByte,
    attributes: record.attributes,
    timestamp: record.timestamp,
    offset: record.offset,
    key: record.key,
    value,
    headers: { ...record.headers },
    isControlRecord: record.isControlRecord,
    batchContext: record.batchContext,
  };
}
