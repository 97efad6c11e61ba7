import assert from "node:assert/strict";
import {
  CATEGORIES,
  CLICK_EVENTS,
  DELIVERY_STATUSES,
  DEVICES,
  ORDER_STATUSES,
  ORIGINAL_FIELDS,
  PAGES,
  PAYMENT_METHODS,
  PROFILE_ACTIONS,
  REFERRERS,
  type Topic,
  TOPICS,
} from "../../lib/schema/events.ts";
import { parseEventTime } from "../../lib/schema/event_time.ts";
import {
  ORIGINAL_CITIES,
  OriginalSimulation,
  pythonFloat,
  pythonString,
  type SimRecord,
  simulate,
  writeSimulation,
} from "../../lib/simulate/mod.ts";
import { START } from "./_fixtures.ts";

const WALL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function records(options: Parameters<typeof simulate>[0]): SimRecord[] {
  return [...simulate({ start: START, format: "original", ...options })];
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

Deno.test("original records have exactly the producers' fields, order, formats and keys", () => {
  const all = records({ seed: 5, events: 8000, faults: "none", zone: "Europe/Berlin" });
  assert.equal(all.length, 8000);
  const orderNumbers: number[] = [];
  for (const r of all) {
    const e = JSON.parse(r.value);
    assert.deepEqual(Object.keys(e), ORIGINAL_FIELDS[r.topic], r.value);
    assert.match(e.timestamp, WALL);
    assert.equal(r.format, "original");
    // Python's json.dumps: ", " and ": " between tokens.
    assert.ok(r.value.startsWith('{"') && r.value.includes('", "') && r.value.includes('": '));
    if (r.topic === "clickstream") {
      assert.equal(r.key, null);
      assert.ok(CLICK_EVENTS.includes(e.event) && PAGES.includes(e.page));
      assert.ok(REFERRERS.includes(e.referrer) && DEVICES.includes(e.device));
      assert.equal(r.eventType, e.event);
    } else if (r.topic === "orders") {
      assert.equal(r.key, e.order_id);
      orderNumbers.push(Number(e.order_id.slice(6)));
      assert.ok(e.items.length >= 1 && e.items.length <= 5);
      let cents = 0;
      for (const item of e.items) {
        assert.deepEqual(Object.keys(item), ["product_id", "quantity", "price"]);
        const p = Number(item.product_id.slice(5));
        assert.ok(item.product_id === `prod_${p}` && p >= 1 && p <= 1000);
        assert.ok(Number.isInteger(item.quantity) && item.quantity >= 1 && item.quantity <= 5);
        assert.ok(item.price >= 10 && item.price <= 100);
        assert.equal(Math.round(item.price * 100) / 100, item.price);
        cents += item.quantity * Math.round(item.price * 100);
      }
      assert.equal(Math.round(e.total_amount * 100), cents);
      assert.ok(PAYMENT_METHODS.includes(e.payment_method) && ORDER_STATUSES.includes(e.status));
    } else if (r.topic === "user-profiles") {
      assert.equal(r.key, e.user_id);
      const n = e.user_id.slice(5);
      assert.deepEqual(e.details, {
        email: `user${n}@example.com`,
        name: `User${n}`,
        preferred_category: e.details.preferred_category,
      });
      assert.ok(CATEGORIES.includes(e.details.preferred_category));
      assert.ok(PROFILE_ACTIONS.includes(e.action));
    } else {
      assert.equal(r.key, e.order_id);
      const n = Number(e.order_id.slice(6));
      assert.ok(n >= 1 && n <= 50_000);
      const dp = Number(e.delivery_person_id.slice(3));
      assert.ok(dp >= 1 && dp <= 1000);
      assert.ok(DELIVERY_STATUSES.includes(e.status));
      assert.ok(ORIGINAL_CITIES.includes(e.current_location), e.current_location);
    }
    if (r.topic !== "clickstream") {
      const n = Number(String(e.user_id ?? "user_1").slice(5));
      assert.ok(n >= 1 && n <= 100_000);
    }
  }
  // order_id counts up from 1.
  assert.deepEqual(orderNumbers, orderNumbers.map((_, i) => i + 1));
});

Deno.test("original values are drawn independently and uniformly", () => {
  const all = records({ seed: 9, events: 40_000, faults: "none" });
  const share = (topic: Topic, field: string, values: readonly string[]) => {
    const events = all.filter((r) => r.topic === topic).map((r) => JSON.parse(r.value));
    for (const v of values) {
      const s = events.filter((e) => e[field] === v).length / events.length;
      assert.ok(Math.abs(s - 1 / values.length) < 0.02, `${field}=${v}: ${s}`);
    }
  };
  share("clickstream", "event", CLICK_EVENTS);
  share("clickstream", "device", DEVICES);
  share("orders", "status", ORDER_STATUSES);
  share("delivery-status", "status", DELIVERY_STATUSES);
  // The four producers share the records evenly, interleaved in time.
  for (const topic of TOPICS) {
    const n = all.filter((r) => r.topic === topic).length;
    assert.ok(Math.abs(n / all.length - 0.25) < 0.01, `${topic}: ${n}`);
  }
  // Users are spread over the whole range, not a simulated population.
  const users = new Set(
    all.filter((r) => r.topic === "clickstream").map((r) => JSON.parse(r.value).user_id),
  );
  assert.ok(users.size > 9000, `${users.size} distinct users in 10k clicks`);
});

Deno.test("Python's number and string formats", () => {
  assert.equal(pythonFloat(50), "50.0");
  assert.equal(pythonFloat(12.5), "12.5");
  assert.equal(pythonFloat(0.1 + 0.2), "0.30000000000000004");
  assert.equal(pythonString("São Paulo, Brazil"), '"S\\u00e3o Paulo, Brazil"');
  assert.equal(JSON.parse(pythonString("Bogotá")), "Bogotá");
  const all = records({ seed: 2, events: 4000, faults: "none" });
  for (const r of all) assert.match(r.value, /^[\x20-\x7e]+$/, "ASCII only, as ensure_ascii");
  assert.ok(all.some((r) => /"price": \d+\.0[,}]/.test(r.value) || /\\u00/.test(r.value)));
});

Deno.test("wall-clock timestamps are in the zone and read back as the manifest's span", () => {
  for (const zone of ["UTC", "Asia/Kolkata", "America/New_York"]) {
    const sim = new OriginalSimulation({
      seed: 3,
      events: 2000,
      faults: "none",
      start: START,
      zone,
    });
    const times = [...sim].map((r) => parseEventTime(JSON.parse(r.value).timestamp, zone)!);
    const m = sim.manifest;
    assert.equal(m.format, "original");
    assert.equal(m.schemaVersion, "0");
    assert.equal(m.zone, zone);
    assert.equal(new Date(Math.min(...times)).toISOString(), m.totals.first);
    assert.equal(new Date(Math.max(...times)).toISOString(), m.totals.last);
    assert.ok(Math.min(...times) >= START.getTime() - 1000);
  }
});

Deno.test("original fault counts equal an independent recount of the output", () => {
  const zone = "Europe/Berlin";
  const sim = new OriginalSimulation({
    seed: 11,
    events: 20_000,
    faults: "heavy",
    start: START,
    zone,
  });
  const lines = Object.fromEntries(TOPICS.map((t) => [t, [] as string[]])) as Record<
    Topic,
    string[]
  >;
  for (const r of sim) lines[r.topic].push(r.value);
  const m = sim.manifest;
  for (const topic of TOPICS) {
    const c = {
      records: 0,
      valid: 0,
      duplicates: 0,
      nulls: 0,
      late: 0,
      malformed: 0,
      unknownField: 0,
      noCountry: 0,
    };
    const seen = new Set<string>();
    let max = -Infinity;
    for (const line of lines[topic]) {
      c.records++;
      const e = parse(line);
      if (e === undefined) {
        c.malformed++;
        continue;
      }
      if (seen.has(line)) c.duplicates++;
      seen.add(line);
      const t = parseEventTime(e.timestamp, zone)!;
      if (t < max) c.late++;
      else max = t;
      const nulls = ORIGINAL_FIELDS[topic].some((f) => e[f] === null);
      const unknown = Object.keys(e).some((k) => !ORIGINAL_FIELDS[topic].includes(k));
      const bare = topic === "delivery-status" && typeof e.current_location === "string" &&
        !e.current_location.includes(", ");
      if (nulls) c.nulls++;
      if (unknown) c.unknownField++;
      if (bare) c.noCountry++;
      if (!nulls && !unknown && !bare) c.valid++;
    }
    const { first: _f, last: _l, types: _t, ...counted } = m.topics[topic];
    assert.deepEqual(c, counted, topic);
    for (const k of ["duplicates", "nulls", "late", "malformed", "unknownField"] as const) {
      assert.ok(counted[k] > 0, `${topic}: some ${k}`);
    }
  }
  assert.ok(m.topics["delivery-status"].noCountry > 0);
});

Deno.test("original runs are deterministic, and written files equal the iterated records", async () => {
  const options = { seed: 4, events: 3000, start: START, format: "original" as const };
  const a = [...simulate(options)].map((r) => r.value).join("\n");
  assert.equal([...simulate(options)].map((r) => r.value).join("\n"), a);
  assert.notEqual([...simulate({ ...options, seed: 5 })].map((r) => r.value).join("\n"), a);
  const dir = await Deno.makeTempDir();
  try {
    const manifest = await writeSimulation(dir, options);
    const all = [...simulate(options)];
    for (const topic of TOPICS) {
      const text = await Deno.readTextFile(`${dir}/${topic}.jsonl`);
      const expected = all.filter((r) => r.topic === topic).map((r) => r.value + "\n").join("");
      assert.equal(text, expected, topic);
      assert.equal(manifest.topics[topic].records, all.filter((r) => r.topic === topic).length);
    }
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`)).format, "original");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
