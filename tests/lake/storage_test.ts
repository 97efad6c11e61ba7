/** One suite, run against every local backend: Azurite (real server) and file://. */
import assert from "node:assert/strict";
import { parseLakeUrl } from "../../lib/config/mod.ts";
import { LakeError } from "../../lib/errors.ts";
import {
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { AzureLake, encodeBlobPath, type LakeStorage, openLake } from "../../lib/lake/mod.ts";
import { azuriteUrl, INTEGRATION } from "../_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function backends(): Promise<
  Array<{ name: string; lake: LakeStorage; cleanup: () => Promise<void> }>
> {
  const dir = await Deno.makeTempDir({ prefix: "ecom-lake-" });
  return [
    {
      name: "file",
      lake: openLake(parseLakeUrl(`file://${dir}`)),
      cleanup: () => Deno.remove(dir, { recursive: true }),
    },
    {
      name: "azurite",
      lake: openLake(parseLakeUrl(azuriteUrl("t"))),
      cleanup: async () => {},
    },
  ];
}

Deno.test({
  name: "every backend stores, lists, reads and deletes files the same way",
  ...INTEGRATION,
  async fn(t) {
    for (const { name, lake, cleanup } of await backends()) {
      await t.step(name, async () => {
        await lake.init();
        await lake.init(); // idempotent
        const a = "topics/orders/year=2026/month=11/day=26/hour=10/orders+0+0000000000.json";
        const b = "topics/orders/year=2026/month=11/day=26/hour=11/orders+0+0000000042.json";
        const c =
          "topics/clickstream/year=2026/month=11/day=26/hour=10/clickstream+1+0000000000.json";
        await lake.put(b, enc('{"n":2}\n'));
        await lake.put(a, enc('{"n":1}\n'));
        await lake.put(c, enc('{"n":3}\n'));
        assert.equal(dec(await lake.get(a)), '{"n":1}\n');
        assert.deepEqual((await lake.list("topics/orders/")).map((e) => e.path), [a, b]);
        assert.equal((await lake.list("topics/")).length, 3);
        assert.equal(
          (await lake.list("topics/orders/year=2026/month=11/day=26/hour=11/"))[0].size,
          8,
        );
        assert.deepEqual(await lake.list("nothing/here/"), []);
        assert.equal(await lake.exists(a), true);
        assert.equal(await lake.exists("topics/none.json"), false);
        // A put replaces the whole file.
        await lake.put(a, enc('{"n":1,"again":true}\n'));
        assert.equal(dec(await lake.get(a)), '{"n":1,"again":true}\n');
        await lake.delete(a);
        await lake.delete(a); // deleting twice is fine
        assert.equal(await lake.exists(a), false);
        await assert.rejects(() => lake.get(a), LakeError);
        await assert.rejects(() => lake.put("../escape", enc("x")), TypeError);
        await lake.close();
        await cleanup();
      });
    }
  },
});

Deno.test({
  name: "an unreachable Azurite is a retriable lake error",
  ...INTEGRATION,
  async fn() {
    const lake = openLake(parseLakeUrl("azurite://127.0.0.1:1/lake"));
    await assert.rejects(
      () => lake.put("topics/x.json", enc("x")),
      (e: unknown) => e instanceof LakeError && e.retriable && /Could not write/.test(e.message),
    );
  },
});

Deno.test("an Azure lake opens without its SDK and describes itself as AzureLake does", async () => {
  const config = parseLakeUrl("azurite://127.0.0.1:1/lake");
  const lake = openLake(config);
  assert.equal(lake instanceof AzureLake, false, "made on first use");
  assert.equal(lake.description, new AzureLake(config).description);
  await lake.close(); // never used: nothing to load or close
});

Deno.test("blob names are URL-encoded one segment at a time", () => {
  assert.equal(
    encodeBlobPath("p/topics/orders/year=2026/orders+0+0000000000.json"),
    "p/topics/orders/year%3D2026/orders%2B0%2B0000000000.json",
  );
  assert.equal(encodeBlobPath("a b/ü?#%"), "a%20b/%C3%BC%3F%23%25");
});

Deno.test({
  name: "a configured SAS token writes to Azurite; a bad one is a lasting error naming the file",
  ...INTEGRATION,
  async fn() {
    const base = parseLakeUrl(azuriteUrl("sas"));
    const keyed = openLake(base);
    await keyed.init();
    const sas = generateBlobSASQueryParameters({
      containerName: base.container,
      permissions: ContainerSASPermissions.parse("cw"),
      expiresOn: new Date(Date.now() + 3600_000),
    }, new StorageSharedKeyCredential(base.account, base.accountKey!)).toString();
    const path = "topics/orders/year=2026/hour=10/orders+0+0000000000.json";
    const good = new AzureLake({ ...base, accountKey: undefined, sasToken: `?${sas}` });
    await good.put(path, enc('{"n":1}\n'));
    assert.equal(dec(await keyed.get(path)), '{"n":1}\n');
    const bad = new AzureLake({
      ...base,
      accountKey: undefined,
      sasToken: sas.replace(/sig=[^&]*/, "sig=AAAA"),
    });
    await assert.rejects(
      () => bad.put(path, enc("x")),
      (e: unknown) =>
        e instanceof LakeError && !e.retriable && e.message.includes(path) &&
        /HTTP 403/.test(e.message),
    );
    for (const { path } of await keyed.list("")) await keyed.delete(path);
    await keyed.close();
  },
});
