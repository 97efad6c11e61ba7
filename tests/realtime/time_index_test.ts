/**
 * The time index the metrics forget idle sessions and open orders with must forget exactly what a
 * scan of every entry would: the keys whose time is below the horizon, none other, whatever the
 * order of times, moves, removals and sweeps.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { TimeIndex } from "../../lib/realtime/time_index.ts";

/** One step: set a key's time (new or moved either way), remove a key, or sweep at a horizon. */
type Op =
  | { kind: "set"; key: number; t: number }
  | { kind: "remove"; key: number }
  | { kind: "sweep"; by: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("set" as const),
    key: fc.integer({ min: 0, max: 30 }),
    t: fc.oneof(fc.integer({ min: -50, max: 400 }), fc.constant(-1e9)),
  }),
  fc.record({ kind: fc.constant("remove" as const), key: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant("sweep" as const), by: fc.integer({ min: 0, max: 40 }) }),
);

Deno.test("property: a sweep forgets exactly the keys a full scan would", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 25 }), fc.array(op, { maxLength: 200 }), (width, ops) => {
      const index = new TimeIndex(width);
      const live = new Map<string, { t: number; bucket: number }>();
      const model = new Map<string, number>();
      let horizon = -100;
      for (const step of ops) {
        if (step.kind === "set") {
          const key = `k${step.key}`;
          const state = live.get(key);
          if (state === undefined) {
            live.set(key, { t: step.t, bucket: index.file(key, step.t) });
          } else {
            state.t = step.t;
            state.bucket = index.file(key, step.t, state.bucket);
          }
          model.set(key, step.t);
        } else if (step.kind === "remove") {
          live.delete(`k${step.key}`);
          model.delete(`k${step.key}`);
        } else {
          horizon += step.by;
          index.sweep(horizon, (key) => {
            const state = live.get(key);
            if (state === undefined || state.t >= horizon) return state?.t;
            live.delete(key);
          });
          for (const [key, t] of model) if (t < horizon) model.delete(key);
          assert.deepEqual(
            new Map([...live].map(([k, s]) => [k, s.t])),
            model,
            `after a sweep at ${horizon}`,
          );
        }
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("a sweep keeps no filing of a bucket wholly before the horizon", () => {
  const index = new TimeIndex(10);
  const last = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    last.set(`s${i}`, i);
    index.file(`s${i}`, i);
  }
  index.file("far", -1e12); // a key far in the past: the sweep must not step bucket by bucket
  last.set("far", -1e12);
  last.set("s55", 75); // moved on: its filing in [50, 60) goes stale
  index.file("s55", 75, index.file("s55", 55));
  index.sweep(55, (key) => {
    const t = last.get(key)!;
    if (t >= 55) return t;
    last.delete(key);
  });
  assert.equal(last.size, 45);
  assert.equal(index.filings, 45, "bucket [50, 60) keeps only its keys at 56..59, not s55's stale");
  assert.throws(() => new TimeIndex(0), /width must be > 0/);
});
