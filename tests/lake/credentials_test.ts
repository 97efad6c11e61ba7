/**
 * Azure credentials, against the real Azurite: an account key, a SAS token, and a connection
 * string holding either work for both clients (Blob for writes and listings, DataLake for
 * reads, properties and the container); and with each credential wrong or its endpoint away, no
 * secret appears in any error message, cause, stack, inspection, log line or CLI output.
 */
import assert from "node:assert/strict";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { type LakeConfig, parseLakeUrl } from "../../lib/config/mod.ts";
import { LakeError } from "../../lib/errors.ts";
import { AzureLake } from "../../lib/lake/mod.ts";
import { runSink } from "../../lib/sink/mod.ts";
import { azuriteUrl, INTEGRATION, testConfig } from "../_helpers.ts";
import { runScript } from "../_topics.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** An account SAS for every blob operation, signed with `key`. */
function accountSas(account: string, key: string): string {
  return generateAccountSASQueryParameters({
    services: AccountSASServices.parse("b").toString(),
    resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
    permissions: AccountSASPermissions.parse("rwdlacup"),
    expiresOn: new Date(Date.now() + 3600_000),
  }, new StorageSharedKeyCredential(account, key)).toString();
}

/** The four documented ways to give a credential, as lake settings. */
function credentials(base: LakeConfig, key: string, endpoint: string) {
  const sas = accountSas(base.account, key);
  const plain = {
    ...base,
    accountKey: undefined,
    sasToken: undefined,
    connectionString: undefined,
  };
  return {
    sas,
    sets: [
      { name: "account key", config: { ...plain, accountKey: key } },
      { name: "SAS token", config: { ...plain, sasToken: `?${sas}` } },
      {
        name: "connection string with a key",
        config: {
          ...plain,
          connectionString:
            `DefaultEndpointsProtocol=http;AccountName=${base.account};AccountKey=${key};BlobEndpoint=${endpoint};`,
        },
      },
      {
        name: "connection string with a SAS",
        config: {
          ...plain,
          connectionString: `BlobEndpoint=${endpoint};SharedAccessSignature=${sas}`,
        },
      },
    ],
  };
}

const endpointOf = (c: LakeConfig) => `http://${c.endpoint!.host}:${c.endpoint!.port}/${c.account}`;

Deno.test({
  name: "every documented Azure credential works for the Blob and the DataLake client",
  ...INTEGRATION,
  async fn(t) {
    const base = parseLakeUrl(azuriteUrl("cred"));
    const { sets } = credentials(base, base.accountKey!, endpointOf(base));
    for (const [i, { name, config }] of sets.entries()) {
      await t.step(name, async () => {
        const lake = new AzureLake({ ...config, container: `${base.container}-${i}` });
        await lake.init(); // DataLake: create the file system
        await lake.init();
        const path = "topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json";
        await lake.put(path, enc('{"n":1}\n')); // Blob (lean put with a SAS)
        await lake.put(
          "analysis/x/data.csv",
          new Uint8Array(300 * 1024 * 1024 + 1).subarray(0, 10),
        );
        assert.equal(dec(await lake.get(path)), '{"n":1}\n'); // DataLake read
        assert.equal(await lake.exists(path), true); // DataLake properties
        assert.deepEqual((await lake.list("topics/")).map((e) => e.path), [path]); // Blob listing
        await lake.delete(path);
        assert.equal(await lake.exists(path), false);
        assert.ok(!lake.description.includes(config.sasToken ?? "\u0000"));
      });
    }
  },
});

/** Everything an error can show: message, stack, causes, and an inspection of the whole. */
function everything(error: unknown): string {
  const parts = [Deno.inspect(error, { depth: 20, showHidden: true, iterableLimit: 1000 })];
  for (let e = error as { message?: string; stack?: string; cause?: unknown } | undefined; e;) {
    parts.push(
      String(e.message),
      String(e.stack),
      JSON.stringify(e, Object.getOwnPropertyNames(e)),
    );
    e = e.cause as typeof e;
  }
  return parts.join("\n");
}

function assertNoSecret(text: string, secrets: string[], what: string) {
  // Nor any signature at all: with an account key, uploads carry a SAS signed from it.
  const signature = /sig=(?!\*\*\*)[^&\s"';)]+/.exec(text);
  assert.equal(signature, null, `${what} shows a signature (${signature?.[0].slice(0, 8)}…)`);
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      assert.ok(!text.includes(form), `${what} shows a secret (${form.slice(0, 6)}…):\n${text}`);
    }
  }
}

Deno.test({
  name:
    "with each credential wrong or its endpoint away, no secret appears in errors, causes, stacks, logs or CLI output",
  ...INTEGRATION,
  async fn(t) {
    const base = parseLakeUrl(azuriteUrl("leak"));
    // A key and SAS of our own: Azurite refuses them, and they are what must never show.
    const wrongKey = btoa("not-the-key-" + crypto.randomUUID()).replaceAll("=", "") + "==";
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const cases = [
      { where: "Azurite", endpoint: endpointOf(base), config: base },
      {
        where: "a closed port",
        endpoint: `http://127.0.0.1:${closedPort}/${base.account}`,
        config: { ...base, endpoint: { host: "127.0.0.1", port: closedPort } },
      },
    ];
    for (const { where, endpoint, config } of cases) {
      const { sas, sets } = credentials(config, wrongKey, endpoint);
      const sig = new URLSearchParams(sas).get("sig")!;
      for (const { name, config: lakeConfig } of sets) {
        await t.step(`${name}, ${where}`, async () => {
          const secrets = [wrongKey, sas, sig, lakeConfig.connectionString ?? wrongKey];
          const lake = new AzureLake(lakeConfig);
          const path = "topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json";
          const calls: Array<[string, () => Promise<unknown>]> = [
            ["init", () => lake.init()],
            ["put", () => lake.put(path, enc("{}\n"))],
            ["get", () => lake.get(path)],
            ["list", () => lake.list("topics/")],
            ["exists", () => lake.exists(path)],
            ["delete", () => lake.delete(path)],
          ];
          let failures = 0;
          for (const [op, call] of calls) {
            const error = await call().then(() => undefined, (e) => e);
            if (error === undefined) continue; // e.g. a delete of nothing
            failures++;
            assert.ok(error instanceof LakeError, `${op}: ${error}`);
            assertNoSecret(everything(error), secrets, `${op} (${name}, ${where})`);
          }
          assert.ok(failures >= 4, `${failures} calls failed`);
          // The sink's log lines while it waits for the lake, and its final error.
          const logs: string[] = [];
          const abort = new AbortController();
          const timer = setTimeout(() => abort.abort(), 1500);
          const outcome = await runSink(testConfig(), {
            lake,
            topics: ["clickstream"],
            signal: abort.signal,
            retry: { initialDelayMs: 50, maxDelayMs: 100 },
            log: (line) => logs.push(line),
          }).then((r) => JSON.stringify(r), (e) => everything(e));
          clearTimeout(timer);
          assertNoSecret([...logs, outcome].join("\n"), secrets, `sink (${name}, ${where})`);
        });
      }
    }
  },
});

Deno.test({
  name: "the CLI's error lines carry no secret, whichever credential is configured",
  ...INTEGRATION,
  async fn() {
    const base = parseLakeUrl(azuriteUrl("clileak"));
    const wrongKey = btoa("cli-key-" + crypto.randomUUID()).replaceAll("=", "") + "==";
    const sas = accountSas(base.account, wrongKey);
    const sig = new URLSearchParams(sas).get("sig")!;
    const endpoint = endpointOf(base);
    const url = `abfss://lake@${base.account}.dfs.core.windows.net/`;
    const envs: Array<Record<string, string>> = [
      // Endpoints in the connection string: Azurite, which refuses the wrong key / signature.
      {
        AZURE_STORAGE_CONNECTION_STRING:
          `DefaultEndpointsProtocol=http;AccountName=${base.account};AccountKey=${wrongKey};BlobEndpoint=${endpoint};`,
      },
      { AZURE_STORAGE_CONNECTION_STRING: `BlobEndpoint=${endpoint};SharedAccessSignature=${sas}` },
      // The account's own endpoints, which cannot be reached from here.
      { AZURE_STORAGE_ACCOUNT_KEY: wrongKey },
      { AZURE_STORAGE_SAS_TOKEN: `?${sas}` },
    ];
    for (const env of envs) {
      const run = await runScript("nrt", ["--no-write"], { LAKE_URL: url, DEBUG: "1", ...env });
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(
        run.stderr,
        /^error: Could not list abfss:\/\/lake@devstoreaccount1\.dfs\.core\.windows\.net\/?\/?topics\//m,
      );
      assertNoSecret(
        run.stdout + run.stderr,
        [wrongKey, sas, sig, ...Object.values(env)],
        Object.keys(env)[0],
      );
    }
  },
});
