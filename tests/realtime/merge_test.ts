/**
 * A bounded replay's merge (`_merge.ts`): whatever order the fetches bring batches in, the
 * records go on in one order that depends on the log only.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";

import {
  type MergePartition,
  type MergeRecord,
  PAUSE_ABOVE,
  ReplayMerge,
} from "../../lib/realtime/_merge.ts";
import type { Topic } from "../../lib/schema/events.ts";

const message = (offset: number, timestamp: number, value: string | null = null): MergeRecord => ({
  offset: String(offset),
  timestamp: String(timestamp),
  value: value === null ? null : Buffer.from(value),
});

const partition = (i: number): MergePartition => ({
  key: `t/${i}`,
  topic: "clickstream" as Topic,
  source: `clickstream/${i}`,
  partition: i,
});

/** The definition: each partition in offset order, the smallest (timestamp, partition) next. */
function reference(logs: number[][]): string[] {
  const heads = logs.map(() => 0);
  const out: string[] = [];
  while (true) {
    let best = -1;
    for (let p = 0; p < logs.length; p++) {
      if (heads[p] === logs[p].length) continue;
      if (best < 0 || logs[p][heads[p]] < logs[best][heads[best]]) best = p;
    }
    if (best < 0) return out;
    out.push(`${best}:${heads[best]++}`);
  }
}

Deno.test("a replay's merge hands records on in one order, however the fetches interleave", () => {
  const logs = fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 30 }), {
    minLength: 1,
    maxLength: 6,
  });
  fc.assert(
    fc.property(logs, fc.infiniteStream(fc.nat()), (logs, choices) => {
      const parts = logs.map((_, i) => partition(i));
      const out: string[] = [];
      const merge = new ReplayMerge(parts, {
        emit: (p, m) => {
          assert.equal(m.value?.toString(), `${p.partition}:${m.offset}`, "its own value");
          out.push(`${p.partition}:${m.offset}`);
        },
      });
      // Fetches in a random order: a batch of 1–4 records of a random unfinished partition,
      // and a partition is closed once read to its end (some close when they are empty).
      const read = logs.map(() => 0);
      const closed = logs.map(() => false);
      const it = choices[Symbol.iterator]();
      const next = () => it.next().value as number;
      while (closed.some((c) => !c)) {
        const open = closed.flatMap((c, i) => (c ? [] : [i]));
        const p = open[next() % open.length];
        const n = Math.min(logs[p].length - read[p], 1 + (next() % 4));
        const batch = [];
        for (let k = 0; k < n; k++, read[p]++) {
          batch.push(message(read[p], logs[p][read[p]], `${p}:${read[p]}`));
        }
        merge.add(parts[p].key, batch);
        // Records left waiting become copies; the fetched ones are overwritten, as a reused
        // fetch buffer would be.
        merge.drain();
        for (const m of batch) m.value?.fill(0);
        if (read[p] === logs[p].length) {
          closed[p] = true;
          merge.close(parts[p].key);
          merge.drain();
        }
      }
      assert.deepEqual(out, reference(logs));
      assert.equal(merge.waiting, 0);
    }),
    { seed: 15, numRuns: 300 },
  );
});

Deno.test("a replay's merge waits for every open partition: its next record could come first", () => {
  const parts = [partition(0), partition(1)];
  const out: string[] = [];
  const merge = new ReplayMerge(parts, { emit: (p, m) => out.push(`${p.partition}:${m.offset}`) });
  merge.add("t/0", [message(0, 100), message(1, 200)]);
  assert.equal(merge.drain(), 0, "partition 1 has sent nothing yet");
  merge.add("t/1", [message(0, 150)]);
  merge.drain();
  assert.deepEqual(out, ["0:0", "1:0"], "then 1 is empty again: 0:1 at 200 waits");
  merge.close("t/1");
  merge.drain();
  assert.deepEqual(out, ["0:0", "1:0", "0:1"]);
  // A record with the same timestamp goes in the plan's order; an unreadable one first.
  const tie: string[] = [];
  const m2 = new ReplayMerge(parts, { emit: (p, m) => tie.push(`${p.partition}:${m.offset}`) });
  m2.add("t/1", [message(0, 5)]);
  m2.add("t/0", [message(0, 5), { ...message(1, 0), timestamp: "x" }]);
  m2.close("t/0");
  m2.close("t/1");
  m2.drain();
  assert.deepEqual(tie, ["0:0", "0:1", "1:0"], "in offset order within a partition, always");
});

Deno.test("a replay's merge pauses a partition far ahead and resumes it once half went", () => {
  const parts = [partition(0), partition(1)];
  const calls: string[] = [];
  let emitted = 0;
  const merge = new ReplayMerge(parts, {
    emit: () => emitted++,
    pause: (p, paused) => calls.push(`${p.partition}:${paused ? "pause" : "resume"}`),
  });
  const ahead = Array.from({ length: PAUSE_ABOVE + 1 }, (_, i) => message(i, 1000 + i));
  merge.add("t/0", ahead);
  assert.deepEqual(calls, ["0:pause"]);
  merge.add("t/1", [message(0, 1000 + PAUSE_ABOVE / 2 + 10)]);
  merge.drain();
  assert.deepEqual(calls, ["0:pause", "0:resume"], "resumed at half, before partition 1's turn");
  assert.equal(merge.waiting, PAUSE_ABOVE + 2 - emitted);
});
