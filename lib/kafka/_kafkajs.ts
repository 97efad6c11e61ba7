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
import { CompressionCodecs } from "kafkajs";
import { installCodecs } from "./_codecs.ts";
export { CompressionCodecs, CompressionTypes, ConfigResourceTypes, Kafka, logLevel } from "kafkajs";

/**
 * kafkajs's error for what retrying cannot fix: a consumer stops with it. (kafkajs exports its
 * error classes by a spread, which named ES imports do not see.)
 */
export const KafkaJSNonRetriableError: new (message: string) => Error = createRequire(
  import.meta.url,
)("kafkajs/src/errors.js").KafkaJSNonRetriableError;

// Batches other producers compressed with Snappy, LZ4 or Zstandard (kafkajs reads gzip only).
installCodecs(CompressionCodecs, KafkaJSNonRetriableError);
