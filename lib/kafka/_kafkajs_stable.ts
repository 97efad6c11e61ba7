/**
 * kafkajs's `Batch` (the records of one partition from one fetch) keeps the partition's high
 * watermark but drops the last stable offset the same fetch answered with. A read-committed
 * consumer (kafkajs's default) reads nothing past the last stable offset: while another
 * producer's transaction is open, the high watermark lies beyond records no one can read yet, so
 * "read to the high watermark" never comes true. Installed in place of kafkajs's
 * `consumer/batch.js`, this subclass also keeps `lastStableOffset` (a decimal string, as kafkajs
 * keeps offsets; −1 when the broker sent none), which {@linkcode readableEnd} reads.
 *
 * Runs before kafkajs's consumer loads (`./_kafkajs.ts` imports it after the filter of aborted
 * records, which `batch.js` takes when it loads): the consumer takes the class when it loads.
 *
 * @module
 */
import { createRequire } from "node:module";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = createRequire(import.meta.url);
const PATH = require.resolve("kafkajs/src/consumer/batch.js");
const Batch = require(PATH);

/** kafkajs's `Batch`, with the fetch's last stable offset kept. */
class StableBatch extends Batch {
  lastStableOffset: string;
  constructor(topic: string, fetchedOffset: string, partitionData: Any) {
    super(topic, fetchedOffset, partitionData);
    this.lastStableOffset = String(partitionData.lastStableOffset ?? -1);
  }
}

(require.cache as Record<string, Any>)[PATH].exports = StableBatch;
