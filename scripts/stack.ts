/**
 * `deno task stack up|down|status`: the local Kafka broker and Azurite.
 *
 * Idempotent: `up` twice is a no-op, `down` stops exactly the processes `up` started (PID files
 * under data/stack/). When the configuration points at a remote Kafka or a real ADLS account,
 * nothing is started for it.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { createKafka, ensureTopics } from "../lib/kafka/mod.ts";
import { parseFlags, printTable, runCli, usage } from "../lib/cli/mod.ts";
import {
  dashboardService,
  services,
  stackStatus,
  startService,
  stopService,
} from "../lib/stack/mod.ts";

const SPEC = {
  name: "stack",
  summary: "Start, stop or check the local Kafka broker and Azurite.",
  notes: [
    `  up       start Kafka (KRaft, 127.0.0.1:9092) and Azurite (127.0.0.1:10000); waits until healthy
  down     stop the processes that 'up' started (and a dashboard 'demo' left running)
  status   print service, pid, port, healthy`,
    "Configuration comes from the environment or .env (see .env.example).",
  ],
  flags: {},
  positionals: [{ name: "up|down|status", description: "what to do" }],
} as const;
const USAGE = usage(SPEC);

/** Runs the stack command; returns the exit code. */
export async function stack(args: string[]): Promise<number> {
  const [command, ...rest] = parseFlags(SPEC, args).positionals;
  if (rest.length > 0) throw new UsageError(`Unexpected argument '${rest[0]}'\n${USAGE}`);
  const config = loadConfig();
  const log = (line: string) => console.error(line);
  switch (command) {
    case "up": {
      for (const service of services(config)) {
        const t0 = performance.now();
        const result = await startService(config, service, log);
        const took = ((performance.now() - t0) / 1000).toFixed(1);
        console.log(
          result === "started"
            ? `✔ ${service.name} started on port ${service.port} (${took} s)`
            : result === "running"
            ? `✔ ${service.name} already running on port ${service.port}`
            : `• ${service.name} is remote: nothing to start`,
        );
      }
      if (config.kafka.local) {
        const created = await ensureTopics(createKafka(config.kafka), config.kafka);
        if (created.length > 0) console.log(`✔ created topics: ${created.join(", ")}`);
      }
      return 0;
    }
    case "down": {
      // A dashboard the demo left running reads from the stack: it goes first.
      if (await stopService(config, dashboardService())) console.log("✔ dashboard stopped");
      for (const service of services(config)) {
        const stopped = await stopService(config, service);
        console.log(stopped ? `✔ ${service.name} stopped` : `• ${service.name} was not running`);
      }
      return 0;
    }
    case "status": {
      const rows = await stackStatus(config);
      printTable(rows.map((r) => ({
        service: r.service,
        pid: String(r.pid ?? "-"),
        port: String(r.port),
        healthy: r.healthy ? "yes" : "no",
        note: r.note ?? "",
      })));
      return rows.every((r) => r.healthy || r.note) ? 0 : 1;
    }
    case undefined:
      throw new UsageError(`Missing subcommand\n${USAGE}`);
    default:
      throw new UsageError(`Unknown subcommand '${command}'\n${USAGE}`);
  }
}

if (import.meta.main) runCli(() => stack(Deno.args));
