// %% [markdown]
// # 02 · Real-time analytics: event-time windows, a funnel, live charts
//
// **Goal:** watch the shop's four topics as events flow, with metrics computed in *event time*,
// and charts that update in place in this notebook.
//
// You will learn:
// - why windows follow the events' own `timestamp` (event time), not the clock of arrival;
// - how a **watermark** (max event time seen − allowed lateness) decides which late events still
//   count, and how late, duplicate, malformed and null-field events are each handled;
// - how a session funnel (page_view → product page → add_to_cart → checkout → order) joins the
//   clickstream with orders by `session_id`;
// - how to update a chart in place in Jupyter (`Deno.jupyter.display` with a `display_id`).
//
// **Needs:** the local stack (`./dev stack up`). The lesson sends its own seeded burst to topics
// of its own, `lesson02.<topic>`, made fresh and deleted at the end. Without Kafka, the same
// records are handed to the aggregator directly, at the same rate, so the charts still move.

// %%
// Parameters
const SEED = 42;
const EVENTS = 12_000; // records in the burst, faults included
const RATE = 2_000; // records per second sent to Kafka
const START = new Date("2026-11-26T10:00:00Z"); // event time of the burst's first records
const SPAN_HOURS = 2; // event time the burst covers
const WINDOW_MS = 60_000; // tumbling window: 1 min
const LATENESS_MS = 5 * 60_000; // allowed lateness: 5 min
const RUN_SECONDS = 15; // how long the live charts run (longer if the burst is not in yet)
const MAX_SECONDS = 90; // hard stop
const CLEAN_UP = true; // delete this lesson's topics at the end
const WRITE_TO_CLOUD = false; // send to a remote cluster (Confluent Cloud) only if true

// %%
import { loadConfig } from "../lib/config/mod.ts";
import { partitionFor, produceRecords } from "../lib/kafka/mod.ts";
import { checkAnswer, lessonKafka } from "../lib/notebooks/mod.ts";
import { consumeInto, countRows, createAggregator, summaryRows } from "../lib/realtime/mod.ts";
import { eventsChart, funnelChart, revenueChart } from "../lib/realtime/charts.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { liveView, table } from "../lib/viz/mod.ts";

const config = loadConfig();
const kafka = await lessonKafka(config, "lesson02", { writeToCloud: WRITE_TO_CLOUD, dlq: false });
console.log(kafka.available ? `Kafka: topics ${kafka.prefix}*` : `Kafka skipped: ${kafka.reason}`);

// %% [markdown]
// ## 1. A burst of shop events, sent in the background
// The simulator writes a seeded, consistent story (users, sessions, orders, deliveries) salted
// with faults: duplicate sends, nulls, late records, malformed lines. We send it at `RATE`
// records per second and do not wait: the next cells read while it is being written.

// %%
const HOUR = 3_600_000;
const simOptions = {
  seed: SEED,
  events: EVENTS,
  faults: "default",
  span: SPAN_HOURS * HOUR,
} as const;
const sim = simulate({ ...simOptions, start: START });
const agg = createAggregator({ window: WINDOW_MS, lateness: LATENESS_MS });
let producing: Promise<{ sent: number }>;
if (kafka.available) {
  await kafka.reset();
  producing = produceRecords(kafka.kafka!, kafka.config, sim, { rate: RATE });
  console.log(`Sending ${EVENTS} records to ${kafka.prefix}* at ${RATE}/s`);
} else {
  // No broker: hand the records to the aggregator as a consumer would, one partition per key.
  const records = [...sim];
  const source = (r: (typeof records)[number]) =>
    `${r.topic}/${r.key === null ? 0 : partitionFor(r.key, config.kafka.partitions)}`;
  agg.expectSources(new Set(records.map(source)));
  producing = (async () => {
    for (let i = 0; i < records.length; i += RATE) {
      for (const r of records.slice(i, i + RATE)) agg.addLine(r.topic, r.value, source(r));
      await new Promise((r) => setTimeout(r, 1000));
    }
    return { sent: records.length };
  })();
  console.log(`Handing ${EVENTS} records to the aggregator at ${RATE}/s (no Kafka)`);
}
console.log(`Event time from ${START.toISOString()}, ${SPAN_HOURS} h`);

// %% [markdown]
// ## 2. Live charts while the events flow
// The aggregator is a plain object: the consumer hands it each record (`addLine`), and every
// second we take a `snapshot()` and redraw. Each chart keeps one output (its `display_id`) that
// is replaced in place. **What you should see:** bars growing minute by minute, then the funnel
// filling.

// %% tags=["volatile"]
// (Volatile: how far the burst got at each redraw depends on timing.)
const stop = new AbortController();
const consuming = kafka.available
  ? consumeInto(kafka.kafka!, kafka.config, agg, { fromBeginning: true, signal: stop.signal })
  : producing.then((s) => ({ records: s.sent }));
const views = ["rt-events", "rt-revenue", "rt-funnel"].map((id) => liveView({ id }));
const [events, revenue, funnel] = views;
const began = performance.now();
let sent = -1; // known once the burst is in
producing.then((s) => sent = s.sent);
for (let s = 0;; s++) {
  const snap = agg.snapshot();
  await events.show(eventsChart(snap));
  await revenue.show(revenueChart(snap));
  await funnel.show(funnelChart(snap));
  const elapsed = (performance.now() - began) / 1000;
  if ((elapsed >= RUN_SECONDS && snap.totals.received === sent) || elapsed >= MAX_SECONDS) break;
  await new Promise((r) => setTimeout(r, 1000));
}
stop.abort();
const stats = await consuming;
console.log(
  `Read ${stats.records} records; each chart was updated ${events.updates} times in place`,
);
console.log(`display ids: ${views.map((v) => v.id).join(", ")}`);

// %% [markdown]
// ## 3. What happened to every record
// Every record lands in exactly one outcome: **malformed** (not JSON, or no event_id / key /
// timestamp: counted, skipped), **late** (event time before the watermark: counted, not added),
// **duplicate** (an event_id already counted), or **accepted**. Accepted events with a null
// field are kept; each metric groups the null as `unknown` or leaves that one event out.
//
// The watermark follows the *slowest partition*: each partition is read in order, but the
// consumer interleaves the three partitions of each topic as the broker answers, and with one
// global maximum a partition that races ahead would make the others' events look late. The
// **late** records left are the ones the simulator held back on purpose, more than 5 minutes of
// event time.
//
// The slowest partition can also be a *quiet* one: a partition that nobody writes to for a while
// would hold every window open. In live mode the consumer marks a partition **idle** once it has
// been read to its end and stayed quiet for `idleTimeoutMs` (`--idle-timeout`, 10 s by default):
// it stops counting until its next record arrives, and the windows the busy partitions have
// passed close. A replay with `once` never uses the wall clock, so its result does not depend on
// timing.

// %% tags=["volatile"]
// (Volatile: which records arrive behind the watermark depends on how the broker interleaves
// the partitions.)
const snapshot = agg.snapshot();
table(countRows(snapshot), "Records per topic and outcome");

// %% tags=["volatile"]
// A check: every record of the burst was read, and each has exactly one outcome.
const t = snapshot.totals;
const expected = sim.manifest.totals;
if (t.received !== expected.records) throw new Error(`read ${t.received} of ${expected.records}`);
if (t.accepted + t.malformed + t.late + t.duplicates !== t.received) {
  throw new Error("outcomes do not add up");
}
if (t.malformed !== expected.malformed) {
  throw new Error("malformed count differs from the simulator's");
}
console.log(
  `✔ ${t.received} records read: ${t.accepted} accepted, ${t.malformed} malformed, ` +
    `${t.late} late, ${t.duplicates} duplicates`,
);

// %% [markdown]
// ## 4. Deliveries by country, and top products
// Delivery rates are shares of the terminal events (delivered, failed, returned) per country;
// delivery time runs from an order's first `picked_up` to its first `delivered` event. With a
// burst of only two hours of event time, few orders have been delivered yet.

// %% tags=["volatile"]
table(
  snapshot.deliveries.countries.slice(0, 8).map((c) => ({
    country: c.country,
    events: c.events,
    delivered: c.delivered,
    failed: c.failed,
    returned: c.returned,
    delivered_rate: c.deliveredRate,
    p50_min: c.p50Minutes,
    p90_min: c.p90Minutes,
  })),
  "Deliveries by country (first 8)",
);

// %% tags=["volatile"]
const { views: viewed, addToCart } = snapshot.topProducts;
table(
  viewed.slice(0, 5).map((v, i) => ({
    rank: i + 1,
    viewed: v.product_id,
    views: v.count,
    added: addToCart[i]?.product_id,
    adds: addToCart[i]?.count,
  })),
  "Top products by views and by add-to-cart",
);

// %% [markdown]
// ## 5. The closing table
// The headline metrics of the burst. The same numbers come from `deno task realtime --once
// --from-beginning --json` with `KAFKA_TOPIC_PREFIX=lesson02.` (keep the topics with
// `CLEAN_UP = false`), and the tests check them against a DuckDB batch query over the same
// records.

// %% tags=["volatile"]
table(summaryRows(snapshot), `Real-time metrics (${kafka.prefix}*)`);

// %% tags=["volatile"]
// A check: the funnel narrows at every step, and revenue is in integer cents.
const steps = snapshot.funnel.map((f) => f.sessions);
if (steps.some((n, i) => i > 0 && n > steps[i - 1])) throw new Error("the funnel widens");
if (Math.round(snapshot.orders.revenue * 100) !== snapshot.orders.revenue * 100) {
  throw new Error("revenue is not in cents");
}
console.log(`✔ funnel ${steps.join(" → ")} sessions`);

// %% [markdown]
// ## Try it
// Which topic had the most **malformed** records in this burst? Read it off the outcome table
// of section 3 and put the topic's name in `MOST_MALFORMED`.

// %%
const MOST_MALFORMED = undefined; // your answer, e.g. "orders"

// %%
const byMalformed = countRows(snapshot).filter((r) => r.topic !== "total")
  .sort((a, b) => Number(b.malformed) - Number(a.malformed));
console.log(checkAnswer(MOST_MALFORMED, byMalformed[0].topic, {
  task: "name the topic with the most malformed records",
  hint: "the column `malformed` of “Records per topic and outcome”",
}));

// %% [markdown]
// ## Tidy up

// %%
if (CLEAN_UP && kafka.available) {
  console.log(`✔ deleted ${(await kafka.cleanUp()).length} topics (${kafka.prefix}*)`);
} else console.log(kafka.available ? "kept the topics" : "no topics were made");

// %% [markdown]
// **Next:** [03 · Lake sink](03-lake-sink.ipynb): the same topics written to ADLS Gen2 exactly
// once, in the Confluent connector's layout.
