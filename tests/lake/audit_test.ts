/**
 * The lake audit (one streaming pass per partition) finds what it must, on the real broker:
 * a lost file, an overlapping file (duplicates), a changed line.
 */
import assert from "node:assert/strict";
import { parseLakeUrl } from "../../lib/config/mod.ts";
import { openLake, parseRawPath, rawPath } from "../../lib/lake/mod.ts";
import { auditLake, runSink } from "../../lib/sink/mod.ts";
import { INTEGRATION, uniqueName, withTempDir } from "../_helpers.ts";
import { freshTopics } from "../_topics.ts";

Deno.test({
  name: "the audit finds a lost file, an overlapping file and a changed line",
  ...INTEGRATION,
  async fn() {
    const t = await freshTopics("audit", { partitions: 1 });
    await withTempDir(async (dir) => {
      const config = { ...t.config, lake: parseLakeUrl(`file://${dir}`) };
      const lake = openLake(config.lake);
      try {
        const clicks = t.name("clickstream");
        const t0 = Date.UTC(2026, 10, 20, 10);
        const values = Array.from(
          { length: 120 },
          (_, i) =>
            i === 30 || i === 77 ? `not json ${i}` : JSON.stringify({
              event_id: `e${i}`,
              user_id: "u",
              timestamp: new Date(t0 + i).toISOString(),
            }),
        );
        const producer = t.kafka.producer({ idempotent: true });
        await producer.connect();
        await producer.send({
          topic: clicks,
          acks: -1,
          messages: values.map((value, i) => ({ key: null, value, timestamp: String(t0 + i) })),
        });
        await producer.disconnect();
        const group = uniqueName("g");
        await runSink(config, { once: true, group, lake, topics: [clicks], flushSize: 50 });
        let seen = 0;
        const clean = await auditLake(t.kafka, lake, [clicks], { group, onRecord: () => seen++ });
        assert.deepEqual(clean.problems, []);
        assert.equal(seen, 120);
        assert.deepEqual(
          [
            clean.topics[0].valid,
            clean.topics[0].invalid,
            clean.topics[0].dlq,
            clean.topics[0].files,
          ],
          [118, 2, 2, 3],
        );
        const files = (await lake.list("topics/")).map((e) => e.path);
        const second = files[1];
        const text = new TextDecoder().decode(await lake.get(second));
        const lines = text.trimEnd().split("\n");

        await lake.delete(second);
        const lost = await auditLake(t.kafka, lake, [clicks], { group });
        assert.equal(lost.ok, false);
        assert.equal(lost.topics[0].missing, 50);
        assert.match(lost.problems[0], /: in no lake file$/);
        await lake.put(second, new TextEncoder().encode(text));

        // A copy of ten of its lines under another start offset: ten records twice.
        const start = parseRawPath(second)!;
        const offset = start.startOffset + 5; // no dead letter in between
        const overlap = rawPath({ ...start, startOffset: offset });
        await lake.put(overlap, new TextEncoder().encode(lines.slice(5, 15).join("\n") + "\n"));
        const twice = await auditLake(t.kafka, lake, [clicks], { group });
        assert.equal(twice.topics[0].duplicated, 10);
        assert.equal(twice.topics[0].missing, 0);
        await lake.delete(overlap);

        const changed = [...lines];
        changed[3] = changed[3].replace('"u"', '"v"');
        await lake.put(second, new TextEncoder().encode(changed.join("\n") + "\n"));
        const mismatch = await auditLake(t.kafka, lake, [clicks], { group });
        assert.deepEqual([mismatch.topics[0].mismatched, mismatch.topics[0].missing], [1, 1]);
        assert.match(mismatch.problems.join("\n"), /line 4 does not match Kafka/);
      } finally {
        await lake.close();
        await t.cleanup();
      }
    });
  },
});
