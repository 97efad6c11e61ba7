import assert from "node:assert/strict";
import { formatDuration, HelpRequested, parseDuration, parseFlags } from "../../lib/cli/mod.ts";
import { UsageError } from "../../lib/errors.ts";

const SPEC = {
  name: "demo",
  summary: "A demo command",
  flags: {
    count: { type: "integer", default: 3, min: 1, description: "how many" },
    rate: { type: "number", description: "events per second" },
    wait: { type: "duration", default: 60_000, min: 1000, description: "how long" },
    mode: { type: "string", choices: ["fast", "slow"], default: "fast", description: "mode" },
    once: { type: "boolean", alias: "o", description: "stop when drained" },
    name: { type: "string", required: true, description: "a name" },
  },
} as const;

Deno.test("parseFlags reads every flag type and form, applying defaults", () => {
  const { flags, positionals } = parseFlags(SPEC, [
    "--name=x",
    "--rate",
    "2.5",
    "-o",
    "--wait",
    "1h30m",
  ]);
  assert.deepEqual(flags, {
    count: 3,
    rate: 2.5,
    wait: 5_400_000,
    mode: "fast",
    once: true,
    name: "x",
  });
  assert.deepEqual(positionals, []);
  assert.equal(parseFlags(SPEC, ["--name", "y", "--no-once"]).flags.once, false);
  assert.equal(parseFlags(SPEC, ["--name", "y", "--rate", "-1"]).flags.rate, -1);
});

Deno.test("parseFlags throws a UsageError naming the flag for each kind of mistake", () => {
  const cases: [string[], RegExp][] = [
    [["--name", "x", "--bogus"], /Unknown flag --bogus/],
    [["--name", "x", "-z"], /Unknown flag -z/],
    [["--name"], /Flag --name needs a value/],
    [[], /Missing required flag --name/],
    [["--name", "x", "--count", "2.5"], /Flag --count expects an integer, got "2.5"/],
    [["--name", "x", "--count", "0"], /Flag --count must be at least 1/],
    [["--name", "x", "--rate", "fast"], /Flag --rate expects a number/],
    [["--name", "x", "--wait", "10"], /--wait/],
    [["--name", "x", "--wait", "500ms"], /Flag --wait must be at least 1s, got 500ms/],
    [["--name", "x", "--mode", "medium"], /Flag --mode must be one of fast\|slow/],
    [["--name", "x", "extra"], /Unexpected argument "extra"/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseFlags(SPEC, args),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  }
});

Deno.test("parseFlags answers --help with the usage text", () => {
  assert.throws(() => parseFlags(SPEC, ["--help"]), (e: unknown) => {
    assert.ok(e instanceof HelpRequested);
    assert.match(e.usage, /--count INTEGER\s+how many \(default: 3\)/);
    assert.match(e.usage, /--name STRING\s+a name \(required\)/);
    return true;
  });
});

Deno.test("durations parse and format in both directions", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("60s"), 60_000);
  assert.equal(parseDuration("72h"), 259_200_000);
  assert.equal(parseDuration("2d"), 172_800_000);
  assert.throws(() => parseDuration("soon"), UsageError);
  assert.equal(formatDuration(259_200_000), "72h");
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(formatDuration(250), "250ms");
});
