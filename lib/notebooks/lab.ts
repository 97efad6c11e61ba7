/**
 * JupyterLab on the lessons: the pinned JupyterLab of the project's virtualenv, with the Deno
 * kernelspec registered inside that virtualenv (so nothing is installed into the user's own
 * Jupyter), serving `notebooks/` on 127.0.0.1 with a fresh token. `deno task lab` wraps it.
 *
 * @module
 */
import { PROJECT_ROOT } from "../config/mod.ts";
import { StackError } from "../errors.ts";
import { ensureVenv } from "../stack/venv.ts";
import { NOTEBOOKS_DIR } from "./percent.ts";
import { sleep } from "../sleep.ts";

/** Options of {@linkcode startLab}. */
export interface LabOptions {
  /** Port on 127.0.0.1. @default 8888 */
  port?: number;
  /** Open a browser tab. @default true */
  browser?: boolean;
  /** Where JupyterLab's own log goes. @default data/lab/jupyter.log */
  logFile?: string;
  /** Extra environment for the server and its kernels. @default none */
  env?: Record<string, string>;
  /** Progress lines (installing the virtualenv the first time). @default nothing */
  log?: (line: string) => void;
}

/** A running JupyterLab. */
export interface Lab {
  /** The URL to open, with its token. */
  url: string;
  /** The URL of a lesson, with the token, e.g. `lessonUrl("02-realtime")`. */
  lessonUrl(name: string): string;
  /** Where JupyterLab logs. */
  logFile: string;
  /** Resolves when the server has exited (by itself or after `stop`). */
  exited: Promise<Deno.CommandStatus>;
  /** Stops the server (and its kernels) cleanly; resolves when it has exited. */
  stop(): Promise<void>;
}

/** The command line of JupyterLab for {@linkcode startLab}. */
export function labArgs(port: number, token: string, browser: boolean): string[] {
  return [
    "lab",
    `--ServerApp.root_dir=${NOTEBOOKS_DIR}`,
    // The open tabs and panels of this project's lab, kept with the project (not in ~/.jupyter).
    `--LabApp.workspaces_dir=${PROJECT_ROOT}/data/lab/workspaces`,
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    // Fail on a busy port rather than move to another one the printed URL would not name.
    "--ServerApp.port_retries=0",
    `--IdentityProvider.token=${token}`,
    `--ServerApp.open_browser=${browser ? "True" : "False"}`,
    // No network but the package registries here: no update or news checks.
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.news_url=None",
    "--LabApp.extension_manager=readonly",
    // Jupyter refuses root unless told; containers and CI machines often run as root.
    ...(Deno.uid() === 0 ? ["--allow-root"] : []),
  ];
}

/**
 * JupyterLab settings of the project's virtualenv (not the user's): no prompt to fetch Jupyter's
 * news from the network.
 */
async function writeOverrides(venv: string) {
  const dir = `${venv}/share/jupyter/lab/settings`;
  const text = JSON.stringify(
    { "@jupyterlab/apputils-extension:notification": { fetchNews: "false" } },
    null,
    2,
  ) + "\n";
  if ((await Deno.readTextFile(`${dir}/overrides.json`).catch(() => "")) === text) return;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/overrides.json`, text);
}

async function tail(path: string, lines = 8): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** Starts JupyterLab (see the module doc) and resolves once it answers. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const port = options.port ?? 8888;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StackError(`--port must be a TCP port (1–65535), got ${port}`);
  }
  const venv = await ensureVenv(options.log);
  await writeOverrides(venv);
  const logFile = options.logFile ?? `${PROJECT_ROOT}/data/lab/jupyter.log`;
  await Deno.mkdir(logFile.slice(0, logFile.lastIndexOf("/")), { recursive: true });
  const log = await Deno.open(logFile, { create: true, write: true, truncate: true });
  const token = Array.from(
    crypto.getRandomValues(new Uint8Array(24)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const child = new Deno.Command(`${venv}/bin/jupyter`, {
    args: labArgs(port, token, options.browser ?? true),
    cwd: NOTEBOOKS_DIR,
    env: { JUPYTER_PLATFORM_DIRS: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Jupyter's own log goes to the file; the caller prints what a person needs.
  const copy = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(new WritableStream({ write: (chunk) => log.write(chunk).then(() => {}) }));
  const copied = Promise.all([copy(child.stdout), copy(child.stderr)]);
  const exited = child.status.then(async (status) => {
    await copied.catch(() => {});
    log.close();
    return status;
  });
  let done = false;
  exited.then(() => done = true);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    if (done) {
      const log = await tail(logFile);
      if (/port \d+ is not available|already in use/i.test(log)) {
        throw new StackError(`Port ${port} is in use: pick another with --port`);
      }
      throw new StackError(`JupyterLab exited before it answered on port ${port}:\n${log}`);
    }
    const ok = await fetch(`${base}/api/status?token=${token}`).then((r) => {
      r.body?.cancel();
      return r.ok;
    }).catch(() => false);
    if (ok) break;
    if (i > 600) {
      child.kill("SIGTERM");
      throw new StackError(`JupyterLab did not answer on ${base} within 2 minutes`);
    }
    await sleep(200);
  }
  return {
    url: `${base}/lab?token=${token}`,
    lessonUrl: (name) => `${base}/lab/tree/${name}.ipynb?token=${token}`,
    logFile,
    exited,
    async stop() {
      if (!done) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
      }
      await exited;
    },
  };
}
