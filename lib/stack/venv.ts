/**
 * The project's Python virtualenv: JupyterLab (`deno task lab`), nbclient (lessons executed
 * headless on the Deno kernel) and PySpark (the Databricks notebooks), pinned in
 * `lib/stack/requirements.txt` and kept in the user cache under a folder named by that file's hash,
 * with the Deno kernelspec installed inside it.
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";
import { CACHE_DIR, exists, requireTool, run } from "./tools.ts";

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The virtualenv, created and filled once (see the module doc), with the Deno kernelspec
 * installed inside it. Returns its folder.
 */
export async function ensureVenv(log: (line: string) => void = () => {}): Promise<string> {
  const requirements = await Deno.readTextFile(`${PROJECT_ROOT}/lib/stack/requirements.txt`);
  const venv = `${CACHE_DIR}/venv-${(await sha256(requirements)).slice(0, 12)}`;
  if (!(await exists(`${venv}/.complete`))) {
    await requireTool("python3");
    log("Creating the Python virtualenv (JupyterLab, nbclient, PySpark) (once)…");
    // A virtualenv records its own path, so build it where it will live.
    await Deno.remove(venv, { recursive: true }).catch(() => {});
    await run("python3", ["-m", "venv", venv], { what: "Creating the virtualenv" });
    await run(`${venv}/bin/pip`, [
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "-r",
      `${PROJECT_ROOT}/lib/stack/requirements.txt`,
    ], { what: "Installing Python packages" });
    await Deno.writeTextFile(`${venv}/.complete`, requirements);
  }
  await installKernelspec(venv);
  return venv;
}

/** Where the Deno kernelspec lives inside a virtualenv (Jupyter finds it through `sys.prefix`). */
export function kernelspecDir(venv: string): string {
  return `${venv}/share/jupyter/kernels/deno`;
}

/**
 * Writes the Deno kernelspec into the virtualenv (what `deno jupyter --install` writes, but
 * project-local): argv holds this Deno's absolute path, env the shared npm cache.
 */
async function installKernelspec(venv: string) {
  const dir = kernelspecDir(venv);
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
