// %% [markdown]
// # 01 · Produce: a seeded shop sends events to Kafka
//
// **Goal:** generate a consistent stream of shop events and send it to the four Kafka topics.
//
// The original project produced each topic from independent random draws (an order's user never
// browsed, a delivery's order never existed). Here one seeded simulation drives all four topics,
// so they agree with each other, and it injects realistic faults on purpose (duplicates, nulls,
// late events, malformed records) for the cleaning lessons to find.
//
// You will learn:
// - what each topic's events look like, and the keys they are sent with;
// - how a session becomes a funnel of clicks, and a checkout an order and a delivery;
// - that the same seed gives the same records, and that Kafka holds exactly what was sent.
//
// **Needs:** the local stack for sections 5–6 (`./dev stack up`); without it they are skipped.
// The lesson sends to topics of its own, `lesson01.<topic>`, made fresh and deleted at the end.

// %%
// Parameters
const SEED = 42; // same seed ⇒ same records
const EVENTS = 5_000; // records across the four topics, faults included
const START = new Date("2026-11-23T00:00:00Z"); // fixed: reruns are byte-identical
const SPAN_HOURS = 72;
const CLEAN_UP = true; // delete this lesson's topics at the end
const WRITE_TO_CLOUD = false; // send to a remote cluster (Confluent Cloud) only if true

// %%
import { loadConfig } from "../lib/config/mod.ts";
import { highWatermarks, produceRecords, topicName } from "../lib/kafka/mod.ts";
import { checkAnswer, lessonKafka } from "../lib/notebooks/mod.ts";
import { eventIdentity, KEY_FIELD, parseEventTime, TOPICS } from "../lib/schema/mod.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { chart, Plot, table } from "../lib/viz/mod.ts";

const config = loadConfig();
const options = { seed: SEED, events: EVENTS, start: START, span: SPAN_HOURS * 3_600_000 };
const records = [...simulate(options)];
// Some records are malformed on purpose: parse leniently.
const parse = (value: string) => {
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
};
const kafka = await lessonKafka(config, "lesson01", { writeToCloud: WRITE_TO_CLOUD, dlq: false });
console.log(kafka.available ? `Kafka: topics ${kafka.prefix}*` : `Kafka skipped: ${kafka.reason}`);

// %% [markdown]
// ## 1. The four topics
// One sample event per topic, with the key it is sent under. Every event carries an `event_id`
// (the de-duplication key) and an ISO-8601 UTC `timestamp`.

// %%
const samples = TOPICS.map((topic) => {
  const record = records.find((r) => r.topic === topic && parse(r.value))!;
  const key = `${KEY_FIELD[topic]} = ${record.key}`;
  return { topic, key, value: record.value.slice(0, 140) + "…" };
});
table(samples, "One event per topic");

// %% [markdown]
// ## 2. How many of each, and which faults
// The simulation counts every fault it injects in its manifest, so later lessons can check that
// cleaning removed exactly those. **What you should see:** clickstream dominates; a few percent
// of faults per topic.

// %%
const sim = simulate(options);
for (const _ of sim); // run it to fill the manifest
const manifest = sim.manifest;
table(
  TOPICS.map((t) => {
    const { records, valid, duplicates, nulls, late, malformed, unknownField, noCountry } =
      manifest.topics[t];
    return {
      topic: t,
      records,
      valid,
      duplicates,
      nulls,
      late,
      malformed,
      unknownField,
      noCountry,
    };
  }),
  "Records and injected faults per topic",
);

// %% [markdown]
// ## 3. The funnel inside the clickstream
// Sessions move home page → search → product page → add to cart → checkout; fewer reach each
// step.

// %%
const steps = ["page_view", "search", "click", "add_to_cart", "checkout"];
const sessionsAt = steps.map((step) => {
  const sessions = new Set<string>();
  for (const r of records) {
    if (r.topic !== "clickstream" || r.eventType !== step) continue;
    const session = parse(r.value)?.session_id;
    if (session) sessions.add(session);
  }
  return { step, sessions: sessions.size };
});
chart({
  title: "Sessions reaching each clickstream event",
  marginLeft: 90,
  x: { grid: true, label: "sessions" },
  y: { domain: steps, label: null },
  marks: [Plot.barX(sessionsAt, { x: "sessions", y: "step", fill: "steelblue" }), Plot.ruleX([0])],
});

// %% [markdown]
// ## 4. Events over time
// Sessions arrive with a daily cycle: quiet nights, busy evenings. Hourly record counts per
// topic.

// %%
const hourly = new Map<string, number>();
for (const r of records) {
  const key = `${r.topic}|${Math.floor(r.timestamp / 3_600_000) * 3_600_000}`;
  hourly.set(key, (hourly.get(key) ?? 0) + 1);
}
const series = [...hourly].map(([k, count]) => {
  const [topic, hour] = k.split("|");
  return { topic, hour: new Date(Number(hour)), count };
});
chart({
  title: "Records per hour of event time",
  width: 760,
  color: { legend: true, type: "categorical" },
  marks: [Plot.lineY(series, { x: "hour", y: "count", stroke: "topic" }), Plot.ruleY([0])],
});

// %% [markdown]
// ## 5. Send a burst to Kafka
// An idempotent producer with acks=all sends the records in order, in batches; each record gets
// its key, its event time as the Kafka timestamp, and two headers (`event-type`,
// `schema-version`). The lesson's topics start empty; we read every partition's high watermark
// before and after.

// %%
const offsets = async () =>
  Object.fromEntries(
    await Promise.all(TOPICS.map(async (t) => {
      const hw = await highWatermarks(kafka.kafka!, topicName(kafka.config, t));
      return [t, [...hw.values()].reduce((a, b) => a + b, 0)] as const;
    })),
  );
let check: Array<Record<string, string | number>> = [];
if (kafka.available) {
  await kafka.reset();
  const before = await offsets();
  const stats = await produceRecords(kafka.kafka!, kafka.config, records);
  const after = await offsets();
  console.log(`sent ${stats.sent} records to ${kafka.prefix}*, ${stats.failed} failed`);
  check = TOPICS.map((t) => ({
    topic: topicName(kafka.config, t),
    before: before[t],
    after: after[t],
    added: after[t] - before[t],
    manifest: manifest.topics[t].records,
  }));
} else console.log(`skipped: ${kafka.reason}`);

// %% [markdown]
// ## 6. Read the offsets back
// **What you should see:** for every topic, the offsets grew by exactly the records the manifest
// counts.

// %%
if (kafka.available) {
  await Deno.jupyter.display(table(check, "Per-topic offsets (sum over partitions)"));
  if (check.some((c) => c.added !== c.manifest)) {
    throw new Error("Kafka does not hold exactly what was sent");
  }
  console.log("✔ Kafka holds exactly the simulated records");
} else console.log(`skipped: ${kafka.reason}`);

// %% [markdown]
// ## 7. Records from other producers
// Topics may also hold records we did not write, such as the original project's Python
// producers': no `event_id` or `session_id`, a wall-clock `timestamp` like `2026-11-23 14:05:09`
// in the producer's local time, clickstream sent without a key. `simulate({ format: "original" })`
// writes exactly those. Every stage reads them with **one** event-time rule (wall-clock times in
// `EVENT_TIME_ZONE`) and tells events apart by `event_id`, or by a hash of the content when there
// is none. **What you should see:** both formats get an event time; the original record a `c:`
// identity.

// %%
const zone = config.eventTimeZone;
const original = [...simulate({ seed: SEED, events: 8, start: START, format: "original", zone })];
table(
  original.slice(0, 4).map((r) => ({
    topic: r.topic,
    key: r.key ?? "(none)",
    value: r.value.slice(0, 110) + "…",
  })),
  "The original producers' records",
);

// %%
const ours = records.find((r) => r.topic === "clickstream" && parse(r.value))!;
const both = [original.find((r) => r.topic === "clickstream")!, ours].map((r, i) => {
  const event = JSON.parse(r.value);
  const time = parseEventTime(event.timestamp, zone);
  return {
    format: i === 0 ? "original" : "v1",
    timestamp: event.timestamp,
    "event time (UTC)": time === null ? null : new Date(time).toISOString(),
    identity: eventIdentity(event),
  };
});
if (both.some((b) => b["event time (UTC)"] === null) || !both[0].identity?.startsWith("c:")) {
  throw new Error("both formats should get an event time, the original a content key");
}
table(both, `One event-time rule (EVENT_TIME_ZONE = ${zone}), one identity rule`);

// %% [markdown]
// The README's "Feeding it from other producers" shows how to point the original producers at
// this broker; `deno task produce --format original` sends their records from here.
//
// The same records come from the command line: `deno task simulate --seed 42 --events 5000
// --start 2026-11-23T00:00:00Z --span 72h --out data/sim` writes them as files, and
// `deno task produce` with the same flags sends them.
//
// ## Try it
// How many records did the simulation make for the `orders` topic, faults included? Count them
// in `records` (each has a `topic`) and put the number in `ORDERS`.

// %%
const ORDERS = undefined; // your answer, e.g. records.filter(…).length

// %%
console.log(checkAnswer(ORDERS, manifest.topics.orders.records, {
  task: "count the records of the orders topic",
  hint: "records.filter((r) => r.topic === 'orders').length",
}));

// %% [markdown]
// ## Tidy up
// The lesson's topics go (set `CLEAN_UP = false` to keep them and read them with
// `./dev kafka console-consumer --topic lesson01.orders --from-beginning`).

// %%
if (CLEAN_UP && kafka.available) {
  console.log(`✔ deleted ${(await kafka.cleanUp()).length} topics (${kafka.prefix}*)`);
} else console.log(kafka.available ? "kept the topics" : "no topics were made");

// %% [markdown]
// **Next:** [02 · Real-time analytics](02-realtime.ipynb): windows, funnels and live charts over
// these topics.
