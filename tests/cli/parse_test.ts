import assert from "node:assert/strict";
import { HelpRequested, parseFlags, parseMillis, usage } from "../../lib/cli/mod.ts";
import { parseSinkFlags } from "../../lib/cli/sink_flags.ts";
import { UsageError } from "../../lib/errors.ts";

const PASS = {
  name: "test",
  summary: "Run tests",
  flags: {
    "keep-stack": { type: "boolean", description: "keep it" },
    "no-checks": { type: "boolean", description: "skip checks" },
    wait: { type: "duration", default: 1000, description: "how long" },
  },
  positionals: [{ name: "args…", description: "for deno test", optional: true }],
  passthrough: true,
} as const;

Deno.test("passthrough: our flags first, then everything else untouched and in order", () => {
  const { flags, positionals } = parseFlags(PASS, [
    "--no-checks",
    "--wait",
    "5s",
    "tests/x_test.ts",
    "--filter",
    "a b",
    "--keep-stack",
  ]);
  assert.deepEqual(flags, { "keep-stack": false, "no-checks": true, wait: 5000 });
  assert.deepEqual(positionals, ["tests/x_test.ts", "--filter", "a b", "--keep-stack"]);
  assert.deepEqual(parseFlags(PASS, ["--filter", "x"]).positionals, ["--filter", "x"]);
  assert.deepEqual(parseFlags(PASS, ["--", "--wait"]).positionals, ["--wait"]);
  assert.throws(() => parseFlags(PASS, ["-h"]), HelpRequested);
});

Deno.test("booleans: --flag, --no-flag, --flag=true|false, the last one wins", () => {
  const spec = {
    name: "x",
    summary: "x",
    flags: { write: { type: "boolean", default: true, description: "write" } },
  } as const;
  assert.equal(parseFlags(spec, []).flags.write, true);
  assert.equal(parseFlags(spec, ["--no-write"]).flags.write, false);
  assert.equal(parseFlags(spec, ["--write=false"]).flags.write, false);
  assert.equal(parseFlags(spec, ["--no-write", "--write"]).flags.write, true);
  assert.throws(() => parseFlags(spec, ["--write=maybe"]), /Flag --write expects true or false/);
  assert.throws(() => parseFlags(spec, ["--no-write=1"]), /Flag --no-write takes no value/);
});

Deno.test("ms flags take plain milliseconds or a duration; anything else names the flag", () => {
  assert.equal(parseMillis("600000"), 600_000);
  assert.equal(parseMillis("10m"), 600_000);
  assert.throws(() => parseMillis("ten", "value for --x"), /value for --x "ten"/);
  assert.equal(parseSinkFlags(["--rotate-interval-ms", "10m"]).rotateIntervalMs, 600_000);
  assert.equal(parseSinkFlags(["--rotate-interval-ms=0"]).rotateIntervalMs, 0);
});

Deno.test("the sink's old -ms spellings still work, under the new names", () => {
  assert.deepEqual(parseSinkFlags(["--idle-flush-ms", "2000", "--session-timeout-ms=7000"]), {
    once: false,
    help: false,
    idleFlushMs: 2000,
    sessionTimeoutMs: 7000,
  });
  assert.deepEqual(parseSinkFlags(["--idle-flush", "2s", "--session-timeout", "7s"]), {
    once: false,
    help: false,
    idleFlushMs: 2000,
    sessionTimeoutMs: 7000,
  });
  assert.throws(() => parseSinkFlags(["--session-timeout", "1s"]), UsageError);
  assert.throws(() => parseSinkFlags(["--idle-flush", "2000"]), /--idle-flush/);
});

Deno.test("help: an optional positional is [NAME…], a required one <NAME>, deprecated flags say so", () => {
  const text = usage({
    name: "notebooks",
    summary: "Run the lessons",
    flags: {
      check: { type: "boolean", description: "write nothing" },
      old: { type: "ms", deprecatedFor: "check", description: "ms" },
    },
    positionals: [{ name: "NAME…", description: "only these", optional: true }],
  });
  assert.match(text, /Usage: deno task notebooks \[NAME…\] \[flags\]/);
  assert.doesNotMatch(text, /<NAME…>/);
  assert.match(text, /--old MS\s+ms \(deprecated: use --check\)/);
  const stack = usage({
    name: "stack",
    summary: "s",
    flags: {},
    positionals: [{ name: "up|down|status", description: "what" }],
  });
  assert.match(stack, /Usage: deno task stack <up\|down\|status> \[flags\]/);
});

Deno.test("help lines wrap at the repository's line width", () => {
  const text = usage({
    name: "x",
    summary: "x",
    flags: { long: { type: "boolean", description: "word ".repeat(60).trim() } },
  });
  for (const line of text.split("\n")) assert.ok(line.length <= 100, line);
  assert.ok(text.split("\n").filter((l) => l.includes("word")).length > 2);
});
