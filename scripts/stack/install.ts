/**
 * Installs what the workspace needs beyond Deno, idempotently, into a user cache keyed by
 * version so that every clone of the project reuses it: Kafka's jars (Maven), Azurite (npm),
 * and a Python virtualenv (notebooks on the Deno kernel, PySpark).
 *
 * @module
 */
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { StackError } from "../../lib/errors.ts";

/** Pinned versions; a change here makes a new cache folder. */
export const VERSIONS = { kafka: "4.1.1", azurite: "3.37.0", deno: Deno.version.deno } as const;

/** The user cache folder: `$ECOM_CACHE`, else `$XDG_CACHE_HOME/ecom-stream`, else `~/.cache/ecom-stream`. */
export const CACHE_DIR: string = Deno.env.get("ECOM_CACHE") ??
  `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/ecom-stream`;

/** Where Kafka's jars live once installed. */
export const KAFKA_LIBS = `${CACHE_DIR}/kafka-${VERSIONS.kafka}/libs`;
/** Azurite's blob server entry point once installed. */
export const AZURITE_BIN =
  `${CACHE_DIR}/azurite-${VERSIONS.azurite}/node_modules/.bin/azurite-blob`;

/** Runs a command, streaming nothing; throws StackError with its output's tail on failure. */
export async function run(cmd: string, args: string[], options: { cwd?: string; what: string }) {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(cmd, {
      args,
      cwd: options.cwd,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw missingTool(cmd);
    throw error;
  }
  if (!output.success) {
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    const tail = text.trim().split("\n").slice(-15).join("\n");
    throw new StackError(`${options.what} failed (${cmd} exited ${output.code}):\n${tail}`);
  }
  return new TextDecoder().decode(output.stdout);
}

const INSTALL_HINTS: Record<string, string> = {
  java: "Install a JDK 17 (e.g. `apt-get install openjdk-17-jdk-headless`)",
  mvn: "Install Maven (e.g. `apt-get install maven`)",
  npm: "Install Node.js 20+ with npm",
  node: "Install Node.js 20+",
  python3: "Install Python 3.10+ with venv (e.g. `apt-get install python3-venv`)",
};

function missingTool(cmd: string): StackError {
  return new StackError(`'${cmd}' was not found on PATH. ${INSTALL_HINTS[cmd] ?? ""}`.trim());
}

/** Whether `cmd` can be run. */
export async function hasTool(cmd: string): Promise<boolean> {
  try {
    await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

/** Throws a StackError naming what to install if `cmd` is missing. */
export async function requireTool(cmd: string): Promise<void> {
  if (!(await hasTool(cmd))) throw missingTool(cmd);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Replaces `target` by the finished `staging` folder, so an interrupted install never looks done. */
async function publish(staging: string, target: string) {
  await Deno.remove(target, { recursive: true }).catch(() => {});
  await Deno.rename(staging, target);
}

/** Kafka's broker and tools jars, resolved by Maven from Maven Central. Returns the libs folder. */
export async function ensureKafka(log: (line: string) => void = () => {}): Promise<string> {
  await requireTool("java");
  if (await exists(`${KAFKA_LIBS}/.complete`)) return KAFKA_LIBS;
  await requireTool("mvn");
  log(`Resolving Apache Kafka ${VERSIONS.kafka} jars with Maven (once)…`);
  const staging = `${KAFKA_LIBS}.partial-${Deno.pid}`;
  await Deno.mkdir(staging, { recursive: true });
  await run("mvn", [
    "-q",
    "-B",
    "-f",
    `${PROJECT_ROOT}/scripts/stack/pom.xml`,
    `-Dkafka.version=${VERSIONS.kafka}`,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${staging}`,
    "-DincludeScope=runtime",
  ], { what: "Resolving Kafka jars" });
  // Two slf4j-api versions may come along; keep the 2.x one that log4j's binding needs.
  for await (const entry of Deno.readDir(staging)) {
    if (/^slf4j-api-1\./.test(entry.name)) await Deno.remove(`${staging}/${entry.name}`);
  }
  await Deno.writeTextFile(`${staging}/.complete`, VERSIONS.kafka);
  await publish(staging, KAFKA_LIBS);
  return KAFKA_LIBS;
}

/** Azurite from npm, run with the machine's Node.js. Returns the blob server's binary. */
export async function ensureAzurite(log: (line: string) => void = () => {}): Promise<string> {
  await requireTool("node");
  const dir = `${CACHE_DIR}/azurite-${VERSIONS.azurite}`;
  if (await exists(`${dir}/.complete`)) return AZURITE_BIN;
  await requireTool("npm");
  log(`Installing Azurite ${VERSIONS.azurite} from npm (once)…`);
  const staging = `${dir}.partial-${Deno.pid}`;
  await Deno.mkdir(staging, { recursive: true });
  await Deno.writeTextFile(`${staging}/package.json`, '{"private":true}\n');
  await run("npm", ["install", "--no-audit", "--no-fund", `azurite@${VERSIONS.azurite}`], {
    cwd: staging,
    what: "Installing Azurite",
  });
  await Deno.writeTextFile(`${staging}/.complete`, VERSIONS.azurite);
  await publish(staging, dir);
  return AZURITE_BIN;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The Python virtualenv (nbclient for notebooks on the Deno kernel, PySpark), keyed by the hash of
 * `scripts/requirements.txt`, with the Deno kernelspec installed inside it. Returns its folder.
 */
export async function ensureVenv(log: (line: string) => void = () => {}): Promise<string> {
  const requirements = await Deno.readTextFile(`${PROJECT_ROOT}/scripts/requirements.txt`);
  const venv = `${CACHE_DIR}/venv-${(await sha256(requirements)).slice(0, 12)}`;
  if (!(await exists(`${venv}/.complete`))) {
    await requireTool("python3");
    log("Creating the Python virtualenv (nbclient, PySpark) (once)…");
    const staging = `${venv}.partial-${Deno.pid}`;
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    // A virtualenv records its own path, so build it where it will live.
    await Deno.remove(venv, { recursive: true }).catch(() => {});
    await run("python3", ["-m", "venv", venv], { what: "Creating the virtualenv" });
    await run(`${venv}/bin/pip`, [
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "-r",
      `${PROJECT_ROOT}/scripts/requirements.txt`,
    ], { what: "Installing Python packages" });
    await Deno.writeTextFile(`${venv}/.complete`, requirements);
  }
  await installKernelspec(venv);
  return venv;
}

/**
 * Writes the Deno kernelspec into the virtualenv (what `deno jupyter --install` writes, but
 * project-local): argv holds this Deno's absolute path, env the shared npm cache.
 */
async function installKernelspec(venv: string) {
  const dir = `${venv}/share/jupyter/kernels/deno`;
  const spec = {
    argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    env: { DENO_DIR: Deno.env.get("DENO_DIR") ?? `${CACHE_DIR}/deno-dir`, NO_COLOR: "1" },
  };
  const text = JSON.stringify(spec, null, 2) + "\n";
  const current = await Deno.readTextFile(`${dir}/kernel.json`).catch(() => "");
  if (current === text) return;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/kernel.json`, text);
}

/** Where Debian's Chromium lives (browser tests drive it with playwright-core; never a download). */
export const CHROMIUM_BIN = Deno.env.get("CHROMIUM_BIN") ?? "/usr/bin/chromium";

/**
 * Debian's Chromium for the browser tests: present, or installed with `apt-get` when running as
 * root; otherwise a StackError saying how to install it. Returns the binary's path.
 */
export async function ensureChromium(log: (line: string) => void = () => {}): Promise<string> {
  if (await exists(CHROMIUM_BIN)) return CHROMIUM_BIN;
  if (Deno.uid() !== 0 || !(await hasTool("apt-get"))) {
    throw new StackError(
      `Chromium was not found at ${CHROMIUM_BIN}. Install Debian's chromium (\`sudo apt-get install chromium\`) or set CHROMIUM_BIN`,
    );
  }
  log("Installing Debian's chromium with apt-get (once)…");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    new Deno.Command("apt-get", {
      args: ["install", "-y", "-q", "chromium"],
      env,
      stdout: "null",
      stderr: "piped",
    })
      .output();
  if (!(await install()).success) {
    await run("apt-get", ["update", "-q"], { what: "apt-get update" });
    const again = await install();
    if (!again.success) {
      const tail = new TextDecoder().decode(again.stderr).trim().split("\n").slice(-10).join("\n");
      throw new StackError(`Installing chromium with apt-get failed:\n${tail}`);
    }
  }
  return CHROMIUM_BIN;
}
