/** The lessons' lake choice and Kafka guard, without the stack. */
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { FileLake } from "../../lib/lake/mod.ts";
import { lessonKafka, lessonLake, lessonWorkDir } from "../../lib/notebooks/mod.ts";
import { writeLakeFromRecords } from "../../lib/nrt/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { withTempDir } from "../_helpers.ts";

const configFor = (dir: string, env: Record<string, string> = {}) =>
  loadConfig({
    env: { LAKE_URL: `file://${dir}/lake`, DATA_DIR: `${dir}/data`, ...env },
    dotenv: null,
  });

Deno.test("LAKE: auto seeds a local lake when the configured one is empty, configured refuses", async () => {
  await withTempDir(async (dir) => {
    const config = configFor(dir);
    const small = { seed: 5, events: 300, start: new Date("2026-11-20T00:00:00Z") };
    const auto = await lessonLake(config, { lake: "auto", ...small });
    assert.equal(auto.source, "seeded");
    assert.match(auto.reason, /SEED\/EVENTS\/START were edited/);
    assert.ok((await auto.lake.list("topics/clickstream/")).length > 0);
    // Another simulation gets a lake of its own: an edit always takes effect.
    const other = await lessonLake(config, { lake: "seeded", ...small, events: 200 });
    const count = async (l: typeof auto) => (await l.lake.list("topics/")).length;
    assert.notEqual(await count(other), 0);
    assert.notEqual((other.lake as FileLake).root, (auto.lake as FileLake).root);
    await assert.rejects(
      () => lessonLake(config, { lake: "configured", topics: ["orders"] }),
      /LAKE = "configured", but the configured lake \(LAKE_URL\) holds no raw files of orders/,
    );
    await assert.rejects(
      () => lessonLake(config, { lake: "cloud" as never }),
      /LAKE must be "auto", "seeded" or "configured", not "cloud"/,
    );
  });
});

Deno.test("LAKE: auto reads the configured lake when it holds the lesson's topics", async () => {
  await withTempDir(async (dir) => {
    const config = configFor(dir);
    const sim = simulate({ seed: 9, events: 400, start: new Date("2026-11-20T00:00:00Z") });
    await writeLakeFromRecords(new FileLake(`${dir}/lake`), sim);
    const chosen = await lessonLake(config, { topics: ["orders"] });
    assert.equal(chosen.source, "configured");
    assert.equal(chosen.writable, true);
    assert.match(chosen.reason, /holds \d+ raw files of orders/);
    // Edited simulation parameters choose the seeded lake instead.
    const edited = await lessonLake(config, { topics: ["orders"], events: 300 });
    assert.equal(edited.source, "seeded");
  });
});

Deno.test("a lesson sends nothing to a remote cluster unless WRITE_TO_CLOUD", async () => {
  await withTempDir(async (dir) => {
    const config = configFor(dir, {
      KAFKA_BOOTSTRAP_SERVERS: "pkc-x.westeurope.azure.confluent.cloud:9092",
      KAFKA_SASL_MECHANISM: "plain",
      KAFKA_SASL_USERNAME: "key",
      KAFKA_SASL_PASSWORD: "not-a-secret",
    });
    const k = await lessonKafka(config, "lesson01");
    assert.equal(k.available, false);
    assert.match(k.reason, /remote cluster; lessons send data there only with WRITE_TO_CLOUD/);
    assert.equal(k.prefix, "lesson01.");
    await assert.rejects(() => k.reset(), /Kafka is not available/);
    assert.deepEqual(await k.cleanUp(), []);
  });
});

Deno.test("a lesson's work folder starts empty", async () => {
  await withTempDir(async (dir) => {
    const config = configFor(dir);
    const work = await lessonWorkDir(config, "04-clickstream");
    await Deno.writeTextFile(`${work}/left-over`, "x");
    assert.equal(await lessonWorkDir(config, "04-clickstream"), work);
    assert.deepEqual([...Deno.readDirSync(work)], []);
  });
});
