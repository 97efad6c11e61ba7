/**
 * Reading batches other producers compressed (`lib/kafka/_codecs.ts`): LZ4 frames of every shape
 * the format allows and xerial-framed Snappy, decoded in memory; and on the real broker, batches
 * Kafka's own Java producer compressed with gzip, Snappy, LZ4 and Zstandard read back byte for
 * byte (ours, the original producers' and a malformed value in each), through a replay and the
 * sink's consumer alike.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import snappy from "snappyjs";
import { installCodecs, lz4Decompress, snappyDecompress } from "../../lib/kafka/_codecs.ts";
import { readToEnd } from "../../lib/kafka/mod.ts";
import { INTEGRATION } from "../_helpers.ts";
import { sinkOnceAudited } from "../_lakes.ts";
import { click as clickEvent } from "../realtime/_events.ts";
import { cliTopics, runScript } from "../_topics.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const bytes = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((p) => [...p]));

/** An LZ4 frame header: magic, flags (version 1 and `flags`), block size byte, checksum byte. */
function header(flags: number, contentSize?: number): number[] {
  const size = contentSize === undefined ? [] : [...u32(contentSize), 0, 0, 0, 0];
  return [...u32(0x184d2204), 0x40 | flags, 0x40, ...size, 0xaa];
}
/** A block stored as it is. */
const stored = (data: Uint8Array, checksum = false) => [
  ...u32(0x80000000 | data.length),
  ...data,
  ...(checksum ? [1, 2, 3, 4] : []),
];
/** A compressed block. */
const block = (data: number[], checksum = false) => [
  ...u32(data.length),
  ...data,
  ...(checksum ? [1, 2, 3, 4] : []),
];
const END = u32(0);

Deno.test("LZ4: stored and compressed blocks, overlapping matches, every optional field", () => {
  // "abc", then a match 3 back of 4 + 5 bytes (overlapping itself): "abcabcabcabc", then "!".
  const seq = [0x35, ...enc("abc"), 3, 0, 0x10, ...enc("!")];
  assert.equal(dec(lz4Decompress(bytes(header(0x20), block(seq), END))), "abcabcabcabc!");
  // Block checksums (after each block), content size and content checksum: skipped, not read as data.
  assert.equal(
    dec(lz4Decompress(bytes(header(0x10 | 0x08 | 0x04, 13), block(seq, true), END, [9, 9, 9, 9]))),
    "abcabcabcabc!",
  );
  // A stored block, then a block (dependent: flag 0x20 unset) matching into the one before it.
  const dependent = bytes(header(0), stored(enc("hello ")), block([0x02, 6, 0, 0x00]), END);
  assert.equal(dec(lz4Decompress(dependent)), "hello hello ");
  // Two frames back to back, a skippable frame between them; literal and match lengths past 15
  // (20 literals; a match of 4 + 15 + 255 + 26 = 300 bytes, one byte back).
  const long = "x".repeat(20);
  assert.equal(
    dec(lz4Decompress(bytes(
      header(0x20),
      block([0xf0, 20 - 15, ...enc(long)]),
      END,
      [...u32(0x184d2a53), ...u32(3), 7, 7, 7],
      header(0x20),
      block([0x1f, ...enc("y"), 1, 0, 255, 26]),
      END,
    ))),
    long + "y".repeat(301),
  );
  // A match that reaches before its frame, a cut-off block, a wrong magic: errors, not garbage.
  assert.throws(() => lz4Decompress(bytes(header(0x20), block([0x10, 65, 5, 0]), END)), /before/);
  assert.throws(() => lz4Decompress(bytes(header(0x20), u32(50), [1, 2])), /cut off/);
  assert.throws(() => lz4Decompress(bytes([1, 2, 3, 4, 5])), /not a frame/);
});

Deno.test("LZ4 and Snappy: any data round-trips; a cut or foreign frame is an Error", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (data, cut) => {
      // Stored blocks of any data round-trip; cut anywhere, the frame is an error.
      const frame = bytes(header(0x20), stored(data), stored(data.subarray(0, 7)), END);
      assert.deepEqual(lz4Decompress(frame), bytes(data, data.subarray(0, 7)));
      const short = frame.subarray(0, cut % frame.length);
      if (short.length > 0) assert.throws(() => lz4Decompress(short), Error);
      // Snappy, raw and in xerial's framing with two blocks.
      const raw = snappy.compress(data);
      assert.deepEqual(snappyDecompress(raw), data);
      const half = data.subarray(0, data.length >> 1), rest = data.subarray(data.length >> 1);
      const framed = bytes(
        [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1],
        ...[half, rest].flatMap((p) => {
          const c = snappy.compress(p);
          return [[
            c.length >>> 24,
            (c.length >> 16) & 0xff,
            (c.length >> 8) & 0xff,
            c.length & 0xff,
          ], c];
        }),
      );
      assert.deepEqual(snappyDecompress(framed), data);
      // Bytes that are not a frame: an Error (none at all: no frame, nothing).
      if (data.length > 0) assert.throws(() => lz4Decompress(data), Error);
      else assert.equal(lz4Decompress(data).length, 0);
    }),
    { seed: 20261129, numRuns: 500 },
  );
});

Deno.test("Snappy: the densest block reads; one claiming more than it can hold is refused", () => {
  // Runs of one byte compress to copies of 64 bytes for 3: the most a block can hold.
  for (const size of [64, 1000, 1 << 20]) {
    const data = new Uint8Array(size).fill(7);
    const raw = snappy.compress(data);
    assert.ok(size < 1 << 20 || size / raw.length > 21, `ratio ${size / raw.length}`);
    assert.deepEqual(snappyDecompress(raw), data);
  }
  // Seven bytes claiming 1 GiB (a varint of 2^30), raw and framed: refused by what it claims.
  const claim = bytes([0x80, 0x80, 0x80, 0x80, 0x04], [0x00, 0x41]);
  const framed = bytes(
    [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1],
    [0, 0, 0, claim.length],
    claim,
  );
  for (const input of [claim, framed]) {
    assert.throws(() => snappyDecompress(input), /length of 1073741824 is too big/);
  }
});

Deno.test("a batch that does not decode is a fatal error naming its codec (no endless refetch)", async () => {
  class Fatal extends Error {}
  // deno-lint-ignore no-explicit-any
  const table: Record<number, () => any> = {};
  installCodecs(table, Fatal);
  assert.deepEqual(Object.keys(table), ["2", "3", "4"]);
  for (const [type, name] of [[2, "Snappy"], [3, "LZ4"], [4, "ZSTD"]] as const) {
    await assert.rejects(
      table[type]().decompress(Buffer.from([0xff, 1, 2, 3, 4, 5, 6, 7])),
      (e: Error) => e instanceof Fatal && e.message.startsWith(`A ${name}-compressed record batch`),
    );
    assert.throws(() => table[type]().compress(), Fatal);
  }
  const lz4 = await table[3]().decompress(bytes(header(0x20), stored(enc("ok")), END));
  assert.ok(Buffer.isBuffer(lz4) && lz4.toString() === "ok");
});

/** Click number `i` (some with a non-ASCII page), as a record value. */
const click = (i: number) =>
  JSON.stringify(clickEvent(new Date(Date.now() - 3_600_000 + i).toISOString(), {
    event_id: `z${i}`,
    user_id: `user_${i % 7}`,
    page: i % 3 ? "home_page" : "página_inicial",
    session_id: `s${i % 5}`,
  }));

Deno.test({
  name: "batches Kafka's Java producer compressed (gzip, Snappy, LZ4, Zstandard) are read, " +
    "by a replay and by the sink",
  ...INTEGRATION,
  async fn() {
    const t = await cliTopics("codecs");
    try {
      const clicks = t.name("clickstream");
      const codecs = ["gzip", "snappy", "lz4", "zstd"];
      // Per codec: 200 of ours, one of the original producers' (no event_id, a wall-clock time)
      // and a Python dict printed instead of JSON (malformed: the DLQ, not the lake).
      const wallClock = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19).replace(
        "T",
        " ",
      );
      const batches = codecs.map((_, c) => [
        ...Array.from({ length: 200 }, (_, i) => click(c * 200 + i)),
        JSON.stringify({ user_id: `user_orig_${c}`, timestamp: wallClock, event: "click" }),
        `{'event': 'click', 'codec': ${c}}`,
      ]);
      const lines = batches.flat();
      for (const [c, codec] of codecs.entries()) {
        const produced = await runScript(
          "kafka",
          ["console-producer", "--topic", clicks, "--compression-codec", codec],
          {},
          batches[c].join("\n") + "\n",
        );
        assert.equal(produced.code, 0, produced.stderr);
      }
      const read = (await readToEnd(t.kafka, [clicks])).get(clicks)!;
      assert.deepEqual(read.map((r) => Buffer.from(r.value!).toString()).sort(), [...lines].sort());
      // A replay, a whole process: every record read and counted.
      const cli = await runScript("realtime", ["--once", "--from-beginning", "--json"], {
        KAFKA_TOPIC_PREFIX: t.kafkaConfig.topicPrefix,
      });
      assert.equal(cli.code, 0, cli.stderr);
      const totals = JSON.parse(cli.stdout).totals;
      assert.deepEqual(
        [totals.received, totals.accepted, totals.malformed],
        [lines.length, lines.length - 4, 4],
      );
      // The sink: every record in the lake or the DLQ, as the audit (reading Kafka again) finds it.
      const { result, audit } = await sinkOnceAudited(t);
      assert.deepEqual([result.records, result.dlq], [lines.length - 4, 4]);
      assert.deepEqual(audit.problems, []);
    } finally {
      await t.cleanup();
    }
  },
});
