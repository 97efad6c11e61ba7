import assert from "node:assert/strict";
import fc from "fast-check";
import { Deduper } from "../../lib/realtime/mod.ts";

Deno.test("de-duplication forgets ids once the watermark passes their bucket", () => {
  const d = new Deduper({ bucket: 60_000 });
  assert.equal(d.firstSeen("a", 10_000), true);
  assert.equal(d.firstSeen("b", 70_000), true);
  assert.equal(d.firstSeen("a", 10_000), false);
  d.forgetBefore(59_999);
  assert.equal(d.size, 2);
  d.forgetBefore(60_000);
  assert.equal(d.size, 1);
  assert.equal(d.firstSeen("b", 70_000), false);
});

/** The rule, spelled out: a Set of ids and, per bucket, the ids to forget with it. */
class Reference {
  ids = new Set<string>();
  buckets = new Map<number, string[]>();
  constructor(readonly bucket: number) {}
  firstSeen(id: string, t: number) {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    const b = Math.floor(t / this.bucket);
    this.buckets.set(b, [...this.buckets.get(b) ?? [], id]);
    return true;
  }
  forgetBefore(w: number) {
    for (const [b, list] of this.buckets) {
      if ((b + 1) * this.bucket <= w) {
        for (const id of list) this.ids.delete(id);
        this.buckets.delete(b);
      }
    }
  }
}

Deno.test("de-duplication answers as a Set with buckets would, through growth, tombstones and rebuilds", () => {
  // Ids from a small pool (many duplicates) or fresh (thousands: the table grows and rebuilds);
  // the watermark grows as in the aggregator, and events before it never reach the de-duplicator.
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("see" as const),
      id: fc.oneof(
        fc.integer({ min: 0, max: 50 }).map((n) => `e-${n}`),
        fc.uuid(),
        fc.string({ unit: "binary" }),
      ),
      ahead: fc.integer({ min: 0, max: 600_000 }),
      copies: fc.integer({ min: 1, max: 400 }),
    }),
    fc.record({ kind: fc.constant("advance" as const), by: fc.integer({ min: 0, max: 300_000 }) }),
  );
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 60 }),
      fc.integer({ min: 1, max: 120_000 }),
      (ops, size) => {
        const d = new Deduper({ bucket: size }), ref = new Reference(size);
        let watermark = 1_800_000_000_000;
        for (const o of ops) {
          if (o.kind === "advance") {
            watermark += o.by;
            d.forgetBefore(watermark);
            ref.forgetBefore(watermark);
          } else {
            // `copies` ids derived from this one: enough to fill and rebuild the table.
            for (let i = 0; i < o.copies; i++) {
              const id: string = i === 0 ? o.id : `${o.id}#${i}`;
              const t: number = watermark + ((o.ahead + i * 1_000) % 600_000);
              assert.equal(d.firstSeen(id, t), ref.firstSeen(id, t), id);
            }
          }
          assert.equal(d.size, ref.ids.size);
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("de-duplication keeps a replay's hundreds of thousands of ids and forgets them in bulk", () => {
  const d = new Deduper({ bucket: 60_000 });
  const t0 = 1_800_000_000_000;
  for (let i = 0; i < 300_000; i++) assert.equal(d.firstSeen(`id-${i}`, t0 + i * 10), true);
  for (let i = 0; i < 300_000; i += 997) assert.equal(d.firstSeen(`id-${i}`, t0 + i * 10), false);
  assert.equal(d.size, 300_000);
  d.forgetBefore(t0 + 2_940_000); // the buckets before minute 49 of 50
  const kept = d.size;
  assert.ok(kept > 0 && kept < 12_000, `${kept} kept`);
  for (let i = 299_000; i < 300_000; i++) assert.equal(d.firstSeen(`id-${i}`, t0 + i * 10), false);
  assert.equal(d.firstSeen("new", t0 + 3_000_000), true);
  assert.equal(d.size, kept + 1);
});

Deno.test("de-duplication finds an id behind forgotten ones in its probe chain", () => {
  // Ids of two minutes interleaved, so slots of the first sit in the second's probe chains;
  // after the first minute is forgotten, each id of the second is still found.
  const d = new Deduper({ bucket: 60_000 });
  const t0 = 1_800_000_000_000;
  for (let i = 0; i < 700; i++) {
    d.firstSeen(`old-${i}`, t0 + i);
    d.firstSeen(`new-${i}`, t0 + 60_000 + i);
  }
  d.forgetBefore(t0 + 60_000);
  assert.equal(d.size, 700);
  for (let i = 0; i < 700; i++) assert.equal(d.firstSeen(`new-${i}`, t0 + 60_000 + i), false);
  // The forgotten ones' slots are taken again, and each new id once only.
  for (let i = 0; i < 700; i++) assert.equal(d.firstSeen(`later-${i}`, t0 + 120_000 + i), true);
  for (let i = 0; i < 700; i++) assert.equal(d.firstSeen(`later-${i}`, t0 + 120_000 + i), false);
  assert.equal(d.size, 1400);
});
