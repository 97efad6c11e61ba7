/**
 * The in-doubt ledger on small in-memory logs (the produce tests run it against a real broker
 * that restarts while an answer is lost).
 */
import assert from "node:assert/strict";
import {
  type BatchHeader,
  InDoubtLedger,
  type LogReader,
  type Sequences,
  type TopicData,
} from "../../lib/kafka/_in_doubt.ts";
import { installed } from "../../lib/kafka/_kafkajs_send.ts";
import "../../lib/kafka/mod.ts";

const US = { producerId: "7", producerEpoch: 0 };

/** One partition's log (`t`, 0) as batch headers, read `perRead` batches at a time. */
function memoryLog(batches: BatchHeader[], perRead = 100) {
  const reads: number[] = [];
  const end = () => (batches.at(-1)?.lastOffset ?? -1) + 1;
  const reader: LogReader & { reads: number[]; fail: boolean } = {
    reads,
    fail: false,
    ends(partitions) {
      return Promise.resolve(partitions.map(() => end()));
    },
    read(_topic, _partition, offset) {
      if (reader.fail) return Promise.reject(new Error("broker unavailable"));
      reads.push(offset);
      const from = batches.findIndex((b) => b.lastOffset >= offset);
      const slice = from < 0 ? [] : batches.slice(from, from + perRead);
      return Promise.resolve({ batches: slice, end: end() });
    },
  };
  return reader;
}

function sequences(): Sequences & { of: Map<string, number> } {
  const of = new Map<string, number>();
  return {
    of,
    getSequence: (t, p) => of.get(`${t}/${p}`) ?? 0,
    updateSequence: (t, p, n) => of.set(`${t}/${p}`, (of.get(`${t}/${p}`) ?? 0) + n),
  };
}

const batch = (
  firstOffset: number,
  count: number,
  firstSequence: number,
  producer = US,
): BatchHeader => ({
  ...producer,
  firstSequence,
  firstOffset,
  lastOffset: firstOffset + count - 1,
});

const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `m${i}` }));

/** A request for partition 0 of `t`, with kafkajs's sequence bookkeeping around a failure. */
async function sendAndLose(
  ledger: InDoubtLedger,
  log: ReturnType<typeof memoryLog>,
  seq: ReturnType<typeof sequences>,
  batch: unknown[],
): Promise<TopicData[]> {
  const request: TopicData[] = [{ topic: "t", partitions: [{ partition: 0, messages: batch }] }];
  assert.deepEqual(await ledger.settle(request, US, log, seq), []);
  const entry = request[0].partitions[0];
  entry.firstSequence = seq.getSequence("t", 0);
  seq.updateSequence("t", 0, batch.length);
  // The request fails without an answer: kafkajs rolls the sequence numbers back.
  seq.updateSequence("t", 0, -batch.length);
  ledger.failed(request);
  return request;
}

Deno.test("in doubt: kafkajs's sendMessages is replaced when imported before kafkajs", () => {
  assert.ok(installed.sendMessages);
});

Deno.test("in doubt: a batch found in the log is not sent again, its sequence numbers count", async () => {
  const ledger = new InDoubtLedger();
  const log = memoryLog([batch(0, 5, 0, { producerId: "3", producerEpoch: 0 })]);
  const seq = sequences();
  const lost = messages(4);
  const request = await sendAndLose(ledger, log, seq, lost);
  assert.equal(ledger.floor("t", 0), 5, "the log end before our first batch");
  assert.ok(ledger.inDoubt("t", 0));
  // The broker had appended it (after another producer's records), then restarted.
  log.reads.length = 0;
  const logBatches = [batch(0, 5, 0, { producerId: "3", producerEpoch: 0 }), batch(5, 4, 0)];
  const after = memoryLog(logBatches);
  const retry: TopicData[] = [{ topic: "t", partitions: [{ partition: 0, messages: lost }] }];
  const written = await ledger.settle(retry, US, after, seq);
  assert.deepEqual(written, [{
    topicName: "t",
    partition: 0,
    errorCode: 0,
    baseOffset: "5",
    logAppendTime: "-1",
    logStartOffset: "-1",
  }]);
  assert.deepEqual(retry, [], "nothing left to send");
  assert.equal(seq.getSequence("t", 0), 4);
  assert.equal(ledger.floor("t", 0), 9);
  assert.ok(!ledger.inDoubt("t", 0));
  assert.deepEqual(after.reads, [5], "read from the floor");
  assert.equal(request[0].partitions[0].firstSequence, 0);
});

Deno.test("in doubt: a batch not in the log is sent again with the same sequence numbers", async () => {
  const ledger = new InDoubtLedger();
  const log = memoryLog([]);
  const seq = sequences();
  const lost = messages(3);
  await sendAndLose(ledger, log, seq, lost);
  const retry: TopicData[] = [{ topic: "t", partitions: [{ partition: 0, messages: lost }] }];
  assert.deepEqual(await ledger.settle(retry, US, log, seq), []);
  assert.equal(retry[0].partitions.length, 1, "still to send");
  assert.equal(seq.getSequence("t", 0), 0);
  assert.ok(!ledger.inDoubt("t", 0), "decided");
});

Deno.test("in doubt: another producer's batch, or another epoch's, is not taken for ours", async () => {
  const ledger = new InDoubtLedger();
  const seq = sequences();
  const lost = messages(2);
  await sendAndLose(ledger, memoryLog([]), seq, lost);
  const log = memoryLog([
    batch(0, 2, 0, { producerId: "8", producerEpoch: 0 }),
    batch(2, 2, 0, { producerId: "7", producerEpoch: 1 }),
    batch(4, 2, 1), // ours, but another sequence
  ], 1);
  const retry: TopicData[] = [{ topic: "t", partitions: [{ partition: 0, messages: lost }] }];
  assert.deepEqual(await ledger.settle(retry, US, log, seq), []);
  assert.equal(retry[0].partitions.length, 1);
  assert.deepEqual(log.reads, [0, 2, 4], "one batch per read, up to the log end");
});

Deno.test("in doubt: floors move past acknowledged batches and never back", async () => {
  const ledger = new InDoubtLedger();
  const seq = sequences();
  const request: TopicData[] = [{
    topic: "t",
    partitions: [{ partition: "0" as never, messages: messages(3) }],
  }];
  await ledger.settle(
    request,
    US,
    memoryLog([batch(0, 10, 0, { producerId: "1", producerEpoch: 0 })]),
    seq,
  );
  assert.equal(ledger.floor("t", 0), 10);
  ledger.acknowledged(request, [{ topicName: "t", partition: 0, errorCode: 0, baseOffset: "12" }]);
  assert.equal(ledger.floor("t", 0), 15);
  ledger.acknowledged(request, [{ topicName: "t", partition: 0, errorCode: 0, baseOffset: "-1" }]);
  ledger.acknowledged(request, [{ topicName: "t", partition: 0, errorCode: 0, baseOffset: "2" }]);
  assert.equal(ledger.floor("t", 0), 15);
});

Deno.test("in doubt: a topic this client may not read: the batch is sent again", async () => {
  const ledger = new InDoubtLedger();
  const seq = sequences();
  const lost = messages(2);
  await sendAndLose(ledger, memoryLog([]), seq, lost);
  const log = memoryLog([batch(0, 2, 0)]);
  const retry: TopicData[] = [{ topic: "t", partitions: [{ partition: 0, messages: lost }] }];
  const unreadable = { ...log, read: () => Promise.resolve(null) };
  assert.deepEqual(await ledger.settle(retry, US, unreadable, seq), []);
  assert.equal(retry[0].partitions.length, 1);
  assert.equal(seq.getSequence("t", 0), 0);
});

Deno.test("in doubt: a failed read changes nothing, so the whole request can be retried", async () => {
  const ledger = new InDoubtLedger();
  const seq = sequences();
  const lost = messages(2);
  await sendAndLose(ledger, memoryLog([]), seq, lost);
  const log = memoryLog([batch(0, 2, 0)]);
  log.fail = true;
  const retry: TopicData[] = [{ topic: "t", partitions: [{ partition: 0, messages: lost }] }];
  await assert.rejects(ledger.settle(retry, US, log, seq), /broker unavailable/);
  assert.equal(retry[0].partitions.length, 1);
  assert.equal(seq.getSequence("t", 0), 0);
  assert.ok(ledger.inDoubt("t", 0));
  log.fail = false;
  assert.equal((await ledger.settle(retry, US, log, seq)).length, 1);
});

Deno.test("in doubt: a written batch counts even when the next request carries other messages", async () => {
  const ledger = new InDoubtLedger();
  const seq = sequences();
  await sendAndLose(ledger, memoryLog([]), seq, messages(2));
  const next = messages(5);
  const request: TopicData[] = [{ topic: "t", partitions: [{ partition: 0, messages: next }] }];
  assert.deepEqual(await ledger.settle(request, US, memoryLog([batch(0, 2, 0)]), seq), []);
  assert.equal(request[0].partitions[0].messages, next, "the new messages are still sent");
  assert.equal(seq.getSequence("t", 0), 2, "after the written batch's sequence numbers");
});
