/**
 * Topics another producer wrote with transactions, on the real broker: records of aborted
 * transactions (in the middle of a partition and at its end, where only the abort marker follows
 * them) are never read, a transaction left open does not hold `--once` up (it reads to the last
 * stable offset), and the sink, its audit and a replay agree on the committed records (ours, the
 * original producers' and malformed ones, which reach the DLQ only when committed).
 */
import assert from "node:assert/strict";
import { readToEnd } from "../../lib/kafka/mod.ts";
import { replay } from "../../lib/realtime/mod.ts";
import { INTEGRATION, uniqueName } from "../_helpers.ts";
import { sinkOnceAudited } from "../_lakes.ts";
import { order as orderEvent } from "../realtime/_events.ts";
import { cliTopics, openTransaction, runScript } from "../_topics.ts";

/** Order `id` at time `t`, as a record value. */
const order = (id: string, t: number) =>
  JSON.stringify(orderEvent(new Date(t).toISOString(), { event_id: id, order_id: `order_${id}` }));

Deno.test({
  name: "records of aborted or open transactions are never read; --once ends at the last stable " +
    "offset; the sink and a replay agree",
  ...INTEGRATION,
  async fn() {
    const t = await cliTopics("txn");
    const orders = t.name("orders");
    const at = Date.now() - 3_600_000;
    const wallClock = new Date(at).toISOString().slice(0, 19).replace("T", " ");
    // n of ours, one of the original producers' (no event_id, a wall-clock time) and a Python
    // dict printed instead of JSON (malformed: the DLQ when committed, nowhere when aborted).
    const messages = (label: string, n: number) =>
      [
        ...Array.from({ length: n }, (_, i) => order(`${label}-${i}`, at + i)),
        JSON.stringify({
          order_id: `orig-${label}`,
          user_id: "user_1",
          timestamp: wallClock,
          items: [],
          total_amount: 5,
        }),
        `{'order_id': '${label}'}`,
      ].map((value) => ({ partition: 0, value }));
    const producer = t.kafka.producer({
      transactionalId: uniqueName("other-app"),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    // Its transaction times out after 3 minutes: a run that waited for that would find it gone.
    const open = await openTransaction(t.kafka);
    const hanging = open.transaction;
    try {
      const txn = async (label: string, n: number, commit: boolean) => {
        const tx = await producer.transaction();
        await tx.send({ topic: orders, messages: messages(label, n) });
        await (commit ? tx.commit() : tx.abort());
      };
      await txn("committed", 10, true);
      await txn("aborted", 10, false);
      const plain = t.kafka.producer();
      await plain.connect();
      await plain.send({ topic: orders, messages: messages("plain", 5) });
      await plain.disconnect();
      await txn("tail", 5, false); // the partition ends in an aborted transaction
      // A producer that began a transaction and never ended it: the last stable offset stays
      // before its records until the broker times the transaction out.
      await hanging.send({ topic: orders, messages: messages("open", 3) });
      const kept = [...messages("committed", 10), ...messages("plain", 5)].map((m) => m.value);

      const read = (await readToEnd(t.kafka, [orders])).get(orders)!;
      assert.deepEqual(read.map((r) => new TextDecoder().decode(r.value!)).sort(), kept.sort());

      const cli = await runScript("realtime", ["--once", "--from-beginning", "--json"], {
        KAFKA_TOPIC_PREFIX: t.kafkaConfig.topicPrefix,
      });
      assert.equal(cli.code, 0, cli.stderr);
      const totals = JSON.parse(cli.stdout).totals;
      assert.deepEqual([totals.received, totals.accepted, totals.malformed], [19, 17, 2]);

      const { result, audit } = await sinkOnceAudited(t);
      assert.deepEqual([result.records, result.dlq], [17, 2]);
      assert.deepEqual(audit.problems, []);
      assert.equal(audit.topics.reduce((n, a) => n + a.lines, 0), 17);
      // Neither waited for the open transaction to time out: it is still open, and takes more.
      await hanging.send({ topic: orders, messages: messages("open-more", 1) });
    } finally {
      await open.close();
      await producer.disconnect();
      await t.cleanup();
    }
  },
});

Deno.test({
  name: "a read starting inside two producers' aborted transactions skips the records of both",
  ...INTEGRATION,
  async fn() {
    const t = await cliTopics("txn2");
    const orders = t.name("orders");
    const at = Date.now() - 3_600_000;
    const one = (label: string, i: number) => ({
      partition: 0,
      value: order(`${label}-${i}`, at + i),
    });
    const producers = ["app-a", "app-b"].map((name) =>
      t.kafka.producer({
        transactionalId: uniqueName(name),
        idempotent: true,
        maxInFlightRequests: 1,
      })
    );
    try {
      for (const p of producers) await p.connect();
      const [a, b] = await Promise.all(producers.map((p) => p.transaction()));
      // Interleaved: a, b, a, b, … (offsets 0–11), both aborted, then 5 plain records.
      for (let i = 0; i < 6; i++) {
        await a.send({ topic: orders, messages: [one("a", i)] });
        await b.send({ topic: orders, messages: [one("b", i)] });
      }
      await a.abort();
      await b.abort();
      const plain = t.kafka.producer();
      await plain.connect();
      await plain.send({
        topic: orders,
        messages: Array.from({ length: 5 }, (_, i) => one("p", i)),
      });
      await plain.disconnect();
      // From every offset inside them (from 1 on, inside both; a's began first) and the markers.
      for (let start = 0; start <= 13; start++) {
        const { snapshot } = await replay(t.kafka, t.kafkaConfig, {}, {
          startOffsets: new Map([[`${orders}/0`, start]]),
        });
        assert.equal(snapshot.totals.received, 5, `from offset ${start}`);
      }
    } finally {
      for (const p of producers) await p.disconnect();
      await t.cleanup();
    }
  },
});
