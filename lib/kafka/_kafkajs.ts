/**
 * The one place this project imports kafkajs's values from: `./_kafkajs_fast.ts` and
 * `./_kafkajs_send.ts` must run before kafkajs loads its modules (see there), and ES modules
 * evaluate their imports in order, and so must `./_kafkajs_aborted.ts` (a correct filter for
 * aborted transactions' records) and, after it, `./_kafkajs_stable.ts` (batches that keep the
 * last stable offset). Type-only imports of "kafkajs" may stay where they are. It also
 * gives kafkajs the decompressors it lacks (`./_codecs.ts`).
 *
 * @module
 */
import "./_kafkajs_fast.ts";
import "./_kafkajs_send.ts";
import "./_kafkajs_aborted.ts";
import "./_kafkajs_stable.ts";
import { createRequire } from "node:module";
import { CompressionCodecs, type ISocketFactory } from "kafkajs";
import { installCodecs } from "./_codecs.ts";
export { CompressionCodecs, CompressionTypes, ConfigResourceTypes, Kafka, logLevel } from "kafkajs";

/**
 * kafkajs's error for what retrying cannot fix: a consumer stops with it. (kafkajs exports its
 * error classes by a spread, which named ES imports do not see.)
 */
export const KafkaJSNonRetriableError: new (message: string) => Error = createRequire(
  import.meta.url,
)("kafkajs/src/errors.js").KafkaJSNonRetriableError;

/**
 * kafkajs's socket factory, with an `unref` that does nothing to a socket already closed. kafkajs
 * disconnects a broker connection again on every retry while a topic it reads is gone (deleted),
 * and each `unref` of the dead socket left one more listener waiting for a `connect` that never
 * comes (Node's and Deno's `net` alike): a slow leak, and a `MaxListenersExceededWarning` on
 * stderr after ten retries.
 */
export function socketFactory(): ISocketFactory {
  const make: ISocketFactory = createRequire(import.meta.url)(
    "kafkajs/src/network/socketFactory.js",
  )();
  return (args) => {
    const socket = make(args);
    const unref = socket.unref;
    socket.unref = function () {
      return this.destroyed ? this : unref.call(this);
    };
    return socket;
  };
}

// Batches other producers compressed with Snappy, LZ4 or Zstandard (kafkajs reads gzip only).
installCodecs(CompressionCodecs, KafkaJSNonRetriableError);
