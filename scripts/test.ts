/**
 * `deno task test`: every test. Installs what is missing, starts the local stack if it is not
 * up (and stops it again afterwards), runs the format and lint checks and `deno test` over
 * `tests/` and the doc examples of `lib/`, then prints the plain closing line
 * `N passed, N failed` (each check counts as one test).
 *
 * Extra arguments are passed to `deno test` (e.g. a path or `--filter`).
 */
import { loadConfig, PROJECT_ROOT } from "../lib/config/mod.ts";
import { parseFlags, runCli } from "../lib/cli/mod.ts";
import { installAll, services, startService, stopService } from "../lib/stack/mod.ts";

const SPEC = {
  name: "test",
  summary: "Every test: fmt and lint checks, then deno test over tests/ and lib/'s doc examples, " +
    "on the local stack (started if down, stopped again after); ends with `N passed, N failed`.",
  flags: {
    "keep-stack": {
      type: "boolean",
      description: "leave the stack running if this command started it",
    },
    "no-checks": { type: "boolean", description: "skip deno fmt --check and deno lint" },
  },
  positionals: [
    { name: "deno test args…", description: "given to deno test (e.g. a path)", optional: true },
  ],
  passthrough: true,
  examples: ["deno task test", "deno task test --keep-stack --no-checks tests/lake/"],
} as const;

async function check(name: string, args: string[]): Promise<boolean> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = (new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr)).trim();
  console.log(`${out.success ? "ok  " : "FAIL"} ${name}`);
  if (!out.success) console.log(text.split("\n").slice(-40).join("\n"));
  return out.success;
}

/** Runs `deno test`, streaming its output; returns its passed/failed counts. */
async function denoTest(args: string[]): Promise<{ passed: number; failed: number; ok: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--doc", ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  let last = "";
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (/\d+ passed.*\d+ failed/.test(line)) last = line;
  }
  const status = await child.status;
  const passed = Number(/(\d+) passed/.exec(last)?.[1] ?? 0);
  const failed = Number(/(\d+) failed/.exec(last)?.[1] ?? (status.success ? 0 : 1));
  // A run that dies before its summary (type error, crash) counts as one failure.
  return { passed, failed: status.success ? failed : Math.max(failed, 1), ok: status.success };
}

if (import.meta.main) {
  runCli(async () => {
    const { flags, positionals: args } = parseFlags(SPEC, Deno.args);
    const keep = flags["keep-stack"];
    const noChecks = flags["no-checks"];
    const config = loadConfig();
    await installAll();
    const started = [];
    for (const service of services(config)) {
      if ((await startService(config, service, (l) => console.error(l))) === "started") {
        started.push(service);
      }
    }
    // The stack creates the topics; `stack up` does it, so do the same here.
    const { ensureTopics, createKafka } = await import("../lib/kafka/mod.ts");
    if (config.kafka.local) await ensureTopics(createKafka(config.kafka), config.kafka);
    let passed = 0;
    let failed = 0;
    try {
      if (!noChecks) {
        for (
          const [name, cmd] of [["deno fmt --check", ["fmt", "--check"]], ["deno lint", [
            "lint",
          ]]] as const
        ) {
          if (await check(name, [...cmd])) passed++;
          else failed++;
        }
      }
      const result = await denoTest(args.length > 0 ? args : ["tests/", "lib/"]);
      passed += result.passed;
      failed += result.failed;
    } finally {
      if (!keep) { for (const service of started) await stopService(config, service); }
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  });
}
