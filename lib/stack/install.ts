/**
 * Installs what the workspace needs beyond Deno, idempotently, into a user cache keyed by
 * version so that every clone of the project reuses it: Kafka's jars (Maven), Azurite (npm),
 * and a Python virtualenv (notebooks on the Deno kernel, PySpark).
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";
import { StackError } from "../errors.ts";
import { CACHE_DIR, exists, hasTool, requireTool, run } from "./tools.ts";

/** Pinned versions; a change here makes a new cache folder. */
export const VERSIONS = { kafka: "4.1.1", azurite: "3.37.0", deno: Deno.version.deno } as const;

/** Where Kafka's jars live once installed. */
export const KAFKA_LIBS = `${CACHE_DIR}/kafka-${VERSIONS.kafka}/libs`;
/** Azurite's blob server entry point once installed. */
export const AZURITE_BIN =
  `${CACHE_DIR}/azurite-${VERSIONS.azurite}/node_modules/.bin/azurite-blob`;

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
    `${PROJECT_ROOT}/lib/stack/pom.xml`,
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
