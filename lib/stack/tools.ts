/**
 * The user cache and the external tools the workspace runs (java, mvn, npm, python3): where the
 * cache is, whether a tool is there, and running one with its output's tail in the error.
 *
 * @module
 */
import { StackError } from "../errors.ts";

/**
 * The user cache folder: `$ECOM_CACHE`, else `$XDG_CACHE_HOME/ecom-stream`, else
 * `~/.cache/ecom-stream`.
 */
export const CACHE_DIR: string = Deno.env.get("ECOM_CACHE") ??
  `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/ecom-stream`;

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

/** Runs a command, streaming nothing; throws StackError with its output's tail on failure. */
export async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; what: string },
): Promise<string> {
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

/** Whether a file or folder exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
