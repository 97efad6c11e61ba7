/**
 * Property tests (fast-check, fixed seed) for the lake layout: every file path reads back as
 * what made it, and the rotation rules make the same files from any file boundary (what lets a
 * replay after a crash rewrite identical files: exactly once in the lake).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { hourFolder, hourStart, parseRawPath, rawPath, recordTime } from "../../lib/lake/mod.ts";
import { planFiles } from "../../lib/sink/mod.ts";

const RUNS = { seed: 20261126, numRuns: 1000 };
/** 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z: the years a 4-digit folder holds. */
const FIRST = Date.parse("0000-01-01T00:00:00.000Z");
const LAST = Date.parse("9999-12-31T23:59:59.999Z");
const topics = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/);

Deno.test("a raw file path reads back as the topic, partition, offset and hour that made it", () => {
  fc.assert(
    fc.property(
      topics,
      fc.nat(100_000),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: FIRST, max: LAST }),
      (topic, partition, startOffset, time) => {
        const hour = hourStart(time);
        const path = rawPath({ topic, partition, startOffset, hour });
        assert.deepEqual(parseRawPath(path), { topic, partition, startOffset, hour }, path);
        const d = new Date(time);
        const pad = (n: number, w = 2) => String(n).padStart(w, "0");
        assert.equal(
          hourFolder(time),
          `year=${pad(d.getUTCFullYear(), 4)}/month=${pad(d.getUTCMonth() + 1)}/day=${
            pad(d.getUTCDate())
          }/hour=${pad(d.getUTCHours())}`,
        );
        assert.ok(path.endsWith(`+${String(startOffset).padStart(10, "0")}.json`));
      },
    ),
    RUNS,
  );
});

Deno.test("a timestamp outside the years a folder can hold falls back to the Kafka time", () => {
  const far = fc.oneof(
    fc.integer({ min: -8.64e15, max: FIRST - 1 }),
    fc.integer({ min: LAST + 1, max: 8.64e15 }),
  );
  fc.assert(
    fc.property(far, fc.integer({ min: 0, max: 2 ** 42 }), (t, kafka) => {
      assert.equal(recordTime({ timestamp: new Date(t).toISOString() }, kafka), kafka);
    }),
    RUNS,
  );
});

/** One partition's records: increasing offsets (gaps: dead letters), times within a few hours. */
const partitionRecords = fc.array(
  fc.record({
    gap: fc.integer({ min: 1, max: 3 }),
    dt: fc.integer({ min: -600_000, max: 900_000 }),
  }),
  { minLength: 1, maxLength: 120 },
).map((steps) => {
  let offset = -1;
  let time = Date.parse("2026-11-30T22:00:00Z");
  return steps.map(({ gap, dt }, i) => {
    offset += gap;
    time += dt;
    return { offset, time, value: `{"n":${i}}` };
  });
});
const rotations = fc.record({
  flushSize: fc.integer({ min: 1, max: 20 }),
  rotateIntervalMs: fc.constantFrom(0, 60_000, 600_000, 3_600_000),
});

Deno.test("files hold every record once, in order, and a replay from any file boundary makes the same files", () => {
  fc.assert(
    fc.property(partitionRecords, rotations, (records, rotation) => {
      const files = planFiles("orders", 1, records, rotation);
      const dec = new TextDecoder();
      // Every record in exactly one file, in offset order, each file in one hour folder.
      const lines = files.flatMap((f) => dec.decode(f.data).split("\n").slice(0, -1));
      assert.deepEqual(lines, records.map((r) => r.value));
      let at = 0;
      for (const f of files) {
        const mine = records.slice(at, at + f.records);
        at += f.records;
        assert.ok(f.records >= 1 && f.records <= rotation.flushSize);
        assert.equal(f.startOffset, mine[0].offset);
        assert.equal(f.endOffset, mine.at(-1)!.offset);
        assert.ok(mine.every((r) => hourStart(r.time) === f.hour));
        assert.deepEqual(parseRawPath(f.path)?.startOffset, f.startOffset);
      }
      assert.equal(
        new Set(files.map((f) => f.path)).size,
        files.length,
        "no two files share a name",
      );
      // A sink resuming at a file's first offset (its committed offset) rewrites the same files.
      for (const [k, f] of files.entries()) {
        const resumed = planFiles(
          "orders",
          1,
          records.filter((r) => r.offset >= f.startOffset),
          rotation,
        );
        assert.deepEqual(
          resumed.map((x) => [x.path, dec.decode(x.data)]),
          files.slice(k).map((x) => [x.path, dec.decode(x.data)]),
        );
      }
    }),
    { ...RUNS, numRuns: 300 },
  );
});
