/**
 * The one place this project imports kafkajs's values from: `./_kafkajs_fast.ts` and
 * `./_kafkajs_send.ts` must run before kafkajs loads its modules (see there), and ES modules
 * evaluate their imports in order. Type-only imports of "kafkajs" may stay where they are.
 *
 * @module
 */
import "./_kafkajs_fast.ts";
import "./_kafkajs_send.ts";
export { CompressionTypes, ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
