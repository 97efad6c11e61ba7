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

Deno.test("a produce run paced by event time waits until the wall clock reaches its records", () => {
  let wall = 1_800_000_000_000;
  const run = startProduceRun({ paceBy: "eventTime", rate: 50, wallClock: () => wall });
  assert.equal(run.batchSize, 5, "a tenth of a second's records per request, on average");
  run.connected();
  assert.equal(run.delay(5, wall + 2_000), 2_000, "a batch ahead of the clock waits for it");
  wall += 2_000;
  assert.equal(run.delay(10, wall - 500), 0, "records already past go at once");
  // The rate does not hold it back: a dense minute goes as fast as it happened.
  assert.equal(run.delay(1_000_000, wall), 0);
});
