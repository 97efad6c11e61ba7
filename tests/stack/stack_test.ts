/** The stack CLI against the real running services, and its errors. */
import assert from "node:assert/strict";
import { INTEGRATION, runTask, testConfig, withTempDir } from "../_helpers.ts";

Deno.test({
  name: "stack status shows Kafka and Azurite healthy with their pids and ports",
  ...INTEGRATION,
  async fn() {
    const { code, stdout } = await runTask("stack", ["status"]);
    assert.equal(code, 0, stdout);
    const config = testConfig();
    const kafkaPort = config.kafka.brokers[0].split(":")[1];
    const azuritePort = config.lake.endpoint?.port ?? 10000;
    assert.match(stdout, new RegExp(`^kafka\\s+\\d+\\s+${kafkaPort}\\s+yes`, "m"));
    assert.match(stdout, new RegExp(`^azurite\\s+\\d+\\s+${azuritePort}\\s+yes`, "m"));
  },
});

Deno.test({
  name: "stack up is a no-op when everything already runs",
  ...INTEGRATION,
  async fn() {
    const { code, stdout } = await runTask("stack", ["up"]);
    assert.equal(code, 0);
    assert.match(stdout, /kafka already running/);
    assert.match(stdout, /azurite already running/);
  },
});

Deno.test({
  name: "kafka topics --list lists the four topics from Kafka's own tool",
  ...INTEGRATION,
  async fn() {
    const { code, stdout } = await runTask("kafka", ["topics", "--list"]);
    assert.equal(code, 0);
    const topics = stdout.trim().split("\n");
    for (const t of ["clickstream", "orders", "user-profiles", "delivery-status"]) {
      assert.ok(topics.includes(t), t);
    }
  },
});

Deno.test("an unknown subcommand prints usage and exits 2", async () => {
  const { code, stderr } = await runTask("stack", ["sideways"]);
  assert.equal(code, 2);
  assert.match(stderr, /Unknown subcommand 'sideways'/);
  assert.match(stderr, /Usage: deno task stack/);
  const tool = await runTask("kafka", ["no-such-tool"]);
  assert.equal(tool.code, 2);
});

Deno.test({
  name: "a port already taken is an error naming the port",
  ...INTEGRATION,
  async fn() {
    await withTempDir(async (dir) => {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      try {
        const { code, stderr } = await runTask("stack", ["up"], {
          KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}`,
          LAKE_URL: `file://${dir}/lake`,
          DATA_DIR: dir,
        });
        assert.equal(code, 1);
        assert.match(stderr, new RegExp(`^error: Port ${port} is already in use`, "m"));
      } finally {
        listener.close();
      }
    });
  },
});

Deno.test("a missing java is an error saying what to install", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await runTask("stack", ["up"], {
      PATH: Deno.execPath().replace(/\/[^/]+$/, ""),
      HOME: Deno.env.get("HOME")!,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? "",
      ECOM_CACHE: `${dir}/empty-cache`,
      KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1",
      LAKE_URL: `file://${dir}/lake`,
      DATA_DIR: dir,
    }, { clearEnv: true });
    assert.equal(code, 1);
    assert.match(stderr, /'java' was not found on PATH\. Install a JDK 17/);
  });
});

Deno.test("a malformed setting stops the stack before any work starts", async () => {
  const { code, stderr } = await runTask("stack", ["up"], { LAKE_URL: "ftp://nope" });
  assert.equal(code, 1);
  assert.equal(stderr.trim().split("\n").length, 1);
  assert.match(stderr, /^error: LAKE_URL must start with/);
});
