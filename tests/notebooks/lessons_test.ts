/**
 * The lessons as a learner runs them: 00 → 07 in one sequence on a fresh stack, then again on
 * the same stack; each alone with no stack at all; 04–07 on a lake the pipeline filled; and
 * the committed outputs checked against a fresh run.
 *
 * A "fresh stack" is the running one seen through a fresh `KAFKA_TOPIC_PREFIX` (no topic of the
 * workspace exists under it), a fresh Azurite container and a fresh `DATA_DIR`.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { createKafka } from "../../lib/kafka/mod.ts";
import { FileLake, openLake } from "../../lib/lake/mod.ts";
import {
  executedIpynb,
  type ExecutedNotebook,
  executeLessons,
  lessons,
  NOTEBOOKS_DIR,
  staleness,
} from "../../lib/notebooks/mod.ts";
import { writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { azuriteUrl, INTEGRATION, uniqueName } from "../_helpers.ts";
import { checkLessons } from "./_checks.ts";

const ALL = (await lessons()).map((l) => l.name);
const root = await Deno.makeTempDir({ prefix: "ecom-lessons-" });
const prefix = `${uniqueName("nbseq")}.`;
const fresh = {
  KAFKA_TOPIC_PREFIX: prefix,
  LAKE_URL: azuriteUrl("nbseq"),
  DATA_DIR: `${root}/data`,
};
const freshConfig = loadConfig({ env: { ...Deno.env.toObject(), ...fresh } });
const passes: ExecutedNotebook[][] = [];

/** Every lesson's committed notebook agrees with a run's (normalised) outputs. */
async function assertCurrent(runs: readonly ExecutedNotebook[]) {
  const stale = [];
  for (const nb of runs) {
    const committed = await Deno.readTextFile(`${NOTEBOOKS_DIR}/${nb.name}.ipynb`).catch(() =>
      null
    );
    const why = staleness(committed, executedIpynb(nb), [prefix]);
    if (why) stale.push(`notebooks/${nb.name}.ipynb: ${why}`);
  }
  assert.deepEqual(stale, [], "stale committed outputs: run `deno task notebooks`");
}

async function leftTopics(): Promise<string[]> {
  const admin = createKafka(freshConfig.kafka).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}

Deno.test({
  name: "lessons 00 → 07 run in one sequence on a fresh stack and show what they promise",
  ...INTEGRATION,
  async fn() {
    const runs = await executeLessons(ALL, { env: fresh, outDir: `${root}/pass1` });
    passes.push(runs);
    checkLessons(runs, { config: freshConfig, kafka: true });
    assert.deepEqual(await leftTopics(), [], "every lesson deletes the topics it made");
    const lake = openLake(freshConfig.lake);
    assert.deepEqual(await lake.list("topics/"), [], "lesson 03 removes its lake files");
    await lake.close();
  },
});

Deno.test({
  name: "committed notebooks are current: their outputs equal a fresh run's, normalised",
  ...INTEGRATION,
  async fn() {
    assert.ok(passes[0], "needs the sequence run above");
    await assertCurrent(passes[0]);
  },
});

Deno.test({
  name: "lessons 00 → 07 run again on the same stack and show the same",
  ...INTEGRATION,
  async fn() {
    const runs = await executeLessons(ALL, { env: fresh, outDir: `${root}/pass2` });
    checkLessons(runs, { config: freshConfig, kafka: true });
    await assertCurrent(runs);
  },
});

Deno.test({
  name: "each lesson runs alone with no stack at all, on a lake seeded locally",
  ...INTEGRATION,
  async fn() {
    // A port nothing listens on, and a file:// lake with nothing in it.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const env = {
      KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}`,
      LAKE_URL: `file://${root}/empty-lake`,
      DATA_DIR: `${root}/nostack`,
    };
    // In reverse order: no lesson may lean on one before it.
    const runs = await executeLessons([...ALL].reverse(), { env, outDir: `${root}/nostack-out` });
    checkLessons(runs, {
      config: loadConfig({ env: { ...Deno.env.toObject(), ...env } }),
      kafka: false,
    });
  },
});

Deno.test({
  name: "lessons 04–07 read the pipeline's lake when it holds their topics (as after the demo)",
  ...INTEGRATION,
  async fn() {
    // The layout the demo's sink writes, from another simulation than the lessons' own.
    const lakeDir = `${root}/pipeline-lake`;
    const sim = simulate({ seed: 7, events: 6000, start: new Date("2026-11-20T00:00:00Z") });
    await writeLakeFromRecords(new FileLake(lakeDir), sim, { topicPrefix: prefix });
    const env = { ...fresh, LAKE_URL: `file://${lakeDir}`, DATA_DIR: `${root}/after-demo` };
    const runs = await executeLessons(ALL.slice(4), { env, outDir: `${root}/after-demo-out` });
    for (const nb of runs) {
      assert.ok(nb.ok, `${nb.name} failed: ${nb.error}`);
      assert.match(nb.text, /^lake: configured: the configured lake \(LAKE_URL\) holds \d+ raw/m);
    }
    assert.match(runs[0].text, /✔ nulls and duplicates dropped/);
    assert.match(runs[1].text, /✔ \d+ orders, revenue \d+\.\d\d, AOV \d+\.\d\d/);
    // Their analysis tables went back into that lake.
    assert.ok((await new FileLake(lakeDir).list("analysis/")).length > 0);
  },
});

Deno.test({
  name: "remove the lessons' temporary folders",
  ...INTEGRATION,
  async fn() {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  },
});
