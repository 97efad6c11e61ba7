/** A produce run's clock: rates and pacing count from connected producers, not from the start. */
import assert from "node:assert/strict";
import { startProduceRun } from "../../lib/kafka/_produce_run.ts";

Deno.test("a produce run's rate counts from the moment its producers are connected", () => {
  let now = 1_000;
  const run = startProduceRun({ now: () => now, progressEvery: 1_000_000 });
  now += 5_000; // threads starting, kafkajs loading, connections opening
  run.connected();
  now += 2_000;
  run.sent(100, { clickstream: 100 });
  const stats = run.finish();
  assert.equal(stats.seconds, 2);
  assert.equal(stats.rate, 50);
  assert.deepEqual(stats.perTopic, { clickstream: 100 });
});

Deno.test("a produce run paces to its rate from the moment its producers are connected", () => {
  let now = 0;
  const run = startProduceRun({ now: () => now, rate: 100 });
  assert.equal(run.batchSize, 10, "a tenth of a second's records per request");
  now = 3_000; // connecting took 3 s: no burst to catch up with them
  run.connected();
  assert.equal(run.delay(100), 1_000);
  now = 3_500;
  assert.equal(run.delay(100), 500);
  assert.equal(run.delay(10), 0);
});
