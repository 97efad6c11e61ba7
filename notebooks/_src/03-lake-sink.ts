// %% [markdown]
// # 03 · The lake sink: Kafka → ADLS Gen2, exactly once
//
// **Goal:** copy the four topics into the raw layer of the lake, in the layout of Confluent's
// ADLS Gen2 / Azure Blob sink connectors, and check that every record landed exactly once.
//
// You will learn:
// - how the raw layer is laid out:
//   `topics/<topic>/year=…/month=…/day=…/hour=…/<topic>+<partition>+<startOffset>.json`;
// - when the sink closes a file (`flush.size`, `rotate.interval.ms` on record time, the hour);
// - what a raw file holds (the records as produced, one per line) and where broken records go
//   (the DLQ);
// - why putting offsets in file names, and committing only after a file is stored, gives
//   exactly-once.
//
// **Needs:** the local stack (`./dev stack up`). The lesson makes its own small, seeded burst on
// topics of its own, `lesson03.<topic>`, and sinks them into the configured lake (Azurite)
// under `topics/lesson03.<topic>/`; topics and files are made fresh and deleted at the end.
// Without Kafka, the same layout is written straight from the simulation into a local folder,
// and the sink's own steps (2, 5, 6) are skipped.

// %%
// Parameters
const SEED = 3; // the simulation's seed
const EVENTS = 1500; // records to produce, across the four topics
const START = new Date("2026-11-20T08:00:00Z"); // event time of the first records
const SPAN_HOURS = 4; // event time the burst covers
const FLUSH_SIZE = 100; // records per file (the connector's flush.size; 1000 in production)
const ROTATE_INTERVAL_MS = 600_000; // rotate.interval.ms, on record time: 10 minutes
const CLEAN_UP = true; // delete this lesson's topics and lake files at the end
const WRITE_TO_CLOUD = false; // write to a remote cluster or a cloud lake only if true

// %%
import { loadConfig } from "../lib/config/mod.ts";
import { produceRecords, topicName } from "../lib/kafka/mod.ts";
import { FileLake, hourStart, type LakeStorage, openLake, parseRawPath } from "../lib/lake/mod.ts";
import { auditLake, runSink } from "../lib/sink/mod.ts";
import { checkAnswer, lessonKafka, lessonWorkDir } from "../lib/notebooks/mod.ts";
import { writeLakeFromRecords } from "../lib/nrt/mod.ts";
import { TOPICS } from "../lib/schema/events.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { table } from "../lib/viz/mod.ts";

const base = loadConfig();
const kafka = await lessonKafka(base, "lesson03", { writeToCloud: WRITE_TO_CLOUD });
const PREFIX = kafka.prefix; // lesson03.
const GROUP = `${PREFIX}sink`; // the sink's consumer group: its committed offsets are its progress
const config = { ...base, kafka: kafka.config };
const topics = TOPICS.map((t) => topicName(config.kafka, t));
const workDir = await lessonWorkDir(base, "03-lake-sink");
// The configured lake, unless it is a cloud account the lesson may not write to, or Kafka is
// missing (then a local folder takes the simulation's files).
const local = !kafka.available || (base.lake.kind === "adls" && !WRITE_TO_CLOUD);
const lake: LakeStorage = local ? new FileLake(`${workDir}/lake`) : openLake(base.lake);
const clearLake = async () => {
  for (const e of await lake.list(`topics/${PREFIX}`)) await lake.delete(e.path);
};
await lake.init();
await clearLake(); // what an earlier run left
console.log(kafka.available ? `Kafka: topics ${PREFIX}*` : `Kafka skipped: ${kafka.reason}`);
console.log(`lake: ${local ? "a local folder of this lesson" : "the configured lake (LAKE_URL)"}`);

// %% [markdown]
// ## 1. A burst of shop events
// The simulator plays a few hours of the shop, with its usual faults: duplicates, nulls, late
// records, unknown fields and a few malformed (non-JSON) lines. We send them to the lesson's
// fresh topics.

// %%
const sim = simulate({
  seed: SEED,
  events: EVENTS,
  faults: "default",
  start: START,
  span: SPAN_HOURS * 3600_000,
});
let produced = { sent: 0, perTopic: {} as Record<string, number> };
if (kafka.available) {
  await kafka.reset();
  produced = await produceRecords(kafka.kafka!, config.kafka, sim);
} else {
  // No broker: the same layout, written by the fixture writer (hour and flush.size, no
  // rotation on record time) straight from the simulation.
  const fixture = await writeLakeFromRecords(lake, sim, {
    topicPrefix: PREFIX,
    flushSize: FLUSH_SIZE,
  });
  produced = { sent: fixture.records + fixture.skipped, perTopic: {} };
  for (const t of TOPICS) produced.perTopic[t] = sim.manifest.topics[t].records;
}
table(
  TOPICS.map((t) => ({
    topic: topicName(config.kafka, t),
    records: produced.perTopic[t] ?? 0,
    malformed: sim.manifest.topics[t].malformed,
  })),
  kafka.available ? "Produced" : "Simulated (no Kafka)",
);

// %%
if (produced.sent !== EVENTS) throw new Error(`Expected ${EVENTS} records, got ${produced.sent}`);
console.log(`✔ ${produced.sent} records in ${topics.length} topics`);

// %% [markdown]
// ## 2. Run the sink once
// `runSink` with `once` is `deno task sink --once`: it reads each partition to the high
// watermark it saw at start, closes every open file, stores it, commits the offsets, and stops.
// A record that is not valid JSON cannot be a line of a JSON-lines file: it goes to `<topic>.dlq`
// with headers naming the error and its source topic, partition and offset, and never blocks
// its partition.

// %%
const sinkOptions = {
  once: true,
  topics,
  lake,
  flushSize: FLUSH_SIZE,
  rotateIntervalMs: ROTATE_INTERVAL_MS,
};
const result = kafka.available ? await runSink(config, { ...sinkOptions, group: GROUP }) : null;
if (result) {
  table(
    result.topics.map(({ topic, files, records, dlq }) => ({ topic, files, records, dlq })),
    "Sink --once",
  );
} else console.log(`skipped: ${kafka.reason}`);

// %%
// What you should see: every record is either a line in the lake or a dead letter.
if (result) {
  if (result.records + result.dlq !== EVENTS) {
    throw new Error(`${result.records} + ${result.dlq} ≠ ${EVENTS}`);
  }
  console.log(
    `✔ sink: ${result.records} lines in ${result.files} files + ${result.dlq} dead letters = ` +
      `${EVENTS} records`,
  );
} else console.log(`skipped: ${kafka.reason}`);

// %% [markdown]
// ## 3. The lake tree as it fills
// One folder per topic and record-time hour (UTC, from the record's `timestamp` field, as the
// connector's `RecordField` extractor reads it). In each, one file per run of records of a
// partition: a file closes after `FLUSH_SIZE` records, once record time passes its first
// record by 10 minutes, or when a record of another hour arrives.

// %%
const clicks = topicName(config.kafka, "clickstream");
const entries = await lake.list(`topics/${clicks}/`);
const folders = Map.groupBy(entries, (e) => e.path.split("/").slice(2, 6).join("/"));
const names = (files: typeof entries) =>
  files.slice(0, 3).map((f) => f.path.split("+").slice(1).join("+")).join(" ") +
  (files.length > 3 ? " …" : "");
table(
  [...folders].map(([folder, files]) => ({
    folder,
    files: files.length,
    KiB: Math.round(files.reduce((a, f) => a + f.size, 0) / 1024),
    "first files (partition+offset)": names(files),
  })),
  `topics/${clicks}/`,
);

// %% [markdown]
// At this trickle (a few hundred clicks an hour), the 10-minute rotation on record time closes
// most files long before they reach `FLUSH_SIZE`; under production load, `flush.size` does.

// %% [markdown]
// ## 4. One file, opened
// A raw file holds the record values exactly as they were produced, one per line: nulls,
// duplicates and unknown fields included (cleaning is the next layer's job). Its name says
// where its first record came from: topic, partition, offset.

// %%
const first = entries.reduce((a, b) => (b.size > a.size ? b : a)).path; // the largest
const lines = new TextDecoder().decode(await lake.get(first)).trimEnd().split("\n");
const file = parseRawPath(first)!;
console.log(first);
table(
  lines.slice(0, 3).map((line, i) => ({
    offset: i === 0 ? file.startOffset : "…",
    line: line.slice(0, 110) + "…",
  })),
  `${lines.length} lines`,
);

// %%
// A check: every line is JSON and belongs to the file's hour.
const hours = lines.map((l) => hourStart(Date.parse(JSON.parse(l).timestamp)));
if (hours.some((h) => h !== file.hour)) throw new Error("A line sits in the wrong hour folder");
console.log(
  `✔ ${lines.length} JSON lines, all in hour ${new Date(file.hour).toISOString().slice(0, 13)}h, ` +
    `partition ${file.partition}, from offset ${file.startOffset}`,
);

// %% [markdown]
// ## 5. Why offsets in file names give exactly-once
// A sink can crash at any moment: after storing a file but before committing its offsets, or
// with records buffered for a file not yet stored. The rules that make that harmless:
// 1. a file is stored in **one atomic put**: readers see all of it or nothing;
// 2. offsets are committed **only after** the file is stored, and never past the first record
//    still buffered, so a restart always resumes at a file boundary;
// 3. file contents and names depend **only on offsets and record contents** (record time, not
//    the wall clock): replaying from a file boundary rebuilds the very same files, and the same
//    name overwrites the same bytes.
//
// So the worst a crash can do is make the sink write a file again, identically. Let us replay
// everything: a new consumer group starts from offset 0 and writes into the same lake.

// %%
const digest = async (path: string) =>
  Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(await lake.get(path)))),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
const before = new Map<string, string>();
for (const e of await lake.list(`topics/${PREFIX}`)) before.set(e.path, await digest(e.path));
const replay = kafka.available
  ? await runSink(config, { ...sinkOptions, group: `${GROUP}-replay` })
  : null;
const after = await lake.list(`topics/${PREFIX}`);
let identical = 0;
for (const e of after) if (before.get(e.path) === await digest(e.path)) identical++;
if (replay) {
  table([{
    "files before": before.size,
    "files written by the replay": replay.files,
    "files after": after.length,
    "identical": identical,
  }], "Replay from offset 0");
} else console.log(`skipped: ${kafka.reason}`);

// %%
if (replay) {
  if (after.length !== before.size || identical !== before.size) {
    throw new Error("The replay changed the lake");
  }
  console.log(
    `✔ the replay rewrote ${replay.files} files with the same names and bytes: ` +
      "the lake did not change",
  );
} else console.log(`skipped: ${kafka.reason}`);

// %% [markdown]
// The dead-letter topic is a log, not a file: the replay's group sent its own dead letters (each
// names its group in `__connect.errors.connector.name`). Within one group they are exactly once
// too: they go out in the same Kafka transaction as the offset commit that passes them.
//
// ## 6. Check the lake against Kafka
// `auditLake` reads every record back from Kafka and matches each file's lines to the records
// from its start offset on: each valid record must be in exactly one file, each broken one
// exactly once in the DLQ (for our group).

// %%
const audit = kafka.available
  ? await auditLake(kafka.kafka!, lake, topics, { group: GROUP })
  : null;
if (audit) {
  table(
    audit.topics.map((a) => ({
      topic: a.topic,
      kafka: a.kafka,
      "in files": a.lines,
      dlq: a.dlq,
      missing: a.missing,
      duplicated: a.duplicated + a.dlqDuplicated,
    })),
    "Lake vs Kafka",
  );
} else console.log(`skipped: ${kafka.reason}`);

// %%
if (audit) {
  if (!audit.ok) throw new Error(`The lake disagrees with Kafka: ${audit.problems.join("; ")}`);
  console.log("✔ every record is in the lake exactly once (or exactly once in its DLQ)");
} else console.log(`skipped: ${kafka.reason}`);

// %% [markdown]
// ## Try it
// How many files hold the `orders` topic's records? Count them in the lake
// (`await lake.list(…)` lists every file under a prefix) and put the number in `ORDER_FILES`.

// %%
const ORDER_FILES = undefined; // your answer, e.g. (await lake.list("topics/…/")).length

// %%
const orderFiles = (await lake.list(`topics/${topicName(config.kafka, "orders")}/`)).length;
console.log(checkAnswer(ORDER_FILES, orderFiles, {
  task: "count the files of the orders topic",
  hint: `(await lake.list("topics/${topicName(config.kafka, "orders")}/")).length`,
}));

// %% [markdown]
// ## 7. Tidy up
// The lesson's topics and its files under `topics/lesson03.*` go (set `CLEAN_UP = false` to keep
// them). They would not feed the next lessons anyway: those read the pipeline's own topics'
// files (`topics/clickstream/…`, after `./dev demo` or `./dev sink`), or a lake seeded locally.

// %%
if (CLEAN_UP) {
  const deleted = await kafka.cleanUp();
  await clearLake();
  console.log(`✔ deleted ${deleted.length} topics (${PREFIX}*) and this lesson's lake files`);
} else console.log("kept the topics and the lake files");
await lake.close();

// %% [markdown]
// In a terminal, the same sink runs for good with `deno task sink` (progress and lag on stderr;
// Ctrl-C stops it without flushing anything uncommitted), or once with `deno task sink --once`.
// For production, `scripts/cloud/` holds the Confluent connector configs that write this very
// layout into a real ADLS Gen2 account.
//
// **Next:** [04 · Clickstream](04-clickstream.ipynb): the pipeline's raw files to clean
// sessions in DuckDB.
