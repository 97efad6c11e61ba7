/**
 * No result depends on the host's time zone: `sink --once` over the same topics (the original
 * producers' wall-clock timestamps mixed with ours) writes byte-identical lakes under TZ=UTC and
 * TZ=Asia/Kolkata, each record in the UTC hour of its event time read in EVENT_TIME_ZONE.
 */
import assert from "node:assert/strict";
import { produceRecords } from "../../lib/kafka/mod.ts";
import { FileLake, hourFolder, parseRawPath } from "../../lib/lake/mod.ts";
import { parseEventTime } from "../../lib/schema/event_time.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { INTEGRATION, runTask, uniqueName, withTempDir } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";

const ZONE = "Europe/Berlin";

Deno.test({
  name: "the sink's lake is byte-identical under TZ=UTC and TZ=Asia/Kolkata",
  ...INTEGRATION,
  fn: () =>
    withTempDir(async (dir) => {
      const { kafka, kafkaConfig } = await cliTopics("tz");
      const prefix = kafkaConfig.topicPrefix;
      // Around the end of summer time in Berlin (2026-10-25), where wall-clock times repeat.
      const options = {
        events: 2000,
        faults: "default" as const,
        start: new Date("2026-10-24T20:00:00Z"),
        span: 12 * 3600_000,
      };
      await produceRecords(kafka, kafkaConfig, [
        ...simulate({ ...options, seed: 31, format: "original", zone: ZONE }),
        ...simulate({ ...options, seed: 32 }),
      ]);
      const lakes: Record<string, Map<string, string>> = {};
      for (const tz of ["UTC", "Asia/Kolkata"]) {
        const root = `${dir}/${tz.replace("/", "-")}`;
        const r = await runTask("sink", [
          "--once",
          "--group",
          uniqueName("tz"),
          "--flush-size",
          "300",
        ], {
          KAFKA_TOPIC_PREFIX: prefix,
          LAKE_URL: `file://${root}`,
          EVENT_TIME_ZONE: ZONE,
          TZ: tz,
        });
        assert.equal(r.code, 0, r.stderr);
        const lake = new FileLake(root);
        const files = new Map<string, string>();
        for (const entry of await lake.list("topics/")) {
          files.set(entry.path, new TextDecoder().decode(await lake.get(entry.path)));
        }
        lakes[tz] = files;
      }
      const [utc, kolkata] = [lakes["UTC"], lakes["Asia/Kolkata"]];
      assert.ok(utc.size > 20);
      assert.deepEqual([...kolkata.keys()].sort(), [...utc.keys()].sort());
      for (const [path, text] of utc) assert.equal(kolkata.get(path), text, path);
      // Each line sits in the UTC hour of its event time, wall-clock times read in Berlin.
      let wall = 0;
      for (const [path, text] of utc) {
        const file = parseRawPath(path)!;
        for (const line of text.trim().split("\n")) {
          const ts = JSON.parse(line).timestamp;
          const t = parseEventTime(ts, ZONE);
          if (t === null) continue;
          if (!String(ts).includes("T")) wall++;
          assert.equal(hourFolder(t), hourFolder(file.hour), `${ts} in ${path}`);
        }
      }
      assert.ok(wall > 500, "the original producers' wall-clock timestamps are in the lake");
      // The repeated hour of the night of 2026-10-25 was read as its first pass (summer time).
      assert.ok([...utc.keys()].some((p) => p.includes("/day=25/hour=00/")));
    }),
});
