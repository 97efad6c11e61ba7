/**
 * What keeps two writers of one lake from overlapping, on the real broker: the layout settings
 * recorded in the lake (a sink resuming with others stops before any work, naming both values),
 * and one sink process per consumer group (a second one stops before writing).
 */
import assert from "node:assert/strict";
import { parseLakeUrl, PROJECT_ROOT } from "../../lib/config/mod.ts";
import { ConfigError } from "../../lib/errors.ts";
import { produceRecords } from "../../lib/kafka/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { auditLake, runSink, settingsPath } from "../../lib/sink/mod.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { freshTopics, runScript } from "../_topics.ts";
import { sleep } from "../../lib/sleep.ts";

const HOUR = 3_600_000;

Deno.test({
  name: "a sink resuming with other layout settings stops before any work, naming both values",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("settings");
    await withTempDir(async (dir) => {
      const url = `file://${dir}`;
      const config = { ...t.config, lake: parseLakeUrl(url) };
      const lake = openLake(config.lake);
      try {
        const start = new Date(Date.now() - 40 * HOUR);
        await produceRecords(
          t.kafka,
          t.kafkaConfig,
          simulate({ seed: 1, events: 600, start, span: 2 * HOUR }),
        );
        const group = uniqueName("g");
        const first = await runSink(config, { once: true, group, lake, flushSize: 100 });
        assert.equal(first.reason, "drained");
        const recorded = JSON.parse(
          new TextDecoder().decode(await lake.get(settingsPath(t.name("orders")))),
        );
        assert.deepEqual(recorded, {
          version: 1,
          topic: t.name("orders"),
          flushSize: 100,
          rotateIntervalMs: 600_000,
          timeField: "timestamp",
          timeZone: "UTC",
        });
        await produceRecords(
          t.kafka,
          t.kafkaConfig,
          simulate({ seed: 2, events: 300, start, span: 2 * HOUR }),
        );
        const before = (await lake.list("topics/")).map((e) => e.path);
        await assert.rejects(
          () => runSink(config, { once: true, group, lake, flushSize: 50, rotateIntervalMs: 0 }),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.match(
              e.message,
              /files were written with flush size \(--flush-size\) 100; this sink has 50, and rotate interval in ms \(--rotate-interval-ms\) 600000; this sink has 0\./,
            );
            return true;
          },
        );
        // Another group, same lake: the same refusal (its files would overlap just the same).
        const cli = await runScript(
          "sink",
          ["--once", "--flush-size", "50", "--group", uniqueName("g")],
          { KAFKA_TOPIC_PREFIX: t.kafkaConfig.topicPrefix, LAKE_URL: url },
        );
        assert.equal(cli.code, 1, cli.stderr);
        assert.match(
          cli.stderr,
          /^error: The lake's .*clickstream files were written with flush size \(--flush-size\) 100; this sink has 50\./m,
        );
        assert.deepEqual(
          (await lake.list("topics/")).map((e) => e.path),
          before,
          "nothing written",
        );
        // With the recorded settings it resumes, and the lake holds every record once.
        const resumed = await runSink(config, { once: true, group, lake, flushSize: 100 });
        assert.ok(resumed.records > 0);
        const audit = await auditLake(t.kafka, lake, t.topics, { group });
        assert.deepEqual(audit.problems, []);
      } finally {
        await lake.close();
        await t.cleanup();
      }
    });
  },
});

Deno.test({
  name:
    "a second sink process in the same group stops with a clear message, never writing beside the first",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("fence");
    await withTempDir(async (dir) => {
      const url = `file://${dir}`;
      const lake = openLake(parseLakeUrl(url));
      const env = { KAFKA_TOPIC_PREFIX: t.kafkaConfig.topicPrefix, LAKE_URL: url, NO_COLOR: "1" };
      const group = uniqueName("g");
      const args = ["--group", group, "--flush-size", "50", "--session-timeout-ms", "6000"];
      const first = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${PROJECT_ROOT}/scripts/sink.ts`, ...args],
        cwd: PROJECT_ROOT,
        env,
        stdout: "null",
        stderr: "piped",
      }).spawn();
      let firstLog = "";
      const reading = (async () => {
        for await (const chunk of first.stderr) firstLog += new TextDecoder().decode(chunk);
      })();
      try {
        const start = new Date(Date.now() - 40 * HOUR);
        await produceRecords(
          t.kafka,
          t.kafkaConfig,
          simulate({ seed: 3, events: 800, start, span: 2 * HOUR }),
        );
        const deadline = Date.now() + 120_000;
        while ((await lake.list("topics/")).length === 0 && Date.now() < deadline) await sleep(200);
        assert.ok((await lake.list("topics/")).length > 0, firstLog);
        const second = await runScript("sink", [...args, "--once"], env);
        assert.equal(second.code, 1, second.stderr);
        assert.match(
          second.stderr,
          new RegExp(
            `error: Another sink is running in consumer group '${group}' \\(ecom-lake-sink on [^)]+\\): one sink process per group`,
          ),
        );
        assert.doesNotMatch(second.stderr, /records in \d+ files/, "the second one wrote nothing");
        // The first goes on: new records reach the lake; stopped, nothing is missing.
        await produceRecords(
          t.kafka,
          t.kafkaConfig,
          simulate({ seed: 4, events: 200, start, span: 2 * HOUR }),
        );
        await sleep(3000);
        first.kill("SIGINT");
        assert.equal((await first.status).code, 0, firstLog);
        await reading;
        assert.doesNotMatch(firstLog, /fenced|error/i, firstLog);
        const drain = await runScript("sink", [...args, "--once"], env);
        assert.equal(drain.code, 0, drain.stderr);
        const audit = await auditLake(t.kafka, lake, t.topics, { group });
        assert.deepEqual(audit.problems, []);
      } finally {
        try {
          first.kill("SIGKILL");
        } catch { /* already gone */ }
        await first.status;
        await lake.close();
        await t.cleanup();
      }
    });
  },
});
