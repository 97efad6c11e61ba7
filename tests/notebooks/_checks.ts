/**
 * What each lesson must show, checked on an executed run: the values a lesson promises, computed
 * independently where they can be (the simulator's manifest, the gold tables in plain
 * TypeScript from `tests/nrt/_expected.ts`).
 */
import assert from "node:assert/strict";
import { AZURITE_KEY, type Config } from "../../lib/config/mod.ts";
import type { ExecutedNotebook } from "../../lib/notebooks/mod.ts";
import { LESSON_DEFAULTS } from "../../lib/notebooks/mod.ts";
import { TOPICS } from "../../lib/schema/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { escapeRegExp } from "../_helpers.ts";
import { bronzeFromRecords, expectedGold } from "../nrt/_expected.ts";

/** Where a run happened. */
export interface RunContext {
  /** The configuration the kernels saw. */
  config: Config;
  /** Whether Kafka was up. */
  kafka: boolean;
}

type Check = (nb: ExecutedNotebook, ctx: RunContext) => void;

// The seeded lake's simulation (the lessons' defaults).
const SEEDED = { ...LESSON_DEFAULTS, faults: "default" } as const;
let expectedCache: ReturnType<typeof expectedGold> | undefined;
const expected = () => expectedCache ??= expectedGold(bronzeFromRecords(simulate(SEEDED)));
const one = (name: string) => expected()[name][0] as Record<string, number>;
const countOf = (name: string, dim: string, value: unknown) =>
  expected()[name].find((r) => r[dim] === value)!.count as number;

const html = (o: { data: Record<string, unknown> }) => [o.data["text/html"] ?? ""].flat().join("");
const svgs = (nb: ExecutedNotebook) =>
  nb.cells.flatMap((c) => c.outputs).filter((o) => /<svg/.test(html(o)));
/** Every chart goes out as an SVG image too (GitHub shows those). */
function chartsAsImages(nb: ExecutedNotebook, atLeast: number) {
  const charts = svgs(nb);
  assert.ok(charts.length >= atLeast, `${nb.name}: ${charts.length} charts`);
  for (const c of charts) assert.match(String(c.data["image/svg+xml"] ?? ""), /^<svg/);
}
const untouchedExercise = (nb: ExecutedNotebook) =>
  assert.match(nb.text, /^✎ Try it: /m, `${nb.name}: the Try it check cell ran`);

const setup: Check = (nb, { config, kafka }) => {
  assert.ok(!nb.text.includes(AZURITE_KEY), "the storage key must never be shown");
  assert.ok(
    nb.cells[1].outputs.some((o) => html(o).includes("<table>")),
    "the configuration table is HTML for Jupyter too",
  );
  assert.match(nb.text, new RegExp(`deno\\s+${escapeRegExp(Deno.version.deno)}`));
  assert.match(nb.text, /kafkajs\s+2\.2\.4/);
  if (kafka) {
    const broker = escapeRegExp(config.kafka.brokers.join(","));
    assert.match(nb.text, new RegExp(`^kafka\\s+${broker}\\s+yes`, "m"));
    assert.match(nb.text, /^lake\s+\S+\s+yes/m);
    assert.match(nb.text, /✔ Kafka and the lake answer/);
  } else {
    assert.match(nb.text, /^kafka\s+\S+\s+no/m);
    assert.match(nb.text, /✘ the stack is not up/);
  }
  untouchedExercise(nb);
};

const produce: Check = (nb, { config, kafka }) => {
  const sim = simulate({ seed: 42, events: 5000, start: new Date("2026-11-23T00:00:00Z") });
  for (const _ of sim);
  const m = sim.manifest.topics;
  const prefix = escapeRegExp(`${config.kafka.topicPrefix}lesson01.`);
  for (const t of TOPICS) {
    assert.match(
      nb.text,
      new RegExp(`^${t}\\s+${m[t].records}\\s+${m[t].valid}\\s+${m[t].duplicates}\\s`, "m"),
      t,
    );
    if (kafka) {
      // The offsets table: the lesson's fresh topics grew by exactly the manifest's records.
      const n = m[t].records;
      assert.match(nb.text, new RegExp(`^${prefix}${t}\\s+0\\s+${n}\\s+${n}\\s+${n}$`, "m"));
    }
  }
  if (kafka) {
    assert.match(nb.text, /✔ Kafka holds exactly the simulated records/);
    assert.match(nb.text, /sent 5000 records to \S+, 0 failed/);
    assert.match(nb.text, /✔ deleted 4 topics/);
  } else assert.match(nb.text, /Kafka skipped: no Kafka broker answers/);
  // Records from other producers: both formats get an event time, the original one a content key.
  assert.match(nb.text, /The original producers' records/);
  assert.match(
    nb.text,
    /^original\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+\S+Z\s+c:[0-9a-f]{16}$/m,
  );
  assert.match(nb.text, /^v1\s+\S+Z\s+\S+Z\s+[0-9a-f-]{36}$/m);
  chartsAsImages(nb, 2);
  untouchedExercise(nb);
};

const realtime: Check = (nb, { kafka }) => {
  // The live cell displayed three charts by display id and replaced them in place: however
  // many updates, only three outputs remain.
  const live = nb.cells.find((c) => c.source.includes("events.show("))!;
  assert.equal(live.outputs.filter((o) => html(o).includes("<svg")).length, 3);
  const updates = Number(/each chart was updated (\d+) times in place/.exec(nb.text)?.[1]);
  assert.ok(updates >= 2, `charts updated ${updates} times`);
  assert.match(nb.text, /display ids: rt-events, rt-revenue, rt-funnel/);
  assert.match(nb.text, /✔ 12000 records read: \d+ accepted, \d+ malformed/);
  assert.match(nb.text, /^records received\s+12000$/m);
  const total = /^total\s+12000\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(nb.text);
  assert.ok(total, "the outcome table has a total row for 12000 records");
  const [accepted, malformed, late, duplicates] = total!.slice(1).map(Number);
  assert.equal(accepted + malformed + late + duplicates, 12000);
  assert.match(nb.text, new RegExp(`^accepted\\s+${accepted}$`, "m"));
  assert.match(nb.text, /✔ funnel \d+ → \d+ → \d+ → \d+ → \d+ sessions/);
  assert.match(nb.text, kafka ? /✔ deleted 4 topics/ : /no topics were made/);
  untouchedExercise(nb);
};

const lakeSink: Check = (nb, { kafka }) => {
  assert.match(nb.text, /✔ 1500 records in 4 topics/);
  assert.match(
    nb.text,
    /year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\s+\d+\s+\d+\s+\d\+\d{10}\.json/,
  );
  assert.match(
    nb.text,
    /✔ \d+ JSON lines, all in hour \d{4}-\d{2}-\d{2}T\d{2}h, partition \d, from offset \d+/,
  );
  if (kafka) {
    const sink = /✔ sink: (\d+) lines in (\d+) files \+ (\d+) dead letters = 1500 records/
      .exec(nb.text);
    assert.ok(sink, "the sink's check line");
    assert.ok(Number(sink[3]) > 0, "the default faults make a few malformed records");
    const replay = /✔ the replay rewrote (\d+) files with the same names and bytes/
      .exec(nb.text);
    assert.equal(Number(replay?.[1]), Number(sink[2]));
    assert.match(nb.text, /✔ every record is in the lake exactly once/);
    assert.match(nb.text, /✔ deleted 8 topics \(\S*lesson03\.\*\) and this lesson's lake files/);
  } else assert.match(nb.text, /Kafka skipped/);
  assert.ok(nb.cells.some((c) => c.outputs.some((o) => html(o).includes("<table>"))));
  untouchedExercise(nb);
};

/** Lessons 04–07 on the seeded lake (the lessons' default simulation). */
const seededLake = (nb: ExecutedNotebook) => assert.match(nb.text, /^lake: seeded: /m);

const clickstream: Check = (nb) => {
  seededLake(nb);
  const tablet = countOf("clickstream_by_device", "device", "tablet");
  const total = expected().clickstream_by_device.reduce((s, r) => s + (r.count as number), 0);
  assert.match(nb.text, new RegExp(`silver\\.clickstream_original: ${total} rows`));
  assert.match(nb.text, new RegExp(`tablet rows: ${tablet} `));
  assert.match(nb.text, new RegExp(`CSV: header \\+ ${expected().device_tablet.length} rows`));
  const funnel = expected().clickstream_funnel;
  assert.match(
    nb.text,
    new RegExp(`✔ ${funnel[0].sessions} sessions viewed a page, ${funnel[4].sessions} ordered`),
  );
  assert.match(nb.text, /✔ bronze has typed partition columns; the second sync pulled nothing/);
  assert.match(nb.text, /✔ nulls and duplicates dropped: [1-9]\d* rows with a null/);
  assert.match(nb.text, /✔ the better cleaning keeps \d+ more events/);
  // Each gold table's SQL beside the PySpark it mirrors.
  assert.match(nb.text, /-- gold\.clickstream_by_device\n/);
  assert.match(nb.text, /-- gold\.clickstream_funnel\n/);
  assert.match(nb.text, /PySpark \(databricks\/clickstream\.py\)/);
  assert.match(nb.text, /write_gold\(funnel, "clickstream_funnel"\)/);
  chartsAsImages(nb, 4);
  untouchedExercise(nb);
};

const orders: Check = (nb) => {
  seededLake(nb);
  const s = one("orders_summary");
  assert.match(
    nb.text,
    new RegExp(`✔ ${s.orders} orders, revenue ${s.revenue.toFixed(2)}, AOV ${s.aov.toFixed(2)}`),
  );
  assert.match(nb.text, /✔ every order's lines add up to its total_amount/);
  const top =
    [...expected().orders_top_products].sort((a, b) =>
      (b.revenue as number) - (a.revenue as number)
    )[0];
  assert.match(nb.text, new RegExp(`^${top.product_id}\\s+${top.units}\\s`, "m"));
  assert.match(nb.text, /write_gold\(summary, "orders_summary"\)/);
  chartsAsImages(nb, 2);
  untouchedExercise(nb);
};

const profiles: Check = (nb) => {
  seededLake(nb);
  assert.match(
    nb.text,
    new RegExp(`✔ ${expected().profiles_latest.length} users, one current profile each`),
  );
  for (const r of expected().revenue_by_preferred_category) {
    assert.match(
      nb.text,
      new RegExp(`^${r.preferred_category}\\s+${r.customers}\\s+${r.orders}\\s`, "m"),
    );
  }
  assert.match(nb.text, /write_gold\(profiles_latest, "profiles_latest"\)/);
  chartsAsImages(nb, 3);
  untouchedExercise(nb);
};

const delivery: Check = (nb) => {
  seededLake(nb);
  assert.match(nb.text, new RegExp(`returns_usa: ${expected().returns_usa.length} rows`));
  assert.match(
    nb.text,
    /✔ columns: delivery_person_id, order_id, status, city, country, timestamp, year, month, day, hour/,
  );
  const usa = expected().delivery_time_by_country.find((r) => r.country === "USA")!;
  assert.match(nb.text, new RegExp(`^USA\\s+${usa.deliveries}\\s`, "m"));
  assert.match(nb.text, /✔ delivery times look sane/);
  assert.match(nb.text, /write_gold\(delivery_time, "delivery_time_by_country"\)/);
  chartsAsImages(nb, 3);
  untouchedExercise(nb);
};

/** The checks of every lesson, by name. */
export const CHECKS: Record<string, Check> = {
  "00-setup": setup,
  "01-produce": produce,
  "02-realtime": realtime,
  "03-lake-sink": lakeSink,
  "04-clickstream": clickstream,
  "05-orders": orders,
  "06-user-profiles": profiles,
  "07-delivery-status": delivery,
};

/** Runs the checks of every executed lesson; a failed lesson fails with its cell's error. */
export function checkLessons(runs: readonly ExecutedNotebook[], ctx: RunContext): void {
  for (const nb of runs) {
    assert.ok(nb.ok, `${nb.name} failed: ${nb.error}`);
    const check = CHECKS[nb.name];
    assert.ok(check, `no checks for ${nb.name}`);
    check(nb, ctx);
  }
}
