import assert from "node:assert/strict";
import { FileLake, parseRawPath } from "../../lib/lake/mod.ts";
import { murmur2 } from "../../lib/kafka/mod.ts";
import { writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { withTempDir } from "../_helpers.ts";

const enc = new TextEncoder();

Deno.test("murmur2 matches Kafka's default partitioner", () => {
  // Reference values of org.apache.kafka.common.utils.Utils.murmur2.
  assert.equal(murmur2(enc.encode("21")), -973932308);
  assert.equal(murmur2(enc.encode("foobar")), -790332482);
  assert.equal(murmur2(enc.encode("a-little-bit-long-string")), -985981536);
  assert.equal(murmur2(enc.encode("")), 275646681);
});

Deno.test("the fixture numbers offsets, skips non-JSON values and rotates by flush size", async () => {
  await withTempDir(async (dir) => {
    const lake = new FileLake(dir);
    const at = (m: number) => `2026-11-26T10:${String(m).padStart(2, "0")}:00.000Z`;
    const records = [
      ...Array.from(
        { length: 5 },
        (_, i) => ({
          topic: "orders",
          key: "order_1",
          value: JSON.stringify({ order_id: "order_1", timestamp: at(i) }),
          timestamp: 0,
        }),
      ),
      { topic: "orders", key: "order_1", value: "{'broken'", timestamp: 0 },
      {
        topic: "orders",
        key: "order_1",
        value: JSON.stringify({ timestamp: "2026-11-26T11:00:00.000Z" }),
        timestamp: 0,
      },
    ];
    const result = await writeLakeFromRecords(lake, records, { partitions: 1, flushSize: 2 });
    assert.equal(result.records, 6);
    assert.equal(result.skipped, 1);
    assert.deepEqual(result.nextOffsets, { "orders/0": 7 });
    assert.deepEqual(result.files.map((f) => parseRawPath(f)!.startOffset), [0, 2, 4, 6]);
    const last = new TextDecoder().decode(await lake.get(result.files[3]));
    assert.match(result.files[3], /hour=11\/orders\+0\+0000000006\.json$/);
    assert.equal(last.split("\n").length, 2);
    const again = await writeLakeFromRecords(lake, records.slice(0, 1), {
      partitions: 1,
      startOffsets: result.nextOffsets,
    });
    assert.match(again.files[0], /orders\+0\+0000000007\.json$/);
  });
});
