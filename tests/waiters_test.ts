import assert from "node:assert/strict";
import { Waiters } from "../lib/waiters.ts";

Deno.test("Waiters: a waiter resolves only once its condition holds, however often it is woken", async () => {
  const waiters = new Waiters();
  let count = 5;
  let resolved = false;
  const waiting = waiters.until(() => count < 3).then(() => resolved = true);
  for (let i = 0; i < 2; i++) {
    count--;
    waiters.wake();
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(resolved, false, `still ${count} in flight`);
  }
  count--;
  waiters.wake();
  await waiting;
  assert.equal(count, 2);
  // A condition that already holds does not wait for a wake.
  await waiters.until(() => true);
});

Deno.test("Waiters: one wake reaches every waiter, each with its own condition", async () => {
  const waiters = new Waiters();
  let failed = false;
  let inFlight = 8;
  const order: string[] = [];
  const a = waiters.until(() => inFlight < 8 || failed).then(() => order.push("a"));
  const b = waiters.until(() => failed).then(() => order.push("b"));
  inFlight = 7;
  waiters.wake();
  await a;
  assert.deepEqual(order, ["a"]);
  failed = true;
  waiters.wake();
  await b;
  assert.deepEqual(order, ["a", "b"]);
});
