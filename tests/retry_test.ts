/** The one retry: tries, elapsed-time limit, the retriable test, give-up errors. */
import assert from "node:assert/strict";
import { KafkaError, LakeError } from "../lib/errors.ts";
import { isRetriable, retry } from "../lib/retry.ts";

Deno.test("retry stops after maxTries with the last error", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      retry(() => {
        calls++;
        return Promise.reject(new KafkaError(`broker away ${calls}`, { retriable: true }));
      }, { initialDelayMs: 1, maxTries: 3 }),
    /broker away 3/,
  );
  assert.equal(calls, 3);
});

Deno.test("retry gives up once maxElapsedMs has passed, through onGiveUp", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      retry(() => {
        calls++;
        return Promise.reject(new KafkaError("coordinator away", { retriable: true }));
      }, {
        initialDelayMs: 1,
        maxElapsedMs: 0,
        onGiveUp: (error) => new KafkaError(`${(error as Error).message}; gave up`),
      }),
    (error: unknown) =>
      error instanceof KafkaError && /coordinator away; gave up/.test(error.message),
  );
  assert.equal(calls, 1, "a zero limit gives up at the first failure");
});

Deno.test("retry retries what its retriable test accepts, and only that", async () => {
  assert.equal(isRetriable(new LakeError("away", { retriable: true })), true);
  assert.equal(isRetriable(new Error("plain")), false);
  let calls = 0;
  const value = await retry(() => {
    if (++calls < 3) throw new Error("not the leader");
    return Promise.resolve(calls);
  }, { initialDelayMs: 1, factor: 1, retriable: (e) => /leader/.test(String(e)) });
  assert.equal(value, 3);
  calls = 0;
  await assert.rejects(
    () =>
      retry(() => {
        calls++;
        return Promise.reject(new Error("plain"));
      }, { initialDelayMs: 1 }),
    /plain/,
  );
  assert.equal(calls, 1, "a plain error is not retried by default");
});
