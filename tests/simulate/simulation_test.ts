import assert from "node:assert/strict";
import { TOPICS } from "../../lib/schema/events.ts";
import { manifest, simulate, writeSimulation } from "../../lib/simulate/mod.ts";
import { clean, parse, recount, run, START } from "./_fixtures.ts";

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function hashDir(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const name of [...TOPICS.map((t) => `${t}.jsonl`), "manifest.json"]) {
    parts.push(`${name}:${await sha256(await Deno.readFile(`${dir}/${name}`))}`);
  }
  return parts.join(",");
}

Deno.test("the same seed writes byte-identical files and a different seed does not", async () => {
  const dirs = await Promise.all([0, 1, 2].map(() => Deno.makeTempDir()));
  try {
    await writeSimulation(dirs[0], { seed: 5, events: 3000, start: START });
    await writeSimulation(dirs[1], { seed: 5, events: 3000, start: START });
    await writeSimulation(dirs[2], { seed: 6, events: 3000, start: START });
    const [a, b, c] = await Promise.all(dirs.map(hashDir));
    assert.equal(a, b);
    assert.notEqual(a, c);
  } finally {
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("iterating a simulation twice yields the same records", () => {
  const sim = simulate({ seed: 9, events: 2000, start: START });
  const first = [...sim].map((r) => r.value);
  const second = [...sim].map((r) => r.value);
  assert.deepEqual(first, second);
});

Deno.test("a simulation emits exactly the requested number of records", () => {
  for (const events of [0, 1, 7, 1234]) {
    const m = manifest({ seed: 3, events, start: START, faults: "heavy" });
    assert.equal(m.totals.records, events);
  }
  assert.equal([...simulate({ events: 999, start: START })].length, 999);
});

Deno.test("written files hold exactly the manifest's records, one per line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const m = await writeSimulation(dir, { seed: 4, events: 2500, start: START });
    const onDisk = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    assert.deepEqual(onDisk, m);
    const expected = run({ seed: 4, events: 2500 });
    for (const topic of TOPICS) {
      const text = await Deno.readTextFile(`${dir}/${topic}.jsonl`);
      assert.equal(text, expected.lines[topic].map((l) => l + "\n").join(""));
      assert.equal(m.topics[topic].records, expected.lines[topic].length);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("written files equal the iterated records under heavy faults at a high rate", async () => {
  // A short span packs many records per minute: late records pile up and leave in bursts.
  const dir = await Deno.makeTempDir();
  try {
    const options = { seed: 8, events: 30000, faults: "heavy", span: 3600_000 } as const;
    const m = await writeSimulation(dir, { ...options, start: START });
    const expected = run(options);
    assert.deepEqual(m, expected.manifest);
    for (const topic of TOPICS) {
      const text = await Deno.readTextFile(`${dir}/${topic}.jsonl`);
      assert.equal(text, expected.lines[topic].map((l) => l + "\n").join(""));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fault counts in the manifest equal an independent recount of the output", () => {
  for (const faults of ["default", "heavy"] as const) {
    const { lines, manifest: m } = run({ seed: 11, events: 20000, faults });
    for (const topic of TOPICS) {
      const { first: _f, last: _l, types: _t, ...counted } = m.topics[topic];
      assert.deepEqual(recount(topic, lines[topic]), counted, `${faults} ${topic}`);
    }
  }
});

Deno.test("every fault kind turns up under the default preset and none under 'none'", () => {
  const { manifest: m } = run({ seed: 12, events: 20000 });
  const t = m.totals;
  for (const kind of ["duplicates", "nulls", "late", "malformed", "unknownField"] as const) {
    assert.ok(t[kind] > 0.005 * t.records && t[kind] < 0.02 * t.records, `${kind} ${t[kind]}`);
  }
  assert.ok(m.topics["delivery-status"].noCountry > 0);
  const none = manifest({ seed: 12, events: 20000, faults: "none", start: START }).totals;
  assert.equal(none.valid, none.records);
  assert.equal(none.duplicates + none.nulls + none.late + none.malformed, 0);
  assert.equal(none.unknownField + none.noCountry, 0);
});

Deno.test("fault presets change the faults, not the world behind them", () => {
  // Same options but the preset: the faulty run covers a shorter stretch of the same world.
  const faulty = run({ seed: 13, events: 5000, faults: "heavy" });
  const pure = run({ seed: 13, events: 5000, faults: "none" });
  for (const topic of TOPICS) {
    const byId = new Map(pure.lines[topic].map((l) => [parse(l)!.event_id, l]));
    for (const line of faulty.lines[topic]) {
      const event = parse(line);
      if (event === undefined || !clean(topic, [line]).length) continue;
      assert.equal(byId.get(event.event_id), line);
    }
  }
});

Deno.test("records span the requested window, starting at its start", () => {
  const m = manifest({ seed: 14, events: 20000, start: START, span: 24 * 3600_000 });
  const first = Date.parse(m.totals.first!);
  const last = Date.parse(m.totals.last!);
  assert.ok(first >= START.getTime());
  assert.ok(first - START.getTime() < 3600_000);
  const end = START.getTime() + 24 * 3600_000;
  assert.ok(Math.abs(last - end) < 0.1 * 24 * 3600_000, `last ${m.totals.last}`);
});

Deno.test("without a start the span ends at the injected clock's now", () => {
  const now = new Date("2027-01-01T00:00:00.000Z");
  const m = manifest({ events: 10, span: 3600_000, now: () => now });
  assert.equal(m.end, now.toISOString());
  assert.equal(m.start, "2026-12-31T23:00:00.000Z");
});

Deno.test("a bad option is rejected up front, naming it", () => {
  assert.throws(() => simulate({ events: -1 }), /events/);
  assert.throws(() => simulate({ seed: 1.5 }), /seed/);
  // @ts-expect-error: not a preset
  assert.throws(() => simulate({ faults: "lots" }), /faults/);
  assert.throws(() => simulate({ span: 0 }), /span/);
  assert.throws(() => simulate({ start: new Date("nope") }), /start/);
});

Deno.test("record keys, event types and timestamps match the JSON they carry", () => {
  for (const record of simulate({ seed: 15, events: 3000, start: START, faults: "none" })) {
    const event = JSON.parse(record.value);
    assert.equal(
      record.key,
      record.topic === "orders" || record.topic === "delivery-status"
        ? event.order_id
        : event.user_id,
    );
    assert.equal(record.timestamp, Date.parse(event.timestamp));
    const type = {
      "clickstream": event.event,
      "orders": "order",
      "user-profiles": event.action,
      "delivery-status": event.status,
    }[record.topic];
    assert.equal(record.eventType, type);
    assert.equal(record.value, JSON.stringify(event), "lines are canonical JSON");
  }
});
