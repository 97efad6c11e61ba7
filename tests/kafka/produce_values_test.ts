/**
 * Record values cross to the producer threads as one buffer of UTF-8 bytes (`utf8Column`): the
 * bytes of each value are exactly what `TextEncoder` (and kafkajs's `Buffer.write`) makes of it,
 * ASCII or not, and a real broker gets them back as sent.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { produceRecords, type ProducibleRecord, readAll, topicName } from "../../lib/kafka/mod.ts";
import { utf8Column } from "../../lib/kafka/_produce_parallel.ts";
import { INTEGRATION } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";

const encoder = new TextEncoder();

function slices(column: { values: Uint8Array; valueEnds: Int32Array }): number[][] {
  const out: number[][] = [];
  let start = 0;
  for (const end of column.valueEnds) {
    out.push([...column.values.subarray(start, end)]);
    start = end;
  }
  return out;
}

Deno.test("utf8Column: each value's bytes are its UTF-8, ASCII or not", () => {
  assert.deepEqual(slices(utf8Column([])), []);
  assert.deepEqual(slices(utf8Column(["", "ab", ""])), [[], [0x61, 0x62], []]);
  assert.deepEqual(slices(utf8Column(["ab", "é"])), [[0x61, 0x62], [0xc3, 0xa9]]);
  // A lone surrogate becomes U+FFFD, as Buffer.write writes it.
  assert.deepEqual(slices(utf8Column(["\ud800", "x"])), [[0xef, 0xbf, 0xbd], [0x78]]);
  fc.assert(
    fc.property(
      fc.array(fc.oneof(
        fc.string(),
        fc.string({ unit: "binary" }),
        // UTF-16 code units one by one: lone surrogates too.
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
      )),
      (xs) => {
        assert.deepEqual(slices(utf8Column(xs)), xs.map((x) => [...encoder.encode(x)]));
      },
    ),
    { seed: 15, numRuns: 500 },
  );
});

Deno.test({
  name: "values with other scripts, emoji and lone surrogates reach the broker as UTF-8",
  ...INTEGRATION,
  async fn() {
    const { config, kafka } = await cliTopics("values", { dlq: false });
    const values = [
      '{"name":"Zoë Brontë","city":"Zürich"}',
      '{"note":"東京 🚚 доставка"}',
      '{"broken":"\ud800"}',
      "",
      "plain ascii",
    ];
    const records: ProducibleRecord[] = Array.from({ length: 2000 }, (_, i) => ({
      topic: "clickstream",
      key: `user_${i % 7}`,
      value: `${values[i % values.length]}#${i}`,
      eventType: "page_view",
      timestamp: Date.UTC(2026, 10, 26) + i,
    }));
    const stats = await produceRecords(kafka, config.kafka, records, { workers: 1 });
    assert.equal(stats.sent, records.length);
    const read = await readAll(kafka, [topicName(config.kafka, "clickstream")]);
    const decode = (s: string) => new TextDecoder().decode(encoder.encode(s));
    assert.deepEqual(
      read.map((r) => r.value).sort(),
      records.map((r) => decode(r.value)).sort(),
    );
  },
});
