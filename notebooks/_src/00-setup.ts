// %% [markdown]
// # 00 · Setup: configuration, local stack, versions
//
// **Goal:** check that everything the lessons need is in place before any data flows.
//
// You will learn:
// - where the workspace's settings come from (environment variables, or an ignored `.env`), and
//   how the same code points at Confluent Cloud and a real ADLS Gen2 account instead of the
//   local stack;
// - how to tell that the local Kafka broker and the Azurite lake are up;
// - which versions of the runtime and libraries these lessons were written against.
//
// Start the stack first, in a terminal: `./dev stack up` (or `deno task stack up`). Without it
// the lessons still run: 01–03 skip their Kafka steps and 04–07 read a lake seeded locally.
// Open the lessons with `./dev lab`.

// %%
import { describeConfig, loadConfig, PROJECT_ROOT } from "../lib/config/mod.ts";
import { pingKafka } from "../lib/kafka/mod.ts";
import { openLake, pingLake } from "../lib/lake/mod.ts";
import { checkAnswer } from "../lib/notebooks/mod.ts";
import { table } from "../lib/viz/mod.ts";

const config = loadConfig();

// %% [markdown]
// ## 1. Configuration
// Every setting has a local default; `.env.example` lists them all. Secrets (the SASL password,
// the storage key, SAS token or connection string) are never shown, only whether they are set.

// %% tags=["volatile"]
// (Volatile: each machine's stack listens where its own `.env` says.)
const settings = describeConfig(config).map(({ setting, value }) => ({
  setting,
  value: value.replace(`${PROJECT_ROOT}/`, ""), // DATA_DIR, relative to the project
}));
table(settings, "Configuration (secrets redacted)");

// %% [markdown]
// ## 2. Is the stack healthy?
// We ask the broker for its metadata and the lake for a listing of its raw layer.
// **What you should see:** both rows say `healthy: yes`. If not, run `./dev stack up`.

// %% tags=["volatile"]
// (Volatile: the broker's address and how many topics it holds depend on the machine.)
const kafka = await pingKafka(config.kafka);
const lake = openLake(config.lake);
// pingLake creates the container when missing: on the local stack only (a cloud lake is read).
const lakeHealth = config.lake.kind === "adls"
  ? await lake.list("topics/").then(
    (files) => ({ healthy: true, rawFiles: files.length, error: undefined }),
    (error) => ({ healthy: false, rawFiles: 0, error: String(error.message) }),
  )
  : await pingLake(lake);
await lake.close();
const health = [
  {
    service: "kafka",
    target: config.kafka.brokers.join(","),
    healthy: kafka.healthy ? "yes" : "no",
    detail: kafka.error ?? `${kafka.brokers} broker(s), ${kafka.topics.length} topics`,
  },
  {
    service: "lake",
    target: lake.description,
    healthy: lakeHealth.healthy ? "yes" : "no",
    detail: lakeHealth.error ?? `${lakeHealth.rawFiles} raw files`,
  },
];
await Deno.jupyter.display(table(health, "Stack health"));

// %%
// A check, as every lesson has. Without the stack the lessons still run, with less to show.
if (kafka.healthy && lakeHealth.healthy) console.log("✔ Kafka and the lake answer");
else {
  console.log(
    "✘ the stack is not up: lessons 01–03 will skip their Kafka steps and 04–07 will read a " +
      "lake seeded locally. Run `./dev stack up` in a terminal for the whole tour.",
  );
}

// %% [markdown]
// ## 3. Versions
// The runtime, and every library pinned once in `deno.json`'s import map.

// %%
const imports: Record<string, string> = JSON.parse(await Deno.readTextFile("../deno.json")).imports;
table([
  { component: "deno", version: Deno.version.deno },
  { component: "typescript", version: Deno.version.typescript },
  ...Object.entries(imports)
    .filter(([, spec]) => spec.startsWith("npm:"))
    .map(([name, spec]) => ({ component: name, version: spec.slice(spec.lastIndexOf("@") + 1) })),
], "Versions");

// %% [markdown]
// ## Try it
// Each topic is split into partitions when the workspace creates it (`KAFKA_PARTITIONS`). How
// many partitions does a topic get here? Put the number in `PARTITIONS` and run the two cells.

// %%
const PARTITIONS = undefined; // your answer, e.g. 1

// %%
console.log(checkAnswer(PARTITIONS, config.kafka.partitions, {
  task: "how many partitions does each topic get?",
  hint: "look for KAFKA_PARTITIONS in the configuration table above",
}));

// %% [markdown]
// **Next:** [01 · Produce](01-produce.ipynb): a seeded shop simulation sends events to the four
// topics.
