import assert from "node:assert/strict";

const SCRIPT = new URL("../../scripts/simulate.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function simulateCli(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

async function readAll(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    files[entry.name] = await Deno.readTextFile(`${dir}/${entry.name}`);
  }
  return files;
}

Deno.test("simulate CLI reruns with --start are byte-identical", async () => {
  const [a, b] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    const args = [
      "--seed",
      "8",
      "--events",
      "3000",
      "--start",
      "2026-11-26T00:00:00Z",
      "--span",
      "24h",
    ];
    const first = await simulateCli([...args, "--out", a]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /clickstream/);
    assert.equal((await simulateCli([...args, "--out", b])).code, 0);
    const [filesA, filesB] = [await readAll(a), await readAll(b)];
    assert.deepEqual(Object.keys(filesA).sort(), [
      "clickstream.jsonl",
      "delivery-status.jsonl",
      "manifest.json",
      "orders.jsonl",
      "user-profiles.jsonl",
    ]);
    assert.deepEqual(filesA, filesB);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("simulate CLI exits 2 with one error line for a bad flag", async () => {
  const result = await simulateCli(["--out", "x", "--faults", "lots"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr.trim(),
    'error: Flag --faults must be one of none|default|heavy, got "lots"',
  );
  const missing = await simulateCli([]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: Missing required flag --out/);
  const help = await simulateCli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: deno task simulate/);
});
