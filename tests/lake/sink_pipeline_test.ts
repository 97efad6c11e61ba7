/**
 * The sink's uploads overlap with fetching and finish out of order: offsets must still be
 * committed only up to the first file not yet stored. A lake that stores files after seeded
 * random delays, and holds one file back, shows the commit stopping at that file; a rerun then
 * leaves every record exactly once.
 */
import assert from "node:assert/strict";
import { LakeError } from "../../lib/errors.ts";
import { produceRecords, topicName } from "../../lib/kafka/mod.ts";
import { FileLake, parseRawPath } from "../../lib/lake/mod.ts";
import { auditLake, runSink } from "../../lib/sink/mod.ts";
import { Random, simulate } from "../../lib/simulate/mod.ts";
import { INTEGRATION, uniqueName } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";
import { sleep } from "../../lib/sleep.ts";
import { DelegatingLake } from "../_lakes.ts";

/** A file lake whose puts take seeded random time and which refuses one path until released. */
class UnevenLake extends DelegatingLake {
  override get description() {
    return "uneven lake";
  }
  readonly random = new Random(11);
  readonly stored: string[] = [];
  held?: string;
  released = false;
  #calls = 0;

  constructor(root: string) {
    super(new FileLake(root));
  }

  override async put(path: string, data: Uint8Array) {
    // The third file is held back: "unreachable" for it alone, until released.
    if (++this.#calls === 3) this.held = path;
    if (path === this.held && !this.released) {
      throw new LakeError(`${path} is held back`, { retriable: true });
    }
    await sleep(this.random.int(15));
    await this.inner.put(path, data);
    this.stored.push(path);
  }
}

Deno.test({
  name: "uploads finishing out of order never let a commit pass a file that is not stored",
  ...INTEGRATION,
  async fn() {
    const { config, kafkaConfig, kafka } = await cliTopics("pipe");
    const topic = topicName(kafkaConfig, "clickstream");
    const dir = await Deno.makeTempDir({ prefix: "ecom-sink-pipe-" });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const sim = simulate({
        seed: 5,
        events: 3000,
        faults: "heavy",
        start: new Date(Date.now() - 30 * 24 * 3600_000),
        span: 6 * 3600_000,
      });
      await produceRecords(kafka, kafkaConfig, sim);
      const group = uniqueName("g");
      const lake = new UnevenLake(dir);
      const options = {
        topics: [topic],
        group,
        flushSize: 20,
        uploadConcurrency: 4,
        maxQueuedFiles: 3,
        commitIntervalMs: 0,
        retry: { initialDelayMs: 5, maxDelayMs: 20 },
      };
      const committed = async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return new Map(offsets.partitions.map((p) => [p.partition, Number(p.offset)]));
      };
      const stop = new AbortController();
      const running = runSink(config, { ...options, lake, signal: stop.signal });
      // Let the other partitions store and commit files after the held one.
      let held: ReturnType<typeof parseRawPath> = null;
      for (let i = 0; i < 600; i++) {
        held = lake.held ? parseRawPath(lake.held) : null;
        if (held) {
          const after = lake.stored.map(parseRawPath).filter((f) =>
            f && f.partition !== held!.partition
          );
          const offsets = await committed();
          const others = [...offsets].filter(([p, o]) => p !== held!.partition && o > 0);
          if (after.length >= 6 && others.length > 0) break;
        }
        await sleep(50);
      }
      assert.ok(held, "a file was held back");
      // Later files of the held partition may be stored; its commit must stay at the held one.
      const storedLater = lake.stored.map(parseRawPath).filter((f) =>
        f && f.partition === held!.partition && f.startOffset > held!.startOffset
      );
      stop.abort();
      const stopped = await running;
      assert.equal(stopped.reason, "stopped");
      const offsets = await committed();
      assert.ok(
        (offsets.get(held.partition) ?? -1) <= held.startOffset,
        `partition ${held.partition} committed ${
          offsets.get(held.partition)
        } past the held file at ${held.startOffset} (${storedLater.length} later files stored)`,
      );
      assert.ok([...offsets.values()].some((o) => o > 0), "other partitions committed");

      // Released, a rerun of the group completes the lake: every record exactly once.
      lake.released = true;
      const result = await runSink(config, { ...options, lake, once: true });
      assert.equal(result.reason, "drained");
      const audit = await auditLake(kafka, lake.inner, [topic], { group });
      assert.deepEqual(audit.problems, []);
      assert.equal(audit.ok, true);
    } finally {
      const names = (await admin.listTopics()).filter((t) => t.startsWith(kafkaConfig.topicPrefix));
      await admin.deleteTopics({ topics: names }).catch(() => {});
      await admin.disconnect();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
