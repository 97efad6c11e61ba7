/**
 * `deno task lab [--port N] [--no-browser]`: JupyterLab with the Deno kernel on `notebooks/`
 * (see `lib/notebooks/lab.ts`); prints its URL; Ctrl-C stops it and its kernels cleanly.
 *
 * @module
 */
import { PROJECT_ROOT } from "../lib/config/mod.ts";
import { startLab } from "../lib/notebooks/lab.ts";
import { parseFlags, runCli } from "../lib/cli/mod.ts";

const SPEC = {
  name: "lab",
  summary: "JupyterLab with the Deno kernel on notebooks/ (from the project's cached virtualenv).",
  flags: {
    port: { type: "integer", default: 8888, min: 1, description: "port on 127.0.0.1" },
    browser: { type: "boolean", default: true, description: "open a browser tab (--no-browser)" },
  },
  examples: ["deno task lab", "deno task lab --port 8890 --no-browser"],
} as const;

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  const lab = await startLab({
    port: flags.port,
    browser: flags.browser,
    log: (line) => console.error(line),
  });
  console.log(`JupyterLab is ready (Deno kernel, notebooks/):\n\n  ${lab.url}\n`);
  console.log(`Start with 00-setup.ipynb. Log: ${lab.logFile.replace(`${PROJECT_ROOT}/`, "")}`);
  console.log("Ctrl-C stops it.");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.error("\nStopping JupyterLab…");
    lab.stop();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const status = await lab.exited;
  console.error(stopping ? "JupyterLab stopped." : `JupyterLab exited (code ${status.code}).`);
  return stopping || status.success ? 0 : 1;
});
