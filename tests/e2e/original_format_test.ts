/**
 * The original producers' records, and ours beside them in the same topics, through every stage on
 * the real broker, Azurite and PySpark, by the commands a user runs:
 *
 * `produce --format original` + `produce` → `realtime --once --from-beginning --json` (every
 * valid record accepted; its counts equal an independent count of what Kafka holds) → `sink --once`
 * (every record in exactly one lake file, in the hour of its event time) → `nrt` (every gold table
 * but the funnel filled) → `parity` (DuckDB ≡ Spark) and the plain PySpark reference of the
 * original notebooks (`device_tablet`, `returns_usa` row for row).
 */
import assert from "node:assert/strict";
import { parseLakeUrl, PROJECT_ROOT } from "../../lib/config/mod.ts";
import { createKafka, readToEnd, topicName } from "../../lib/kafka/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { auditLake } from "../../lib/sink/mod.ts";
import { NrtDb } from "../../lib/nrt/db.ts";
import { compareTables, formatDiff } from "../../lib/nrt/parity.ts";
import type { Snapshot } from "../../lib/realtime/mod.ts";
import { KEY_FIELD, type Topic, TOPICS } from "../../lib/schema/events.ts";
import { parseEventTime } from "../../lib/schema/event_time.ts";
import { eventIdentity } from "../../lib/schema/identity.ts";
import { readParquet, runParity, SIDES } from "../../lib/parity/mod.ts";
import { ensureVenv } from "../../lib/stack/mod.ts";
import {
  azuriteUrl,
  INTEGRATION,
  runTask,
  testConfig,
  uniqueName,
  withTempDir,
} from "../_helpers.ts";

const ZONE = "Asia/Kolkata";
const START = "2026-11-20T00:00:00Z";

/** What Kafka holds, counted without any of the pipeline's code but the event-time rule. */
function independentCounts(values: Array<string | null>, topic: Topic) {
  let malformed = 0;
  const identities = new Set<string>();
  let valid = 0;
  for (const value of values) {
    let e: unknown;
    try {
      e = JSON.parse(value ?? "");
    } catch {
      malformed++;
      continue;
    }
    const r = e as Record<string, unknown>;
    const key = r?.[KEY_FIELD[topic]];
    if (
      typeof e !== "object" || e === null || Array.isArray(e) || typeof key !== "string" ||
      key === "" || parseEventTime(r.timestamp, ZONE) === null
    ) {
      malformed++;
      continue;
    }
    valid++;
    identities.add(eventIdentity(r)!);
  }
  return { received: values.length, malformed, valid, distinct: identities.size };
}

Deno.test({
  name: "original and mixed records: produce → realtime → sink → nrt → parity and the reference",
  ...INTEGRATION,
  fn: () =>
    withTempDir(async (dir) => {
      const prefix = `${uniqueName("orig")}.`;
      const base = testConfig();
      const env = {
        KAFKA_TOPIC_PREFIX: prefix,
        LAKE_URL: azuriteUrl("orig"),
        EVENT_TIME_ZONE: ZONE,
        DATA_DIR: `${dir}/data`,
        // The host's zone must not matter anywhere.
        TZ: "America/Los_Angeles",
      };
      const task = async (name: string, args: string[]) => {
        const r = await runTask(name, args, env);
        assert.equal(r.code, 0, `${name} ${args.join(" ")}: ${r.stderr}\n${r.stdout}`);
        return r.stdout;
      };

      // 1. The original producers' records, then ours: a mixed topic.
      const common = ["--start", START, "--span", "24h", "--faults", "default"];
      const v0 = await task("produce", [
        "--format",
        "original",
        "--seed",
        "21",
        "--events",
        "4000",
        ...common,
      ]);
      assert.match(v0, /format original \(wall-clock times in Asia\/Kolkata\)/);
      await task("produce", ["--seed", "22", "--events", "2000", ...common]);

      // 2. Real time over everything: every valid record is accepted (or known as its copy).
      const snapshot: Snapshot = JSON.parse(
        await task("realtime", ["--once", "--from-beginning", "--json", "--lateness", "72h"]),
      );
      const kafkaConfig = { ...base.kafka, topicPrefix: prefix };
      const kafka = createKafka(kafkaConfig);
      const topics = TOPICS.map((t) => topicName(kafkaConfig, t));
      const held = await readToEnd(kafka, topics);
      for (const topic of TOPICS) {
        const values = held.get(topicName(kafkaConfig, topic))!.map((r) =>
          r.value === null ? null : new TextDecoder().decode(r.value)
        );
        const expected = independentCounts(values, topic);
        const c = snapshot.topics[topic];
        assert.equal(c.received, expected.received, `${topic} received`);
        assert.equal(c.malformed, expected.malformed, `${topic} malformed`);
        assert.equal(c.late, 0, `${topic}: nothing is late within 72 h`);
        assert.equal(c.accepted, expected.distinct, `${topic}: every distinct valid record`);
        assert.equal(c.accepted + c.duplicates, expected.valid, `${topic}: every valid record`);
      }
      assert.ok(snapshot.totals.accepted > 5000);
      assert.ok(snapshot.malformedReasons.every((m) => m.reason === "not JSON"));
      assert.deepEqual(snapshot.available, { sessions: true, funnel: true, productViews: true });
      assert.ok(snapshot.orders.revenue > 0 && snapshot.topProducts.ordered.length > 0);
      assert.ok(snapshot.deliveries.countries.some((c) => c.timed > 0));

      // 3. The sink: every record in exactly one lake file (or the DLQ), filed by event time.
      const sink = await task("sink", ["--once", "--flush-size", "500"]);
      assert.match(sink, /records/);
      const lake = openLake(parseLakeUrl(env.LAKE_URL));
      const audit = await auditLake(kafka, lake, topics, { zone: ZONE });
      assert.deepEqual(audit.problems, []);
      assert.ok(audit.ok);

      // 4. NRT: every gold table filled (the funnel from our records' sessions).
      const nrt = await task("nrt", []);
      assert.match(nrt, /full/);
      const analysis = (await lake.list("analysis/")).map((e) => e.path);
      for (
        const name of ["returns_usa", "device_tablet", "orders_revenue_by_day", "profiles_latest"]
      ) {
        assert.ok(analysis.some((p) => p.startsWith(`analysis/${name}/`)), name);
      }

      // 5. The same raw lake, downloaded, through both engines and the reference.
      const local = `${dir}/lake`;
      for (const entry of await lake.list("topics/")) {
        // Without the topic prefix, in the folder and in the file name alike.
        const path = entry.path.replaceAll(prefix, "");
        await Deno.mkdir(`${local}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
        await Deno.writeFile(`${local}/${path}`, await lake.get(entry.path));
      }
      await lake.close();
      const parity = await runParity({
        lakeRoot: local,
        outDir: `${dir}/parity`,
        eventTimeZone: ZONE,
      });
      const differing = parity.tables.filter((t) => !t.comparison || t.comparison.mismatches > 0)
        .map((t) => `${t.name}: ${t.comparison ? formatDiff(t.comparison, SIDES) : "missing"}`);
      assert.deepEqual(differing, []);

      const venv = await ensureVenv();
      const reference = await new Deno.Command(`${venv}/bin/python`, {
        args: [
          `${PROJECT_ROOT}/tests/parity/original_reference.py`,
          "--lake",
          local,
          "--out",
          `${dir}/reference`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(reference.success, new TextDecoder().decode(reference.stderr).slice(-2000));
      const db = await NrtDb.open();
      try {
        for (const table of ["device_tablet", "returns_usa"]) {
          const expected = await readParquet(db, `${dir}/reference/analysis/parquet/${table}`);
          assert.ok(expected && expected.rows.length > 0, `reference ${table}`);
          for (const side of ["duckdb", "spark"] as const) {
            const actual = await readParquet(db, `${parity.roots[side]}/analysis/parquet/${table}`);
            const c = compareTables(actual!, expected);
            assert.deepEqual(
              [c.columns.onlyLeft, c.columns.onlyRight],
              [[], []],
              `${side} ${table}`,
            );
            assert.equal(c.mismatches, 0, `${side} ${table}\n${formatDiff(c)}`);
          }
        }
      } finally {
        db.close();
      }
    }),
});
