/**
 * `deno task dashboard [--port 8787] [--host 127.0.0.1] [--no-from-beginning] …`: the live
 * dashboard in the browser (see lib/dashboard). Runs until Ctrl-C (or SIGTERM), then stops
 * cleanly.
 *
 * @module
 */
import { loadConfig } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { DASHBOARD_DEFAULTS, isLoopback, startDashboard } from "../lib/dashboard/mod.ts";
import { formatDuration, parseFlags, runCli } from "../lib/cli/mod.ts";

const SPEC = {
  name: "dashboard",
  summary: "The live dashboard in the browser: real-time panels over SSE, lake panels over DuckDB.",
  flags: {
    port: {
      type: "integer",
      default: DASHBOARD_DEFAULTS.port,
      min: 0,
      description: "port to listen on (0: any free port)",
    },
    host: {
      type: "string",
      default: DASHBOARD_DEFAULTS.host,
      description: "interface to listen on; anything but loopback shares the figures, unprotected",
    },
    "from-beginning": {
      type: "boolean",
      default: DASHBOARD_DEFAULTS.fromBeginning,
      description: "read each topic from its first record (--no-from-beginning: only new ones)",
    },
    interval: {
      type: "duration",
      default: DASHBOARD_DEFAULTS.interval,
      min: 50,
      description: "live update interval (at most 1s)",
    },
    "lake-refresh": {
      type: "duration",
      default: DASHBOARD_DEFAULTS.lakeRefresh,
      min: 500,
      description: "how often to look for a new NRT pass in the lake",
    },
    window: {
      type: "duration",
      default: DASHBOARD_DEFAULTS.window,
      min: 1,
      description: "tumbling window length",
    },
    lateness: {
      type: "duration",
      default: DASHBOARD_DEFAULTS.lateness,
      min: 0,
      description: "allowed lateness",
    },
    "idle-timeout": {
      type: "duration",
      default: DASHBOARD_DEFAULTS.idleTimeout,
      min: 0,
      description: "a partition read to its end and quiet this long stops holding the watermark",
    },
  },
  examples: [
    "deno task dashboard",
    "deno task dashboard --port 9000 --no-from-beginning",
    "deno task dashboard --host 0.0.0.0   # share it on the network (no login!)",
  ],
} as const;

await runCli(async () => {
  const { flags } = parseFlags(SPEC, Deno.args);
  if (flags.interval > 1000) {
    throw new UsageError(
      `Flag --interval must be at most 1s (the live panels update at least once a second), got ${
        formatDuration(flags.interval)
      }`,
    );
  }
  const config = loadConfig();
  const dashboard = await startDashboard(config, {
    host: flags.host,
    port: flags.port,
    fromBeginning: flags["from-beginning"],
    interval: flags.interval,
    lakeRefresh: flags["lake-refresh"],
    window: flags.window,
    lateness: flags.lateness,
    idleTimeout: flags["idle-timeout"],
  });
  const { info } = dashboard;
  console.log(`Dashboard on ${dashboard.url}`);
  console.log(
    `  Kafka ${info.kafka}${info.topicPrefix ? `, topics ${info.topicPrefix}*` : ""}, ${
      info.fromBeginning ? "from the first record" : "new records only"
    }; live updates every ${formatDuration(info.interval)}`,
  );
  console.log(`  lake ${info.lake}, checked every ${formatDuration(info.lakeRefresh)}`);
  if (!isLoopback(flags.host)) {
    console.log(`  listening on ${flags.host}: anyone who can reach it sees the figures`);
  }
  console.log("Ctrl-C stops it.");
  await new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", resolve);
    Deno.addSignalListener("SIGTERM", resolve);
  });
  await dashboard.close();
  console.error("Dashboard stopped.");
  return 0;
});
