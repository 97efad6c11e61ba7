import assert from "node:assert/strict";
import {
  AZURITE_KEY,
  describeConfig,
  envExample,
  loadConfig,
  parseDotenv,
  parseLakeUrl,
  redactUrl,
  SETTINGS,
} from "../../lib/config/mod.ts";
import { ConfigError } from "../../lib/errors.ts";

const load = (env: Record<string, string>) => loadConfig({ env, dotenv: null });

Deno.test("defaults point at the local stack", () => {
  const config = load({});
  assert.deepEqual(config.kafka.brokers, ["127.0.0.1:9092"]);
  assert.equal(config.kafka.local, true);
  assert.equal(config.kafka.ssl, false);
  assert.equal(config.kafka.partitions, 3);
  assert.equal(config.lake.kind, "azurite");
  assert.equal(config.lake.container, "lake");
  assert.deepEqual(config.lake.endpoint, { host: "127.0.0.1", port: 10000 });
});

Deno.test("a malformed bootstrap address is one error naming the variable", () => {
  assert.throws(
    () => load({ KAFKA_BOOTSTRAP_SERVERS: "localhost" }),
    (e: unknown) =>
      e instanceof ConfigError && /^KAFKA_BOOTSTRAP_SERVERS must be host:port/.test(e.message),
  );
  assert.throws(() => load({ KAFKA_BOOTSTRAP_SERVERS: "a:99999" }), /KAFKA_BOOTSTRAP_SERVERS/);
});

Deno.test("a malformed LAKE_URL is one error naming the variable", () => {
  for (
    const url of ["s3://bucket", "azurite://x", "abfss://c@acct.blob.core.windows.net/", "file://"]
  ) {
    assert.throws(
      () => load({ LAKE_URL: url }),
      (e: unknown) =>
        e instanceof ConfigError && e.message.startsWith("LAKE_URL ") && !e.message.includes("\n"),
      url,
    );
  }
});

Deno.test("SASL settings switch on TLS and need credentials", () => {
  assert.throws(() => load({ KAFKA_SASL_MECHANISM: "plain" }), /KAFKA_SASL_USERNAME is required/);
  assert.throws(() => load({ KAFKA_SASL_MECHANISM: "oauth" }), /KAFKA_SASL_MECHANISM must be/);
  const config = load({
    KAFKA_BOOTSTRAP_SERVERS: "pkc-1.westeurope.azure.confluent.cloud:9092",
    KAFKA_SASL_MECHANISM: "PLAIN",
    KAFKA_SASL_USERNAME: "KEY",
    KAFKA_SASL_PASSWORD: "hunter2-secret",
  });
  assert.equal(config.kafka.ssl, true);
  assert.equal(config.kafka.local, false);
  assert.equal(config.kafka.sasl?.mechanism, "plain");
});

Deno.test("abfss needs a credential and is never shown with it", () => {
  const url = "abfss://lake@myaccount.dfs.core.windows.net/raw";
  assert.throws(
    () => load({ LAKE_URL: url }),
    /AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_SAS_TOKEN/,
  );
  const config = load({
    LAKE_URL: url,
    AZURE_STORAGE_SAS_TOKEN: "sv=2024&sig=TOPSECRET",
    KAFKA_SASL_MECHANISM: "plain",
    KAFKA_SASL_USERNAME: "u",
    KAFKA_SASL_PASSWORD: "hunter2-secret",
    KAFKA_BOOTSTRAP_SERVERS: "broker:9092",
  });
  assert.equal(config.lake.kind, "adls");
  assert.equal(config.lake.account, "myaccount");
  assert.equal(config.lake.prefix, "raw");
  const shown = JSON.stringify(describeConfig(config));
  assert.ok(!shown.includes("TOPSECRET"));
  assert.ok(!shown.includes("hunter2-secret"));
  assert.ok(!JSON.stringify(describeConfig(load({}))).includes(AZURITE_KEY));
});

Deno.test("URLs and connection strings lose their credentials when shown", () => {
  assert.equal(redactUrl("https://u:p@host/x"), "https://***@host/x");
  assert.equal(
    redactUrl("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;"),
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;",
  );
});

Deno.test("file lake URLs resolve relative paths against the project", () => {
  const lake = parseLakeUrl("file://data/lake", () => undefined, "/proj");
  assert.equal(lake.root, "/proj/data/lake");
  assert.equal(parseLakeUrl("file:///tmp/x/").root, "/tmp/x");
});

Deno.test(".env lines parse with comments and quotes, and the environment wins", async () => {
  assert.deepEqual(parseDotenv("# c\nA=1\nexport B='two words'\nC=\"x\" \nD=3 # trailing\n"), {
    A: "1",
    B: "two words",
    C: "x",
    D: "3",
  });
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/.env`, "KAFKA_PARTITIONS=6\nKAFKA_TOPIC_PREFIX=dev.\n");
  const config = loadConfig({ env: { KAFKA_PARTITIONS: "2" }, dotenv: `${dir}/.env` });
  assert.equal(config.kafka.partitions, 2);
  assert.equal(config.kafka.topicPrefix, "dev.");
  await Deno.remove(dir, { recursive: true });
});

Deno.test(".env.example lists every setting", async () => {
  const example = await Deno.readTextFile(new URL("../../.env.example", import.meta.url));
  for (const setting of SETTINGS) {
    assert.match(example, new RegExp(`^#? ?${setting.name}=`, "m"), setting.name);
  }
  assert.doesNotMatch(example, /PASSWORD=\S/);
  // The file is SETTINGS rendered (lib/config/env_example.ts): one source, no drift.
  assert.equal(example, envExample());
});

Deno.test("EVENT_TIME_ZONE is an IANA zone name, canonical; anything else is one error naming it", () => {
  assert.equal(load({}).eventTimeZone, "UTC");
  assert.equal(load({ EVENT_TIME_ZONE: "europe/berlin" }).eventTimeZone, "Europe/Berlin");
  assert.equal(load({ EVENT_TIME_ZONE: "Asia/Kolkata" }).eventTimeZone, "Asia/Kolkata");
  for (const zone of ["+05:30", "CEST+1", "Mars/Olympus", "Europe/Berlin;rm"]) {
    assert.throws(
      () => load({ EVENT_TIME_ZONE: zone }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^EVENT_TIME_ZONE must be an IANA time zone name/.test(e.message) &&
        e.message.includes(zone) && !e.message.includes("\n"),
      zone,
    );
  }
  assert.ok(
    describeConfig(load({ EVENT_TIME_ZONE: "Asia/Tokyo" })).some((r) =>
      r.setting === "EVENT_TIME_ZONE" && r.value === "Asia/Tokyo"
    ),
  );
});
