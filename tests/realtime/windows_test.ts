import assert from "node:assert/strict";
import { slidingWindows, tumblingWindow, WindowStore } from "../../lib/realtime/mod.ts";

const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;

Deno.test("an event at exactly 10:01:00.000 belongs to [10:01, 10:02)", () => {
  assert.equal(tumblingWindow(t("2026-11-26T10:01:00.000Z"), MIN), t("2026-11-26T10:01:00.000Z"));
  assert.equal(tumblingWindow(t("2026-11-26T10:00:59.999Z"), MIN), t("2026-11-26T10:00:00.000Z"));
  assert.equal(tumblingWindow(t("2026-11-26T10:01:59.999Z"), MIN), t("2026-11-26T10:01:00.000Z"));
});

Deno.test("sliding windows hold an event from its start up to, not including, their end", () => {
  // 5-minute windows every minute: an event at 10:05:00.000 is in [10:01, 10:06) … [10:05, 10:10).
  const starts = slidingWindows(t("2026-11-26T10:05:00.000Z"), 5 * MIN, MIN);
  assert.deepEqual(
    starts.map((s) => new Date(s).toISOString().slice(11, 16)),
    ["10:01", "10:02", "10:03", "10:04", "10:05"],
  );
  const before = slidingWindows(t("2026-11-26T10:04:59.999Z"), 5 * MIN, MIN);
  assert.equal(new Date(before[0]).toISOString().slice(11, 16), "10:00");
});

Deno.test("a window store finalizes windows only once the watermark reaches their end", () => {
  const store = new WindowStore<Set<string>, number>(MIN, () => new Set(), (s) => s.size);
  store.at(0).add("a");
  store.at(MIN).add("b");
  store.close(MIN - 1);
  assert.equal(store.openCount, 2);
  store.close(MIN);
  assert.equal(store.openCount, 1);
  assert.deepEqual(store.entries(), [[0, 1], [MIN, 1]]);
});
