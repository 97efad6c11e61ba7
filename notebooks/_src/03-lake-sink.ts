// %% [markdown]
// # 03 · The lake sink: Kafka → ADLS Gen2, exactly once
//
// **Goal:** copy the four topics into the raw layer of the lake, in the layout of Confluent's
// ADLS Gen2 / Azure Blob sink connectors, and check that every record landed exactly once.
//
// You will learn:
// - how the raw layer is laid out: `topics/<topic>/year=…/month=…/day=…/hour=…/<topic>+<partition>+<startOffset>.json`;
// - when the sink closes a file (`flush.size`, `rotate.interval.ms` on record time, the hour);
// - what a raw file holds (the records as produced, one per line) and where broken records go (the DLQ);
// - why putting offsets in file names, and committing only after a file is stored, gives exactly-once.
//
// The lesson makes its own small, seeded burst of shop events under a fresh topic prefix, so it
// starts from empty topics every time. Start the stack first: `./dev stack up`.

// %%
import { loadConfig } from "../lib/config/mod.ts";
import { createKafka, ensureTopics, produceRecords, topicName } from "../lib/kafka/mod.ts";
import { auditLake, hourStart, openLake, parseRawPath, runSink } from "../lib/lake/mod.ts";
import { TOPICS } from "../lib/schema/events.ts";
import { simulate } from "../lib/simulate/mod.ts";
import { table } from "../lib/viz/mod.ts";

const SEED = 3; // the simulation's seed
const EVENTS = 1500; // records to produce, across the four topics
const FLUSH_SIZE = 100; // records per file (the connector's flush.size; 1000 in production)
const ROTATE_INTERVAL_MS = 600_000; // rotate.interval.ms, on record time: 10 minutes
const PREFIX = `lesson03-${Date.now().toString(36)}.`; // fresh topics for this run
const GROUP = `${PREFIX}sink`; // the sink's consumer group: its committed offsets are its progress
const CLEAN_UP = true; // delete this run's topics at the end (the lake files stay)

// %% [markdown]
// ## 1. A burst of shop events
// The simulator plays a few hours of the shop, with its usual faults: duplicates, nulls, late
// records, unknown fields and a few malformed (non-JSON) lines. We send them to fresh topics.

// %%
const base = loadConfig();
const config = { ...base, kafka: { ...base.kafka, topicPrefix: PREFIX } };
const kafka = createKafka(config.kafka);
const topics = TOPICS.map((t) => topicName(config.kafka, t));
await ensureTopics(kafka, config.kafka);
// Event time: four hours, ending an hour or two ago (Kafka refuses records from the future).
const start = new Date(hourStart(Date.now()) - 6 * 3600_000);
const sim = simulate({ seed: SEED, events: EVENTS, faults: "default", start, span: 4 * 3600_000 });
const produced = await produceRecords(kafka, config.kafka, sim);
table(TOPICS.map((t) => ({ topic: topicName(config.kafka, t), records: produced.perTopic[t] ?? 0, malformed: sim.manifest.topics[t].malformed })), "Produced");

// %%
if (produced.sent !== EVENTS) throw new Error(`Expected ${EVENTS} records sent, got ${produced.sent}`);
console.log(`✔ ${produced.sent} records in ${topics.length} topics`);

// %% [markdown]
// ## 2. Run the sink once
// `runSink` with `once` is `deno task sink --once`: it reads each partition to the high
// watermark it saw at start, closes every open file, stores it, commits the offsets, and stops.
// A record that is not valid JSON cannot be a line of a JSON-lines file: it goes to `<topic>.dlq`
// with headers naming the error and its source topic, partition and offset, and never blocks
// its partition.

// %%
const lake = openLake(config.lake);
const result = await runSink(config, { once: true, group: GROUP, topics, lake, flushSize: FLUSH_SIZE, rotateIntervalMs: ROTATE_INTERVAL_MS });
table(result.topics.map(({ topic, files, records, dlq }) => ({ topic, files, records, dlq })), "Sink --once");

// %%
// What you should see: every record is either a line in the lake or a dead letter.
if (result.records + result.dlq !== EVENTS) throw new Error(`${result.records} + ${result.dlq} ≠ ${EVENTS}`);
console.log(`✔ sink: ${result.records} lines in ${result.files} files + ${result.dlq} dead letters = ${EVENTS} records`);

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
const names = (files: typeof entries) => files.slice(0, 3).map((f) => f.path.split("+").slice(1).join("+")).join(" ") + (files.length > 3 ? " …" : "");
table([...folders].map(([folder, files]) => ({ folder, files: files.length, KiB: Math.round(files.reduce((a, f) => a + f.size, 0) / 1024), "first files (partition+offset)": names(files) })), `topics/${clicks}/`);

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
table(lines.slice(0, 3).map((line, i) => ({ offset: i === 0 ? file.startOffset : "…", line: line.slice(0, 110) + "…" })), `${lines.length} lines`);

// %%
// A check: every line is JSON and belongs to the file's hour.
const hours = lines.map((l) => hourStart(Date.parse(JSON.parse(l).timestamp)));
if (hours.some((h) => h !== file.hour)) throw new Error("A line sits in the wrong hour folder");
console.log(`✔ ${lines.length} JSON lines, all in hour ${new Date(file.hour).toISOString().slice(0, 13)}h, partition ${file.partition}, from offset ${file.startOffset}`);

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
const digest = async (path: string) => Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", await lake.get(path))), (b) => b.toString(16).padStart(2, "0")).join("");
const before = new Map<string, string>();
for (const e of await lake.list(`topics/${PREFIX}`)) before.set(e.path, await digest(e.path));
const replay = await runSink(config, { once: true, group: `${GROUP}-replay`, topics, lake, flushSize: FLUSH_SIZE, rotateIntervalMs: ROTATE_INTERVAL_MS });
const after = await lake.list(`topics/${PREFIX}`);
let identical = 0;
for (const e of after) if (before.get(e.path) === await digest(e.path)) identical++;
table([{ "files before": before.size, "files written by the replay": replay.files, "files after": after.length, "identical": identical }], "Replay from offset 0");

// %%
if (after.length !== before.size || identical !== before.size) throw new Error("The replay changed the lake");
console.log(`✔ the replay rewrote ${replay.files} files with the same names and bytes: the lake did not change`);

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
const audit = await auditLake(kafka, lake, topics, { group: GROUP });
table(audit.topics.map((a) => ({ topic: a.topic, kafka: a.kafka, "in files": a.lines, dlq: a.dlq, missing: a.missing, duplicated: a.duplicated + a.dlqDuplicated })), "Lake vs Kafka");

// %%
if (!audit.ok) throw new Error(`The lake disagrees with Kafka: ${audit.problems.join("; ")}`);
console.log("✔ every record is in the lake exactly once (or exactly once in its DLQ)");

// %% [markdown]
// ## 7. Tidy up
// The lesson's topics go; the lake files stay for the next lessons to read.

// %%
if (CLEAN_UP) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [...topics, ...topics.map((t) => `${t}.dlq`)] });
  await admin.disconnect();
}
console.log(CLEAN_UP ? `✔ deleted the ${PREFIX}* topics` : "kept the topics");

// %% [markdown]
// In a terminal, the same sink runs for good with `deno task sink` (progress and lag on stderr;
// Ctrl-C stops it without flushing anything uncommitted), or once with `deno task sink --once`.
// For production, `scripts/cloud/` holds the Confluent connector configs that write this very
// layout into a real ADLS Gen2 account.
//
// **Next:** [04 · Clickstream](04-clickstream.ipynb): from these raw files to clean sessions in DuckDB.
