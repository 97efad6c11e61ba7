/**
 * `runSink` with `once` against the real broker, on both local backends (Azurite, file://):
 * every record lands exactly once (lake or DLQ), the DLQ says why, a replay rewrites identical
 * files; and the CLI's usage errors.
 */
import assert from "node:assert/strict";
import { parseLakeUrl } from "../../lib/config/mod.ts";
import { dlqName, produceRecords, readToEnd } from "../../lib/kafka/mod.ts";
import { type LakeStorage, openLake } from "../../lib/lake/mod.ts";
import { auditLake, DLQ_HEADERS, runSink } from "../../lib/sink/mod.ts";
import { TOPICS } from "../../lib/schema/events.ts";
import { simulate } from "../../lib/simulate/mod.ts";
import { azuriteUrl, INTEGRATION, runTask, uniqueName } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";

/**
 * Two hours before the latest month boundary that lies far enough in the past: the run spans a
 * day and a month end, and no record time is ahead of the broker's clock (Kafka refuses records
 * more than an hour in the future).
 */
function monthEnd(now = new Date()): { start: Date; lastDay: string; firstDay: string } {
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth();
  if (now.getTime() - Date.UTC(year, month, 1) < 6 * 3600_000) month--;
  const boundary = Date.UTC(year, month, 1);
  const last = new Date(boundary - 1);
  year = new Date(boundary).getUTCFullYear();
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    start: new Date(boundary - 2 * 3600_000),
    lastDay: `/year=${last.getUTCFullYear()}/month=${pad(last.getUTCMonth() + 1)}/day=${
      pad(last.getUTCDate())
    }/hour=23/`,
    firstDay: `/year=${year}/month=${pad(new Date(boundary).getUTCMonth() + 1)}/day=01/hour=00/`,
  };
}
const SPAN = monthEnd();

Deno.test({
  name: "sink --once puts every record in exactly one lake file or the DLQ, on Azurite and file://",
  ...INTEGRATION,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "ecom-sink-" });
    const backends: Array<[string, string]> = [
      ["azurite", azuriteUrl("sink")],
      ["file", `file://${dir}`],
    ];
    for (const [name, url] of backends) {
      await t.step(name, async () => {
        const fresh = await cliTopics("sink");
        const { kafka, kafkaConfig, topics } = fresh;
        const config = { ...fresh.config, lake: parseLakeUrl(url) };
        const sim = simulate({
          seed: 7,
          events: 2000,
          faults: "heavy",
          start: SPAN.start,
          span: 4 * 3600_000,
        });
        await produceRecords(kafka, kafkaConfig, sim);
        const malformed = TOPICS.reduce((n, topic) => n + sim.manifest.topics[topic].malformed, 0);
        assert.ok(malformed > 0, "the heavy fault preset makes malformed records");

        const lake: LakeStorage = openLake(config.lake);
        const group = uniqueName("g");
        const result = await runSink(config, { once: true, group, flushSize: 100, lake });
        assert.equal(result.reason, "drained");
        assert.equal(result.records + result.dlq, 2000);
        assert.equal(result.dlq, malformed);
        assert.equal(result.lag, 0);

        const audit = await auditLake(kafka, openLake(config.lake), topics, { group });
        assert.deepEqual(audit.problems, []);
        assert.equal(audit.ok, true);
        assert.equal(audit.topics.reduce((n, a) => n + a.lines, 0), result.records);
        assert.equal(audit.topics.reduce((n, a) => n + a.files, 0), result.files);
        // The run spans the end of November: both sides of the day and month boundary exist.
        const paths = (await lake.list("topics/")).map((e) => e.path);
        assert.ok(paths.some((p) => p.includes(SPAN.lastDay)), SPAN.lastDay);
        assert.ok(paths.some((p) => p.includes(SPAN.firstDay)), SPAN.firstDay);

        // Dead letters name their error and their source record.
        const letters = await readToEnd(kafka, topics.map(dlqName));
        const all = [...letters.values()].flat();
        assert.equal(all.length, malformed);
        for (const letter of all) {
          assert.ok(topics.includes(letter.headers[DLQ_HEADERS.topic]));
          assert.match(letter.headers[DLQ_HEADERS.errorClass], /^(InvalidJson|EmptyValue)$/);
          assert.match(letter.headers[DLQ_HEADERS.message], /not valid JSON|no value/);
          assert.match(letter.headers[DLQ_HEADERS.offset], /^\d+$/);
          assert.equal(letter.headers[DLQ_HEADERS.connector], group);
        }

        // Nothing left: a second run of the same group writes nothing.
        const idle = await runSink(config, { once: true, group, flushSize: 100, lake });
        assert.deepEqual([idle.files, idle.records, idle.dlq], [0, 0, 0]);

        // A replay from the start (another group) rewrites the very same files.
        const before = new Map<string, string>();
        for (const p of paths) before.set(p, new TextDecoder().decode(await lake.get(p)));
        const replay = await runSink(config, {
          once: true,
          group: uniqueName("g"),
          flushSize: 100,
          lake,
        });
        assert.equal(replay.files, result.files);
        const after = (await lake.list("topics/")).map((e) => e.path);
        assert.deepEqual(after, paths);
        for (const p of after) {
          assert.equal(new TextDecoder().decode(await lake.get(p)), before.get(p), p);
        }
        await lake.close();

        await fresh.cleanup();
      });
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "deno task sink names an unknown flag in one line and exits 2, prints usage on --help",
  ...INTEGRATION,
  async fn() {
    const bad = await runTask("sink", ["--bogus"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown flag --bogus/);
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    const help = await runTask("sink", ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: deno task sink/);
    assert.match(help.stdout, /--flush-size N/);
    assert.match(help.stdout, /gives up the exactly-once guarantee/);
  },
});
