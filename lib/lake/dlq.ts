/**
 * Which records the raw layer keeps, and the dead-letter record of those it cannot.
 *
 * The raw layer keeps records as produced (nulls, duplicates, unknown fields): a value is kept
 * when it is one line of valid JSON, byte for byte. Anything else goes to `<topic>.dlq` with
 * the headers the Confluent connectors put on their dead-letter records
 * (`errors.deadletterqueue.context.headers.enable=true`), so one DLQ reader serves both.
 *
 * @module
 */
import type { IHeaders, Message } from "kafkajs";

/** Header names of a dead-letter record (the Kafka Connect ones). */
export const DLQ_HEADERS = {
  topic: "__connect.errors.topic",
  partition: "__connect.errors.partition",
  offset: "__connect.errors.offset",
  stage: "__connect.errors.stage",
  connector: "__connect.errors.connector.name",
  errorClass: "__connect.errors.exception.class.name",
  message: "__connect.errors.exception.message",
} as const;

/** Why a value cannot be a raw line. */
export interface Rejection {
  /** A short class of error: `EmptyValue`, `InvalidUtf8`, `InvalidJson` or `MultilineJson`. */
  errorClass: "EmptyValue" | "InvalidUtf8" | "InvalidJson" | "MultilineJson";
  /** One line for people. */
  message: string;
}

/** What {@linkcode checkValue} found: the parsed value, or why it is rejected. */
export type ValueCheck = { ok: true; json: unknown } | { ok: false; rejection: Rejection };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const loose = new TextDecoder();

/**
 * Checks that a record value can be a raw line: present, UTF-8, valid JSON, on one line.
 *
 * @example
 * ```ts
 * import { checkValue } from "./dlq.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * checkValue(enc('{"a":null}')).ok; // true
 * const bad = checkValue(enc('{"order_id":"o-1",'));
 * bad.ok ? "" : bad.rejection.errorClass; // "InvalidJson"
 * ```
 */
export function checkValue(value: Uint8Array | null | undefined): ValueCheck {
  if (!value || value.byteLength === 0) {
    return { ok: false, rejection: { errorClass: "EmptyValue", message: "Record has no value" } };
  }
  // The lenient decoder is much faster; only a replacement character calls for the strict one.
  const text = loose.decode(value);
  if (text.includes("\uFFFD")) {
    try {
      utf8.decode(value);
    } catch {
      return {
        ok: false,
        rejection: { errorClass: "InvalidUtf8", message: "Value is not valid UTF-8" },
      };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      rejection: {
        errorClass: "InvalidJson",
        message: `Value is not valid JSON: ${(error as Error).message.split("\n")[0]}`,
      },
    };
  }
  // Raw newlines can only be whitespace between JSON tokens; a JSON-lines file cannot hold them.
  if (text.includes("\n") || text.includes("\r")) {
    return {
      ok: false,
      rejection: {
        errorClass: "MultilineJson",
        message: "Value is JSON spread over several lines; a JSON-lines file needs one",
      },
    };
  }
  return { ok: true, json };
}

/** The source record of a dead-letter record. */
export interface DlqSource {
  topic: string;
  partition: number;
  offset: number;
  key: Uint8Array | string | null;
  value: Uint8Array | string | null;
  timestamp: string;
  headers?: IHeaders;
}

/**
 * The dead-letter record of a rejected source record: same key, value, timestamp and headers,
 * plus headers naming the error and the source topic, partition and offset.
 *
 * @example
 * ```ts
 * import { DLQ_HEADERS, dlqMessage } from "./dlq.ts";
 * const m = dlqMessage(
 *   { topic: "orders", partition: 2, offset: 41, key: "o-1", value: "oops", timestamp: "0" },
 *   { errorClass: "InvalidJson", message: "Value is not valid JSON" },
 *   "ecom-lake-sink",
 * );
 * m.headers?.[DLQ_HEADERS.offset]; // "41"
 * ```
 */
export function dlqMessage(source: DlqSource, rejection: Rejection, connector: string): Message {
  return {
    key: source.key as Message["key"],
    value: source.value as Message["value"],
    timestamp: source.timestamp,
    headers: {
      ...source.headers,
      [DLQ_HEADERS.topic]: source.topic,
      [DLQ_HEADERS.partition]: String(source.partition),
      [DLQ_HEADERS.offset]: String(source.offset),
      [DLQ_HEADERS.stage]: "VALUE_CONVERTER",
      [DLQ_HEADERS.connector]: connector,
      [DLQ_HEADERS.errorClass]: rejection.errorClass,
      [DLQ_HEADERS.message]: rejection.message,
    },
  };
}
