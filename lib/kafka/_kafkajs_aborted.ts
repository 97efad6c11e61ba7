/**
 * A correct filter for records of aborted transactions, installed in place of kafkajs's
 * `consumer/filterAbortedMessages.js` (for every consumer: this is a fix, not a speed-up, so
 * `KAFKAJS_STOCK` leaves it in place).
 *
 * A fetch answers with the partition's records and the aborted transactions among them (each a
 * producer id and the offset its transaction began at). kafkajs starts ignoring a producer's
 * transactional records at that offset, but takes at most one aborted transaction per record it
 * looks at, in the order the broker listed them: a fetch that starts inside two producers'
 * aborted transactions (a consumer resuming, a replay from an offset) took the first record of
 * the second one, and more when several began before it. Here every aborted transaction that
 * began at or before a record's offset applies to it, in offset order, as Kafka's Java consumer
 * does; a producer's abort marker (a control record, not any record keyed like one) ends its
 * aborted transaction (`tests/kafka/transactions_test.ts`).
 *
 * Runs before kafkajs loads (`./_kafkajs.ts` imports it first): kafkajs's batch module takes the
 * filter when it loads.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = createRequire(import.meta.url);
const PATH = require.resolve("kafkajs/src/consumer/filterAbortedMessages.js");
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

/** Whether a control record is an abort marker (its key: version 0, type 0; a commit is 1). */
function isAbortMarker(message: Any): boolean {
  return !!message.key && Buffer.from(message.key).equals(ABORT_MARKER_KEY);
}

/** The fetch's records without those of aborted transactions (markers kept, as kafkajs does). */
export function filterAbortedMessages(
  { messages, abortedTransactions }: { messages: Any[]; abortedTransactions?: Any[] },
): Any[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = abortedTransactions
    .map((t) => ({ first: BigInt(t.firstOffset), producerId: String(t.producerId) }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const aborting = new Set<string>();
  let next = 0;
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    while (next < pending.length && pending[next].first <= offset) {
      aborting.add(pending[next++].producerId);
    }
    const { producerId, inTransaction } = message.batchContext;
    if (message.isControlRecord && isAbortMarker(message)) {
      aborting.delete(String(producerId));
      return true;
    }
    return !(inTransaction && aborting.has(String(producerId)));
  });
}

require(PATH);
(require.cache as Record<string, Any>)[PATH].exports = filterAbortedMessages;
