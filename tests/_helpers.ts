/** Shared test helpers: the real services, temporary folders, running our CLI. */
import { loadConfig } from "../lib/config/mod.ts";
import { PROJECT_ROOT } from "../lib/config/mod.ts";

/** Deno.test options for tests that talk to real services (kafkajs keeps timers alive). */
export const INTEGRATION = { sanitizeOps: false, sanitizeResources: false } as const;

/** The configuration tests run against (the local stack unless the environment says otherwise). */
export const testConfig = () => loadConfig();

/** An Azurite lake URL on the configured local endpoint, with a fresh container named after `prefix`. */
export function azuriteUrl(prefix: string): string {
  const endpoint = testConfig().lake.endpoint ?? { host: "127.0.0.1", port: 10000 };
  return `azurite://${endpoint.host}:${endpoint.port}/${uniqueName(prefix).toLowerCase()}`;
}

/** Escapes a string for use inside a RegExp. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A fresh temporary folder, removed when `fn` ends. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ecom-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** A unique suffix for names (topics, containers, groups) so tests do not see each other. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}`;
}

/** Runs `deno task <task> [args]` in the project; returns code and output. */
export async function runTask(
  task: string,
  args: string[] = [],
  env: Record<string, string> = {},
  options: { clearEnv?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", task, ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    clearEnv: options.clearEnv,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}
