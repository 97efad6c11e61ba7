/**
 * Ports for services that restart (a test's own broker, the soak's stack): free, with their
 * neighbours, and outside the kernel's ephemeral range, where an outgoing connection could take
 * them while the service is stopped.
 */
import assert from "node:assert/strict";
import { ephemeralPorts, freeServicePort } from "../../lib/stack/mod.ts";

Deno.test("freeServicePort: free ports outside the ephemeral range, neighbours included", () => {
  const [low, high] = ephemeralPorts();
  assert.ok(low >= 1024 && low <= high && high <= 65535, `${low}–${high}`);
  for (let i = 0; i < 50; i++) {
    const port = freeServicePort(2);
    assert.ok(port + 1 < low || port > high, `${port} is in ${low}–${high}`);
    // Both free: they bind.
    const a = Deno.listen({ hostname: "127.0.0.1", port });
    const b = Deno.listen({ hostname: "127.0.0.1", port: port + 1 });
    a.close();
    b.close();
  }
  // A port in use, or one to avoid, is never given.
  const held = Deno.listen({ hostname: "127.0.0.1", port: freeServicePort() });
  const taken = (held.addr as Deno.NetAddr).port;
  try {
    for (let i = 0; i < 200; i++) {
      const port = freeServicePort(1, [taken + 1]);
      assert.ok(port !== taken && port !== taken + 1);
    }
  } finally {
    held.close();
  }
});
