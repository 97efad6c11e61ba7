// %% [markdown]
// # 00 · Setup: configuration, local stack, versions
//
// **Goal:** check that everything the lessons need is in place before any data flows.
//
// You will learn:
// - where the workspace's settings come from (environment variables, or an ignored `.env`), and
//   how the same code points at Confluent Cloud and a real ADLS Gen2 account instead of the local stack;
// - how to tell that the local Kafka broker and the Azurite lake are up;
// - which versions of the runtime and libraries these lessons were written against.
//
// Start the stack first, in a terminal: `./dev stack up` (or `deno task stack up`).

// %%
import { describeConfig, loadConfig } from "../lib/config/mod.ts";
import { pingKafka } from "../lib/kafka/mod.ts";
import { openLake, pingLake } from "../lib/lake/mod.ts";
import { table } from "../lib/viz/mod.ts";

const config = loadConfig();

// %% [markdown]
// ## 1. Configuration
// Every setting has a local default; `.env.example` lists them all. Secrets (the SASL password, the
// storage key, SAS token or connection string) are never shown, only whether they are set.

// %%
table(describeConfig(config), "Configuration (secrets redacted)");

// %% [markdown]
// ## 2. Is the stack healthy?
// We ask the broker for its metadata and the lake for a listing of its raw layer.
// **What you should see:** both rows say `healthy: yes`. If not, run `./dev stack up`.

// %%
const kafka = await pingKafka(config.kafka);
const lake = await pingLake(openLake(config.lake));
const health = [
  { service: "kafka", target: config.kafka.brokers.join(","), healthy: kafka.healthy ? "yes" : "no", detail: kafka.error ?? `${kafka.brokers} broker(s), ${kafka.topics.length} topics` },
  { service: "lake", target: openLake(config.lake).description, healthy: lake.healthy ? "yes" : "no", detail: lake.error ?? `${lake.rawFiles} raw files` },
];
await Deno.jupyter.display(table(health, "Stack health"));

// %%
// A check, as every lesson has: stop here with a clear message if the stack is not up.
if (!kafka.healthy || !lake.healthy) {
  throw new Error("The stack is not healthy: run `./dev stack up` in a terminal, then re-run this notebook");
}
console.log("✔ Kafka and the lake answer");

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
// **Next:** [01 · Produce](01-produce.ipynb): a seeded shop simulation sends events to the four topics.
