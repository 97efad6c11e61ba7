/**
 * The local stack: one Kafka broker (KRaft, broker and controller in one JVM) and Azurite's blob
 * service, started as background processes with PID files under `data/stack/`, so `down` stops
 * exactly what `up` started.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import { parseHostPort, PROJECT_ROOT } from "../config/mod.ts";
import { StackError } from "../errors.ts";
import { pingKafka } from "../kafka/mod.ts";
import { ensureAzurite, ensureKafka } from "./install.ts";
import { sleep } from "../sleep.ts";

/** What `status` shows for one service. */
export interface ServiceStatus {
  service: string;
  pid: number | null;
  port: number;
  healthy: boolean;
  /** Why it is not started here (remote), if so. */
  note?: string;
}

/** One service of the local stack. */
export interface Service {
  name: string;
  port: number;
  /** False when the configuration points at a remote service: the stack starts nothing for it. */
  local: boolean;
  start(dir: string, log: (line: string) => void): Promise<string[]>;
  healthy(): Promise<boolean>;
  /** Seconds to wait for health after start. */
  startTimeout: number;
}

/** `data/stack`, where PID files, logs and service data live. */
export function stackDir(config: Config): string {
  return `${config.dataDir}/stack`;
}

/** Whether something listens on 127.0.0.1:port. */
export async function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: host, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Whether a process with this pid is alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** The single-node KRaft broker's `server.properties`: broker and controller in one process. */
function kafkaProperties(config: Config, dataDir: string): string {
  const { host, port } = parseHostPort(config.kafka.brokers[0], "KAFKA_BOOTSTRAP_SERVERS");
  const controllerPort = port + 1;
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${dataDir}`,
    `num.partitions=${config.kafka.partitions}`,
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=3",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    // The internal topics are created on first use; 50 partitions each (the defaults) take a
    // fresh single broker many seconds, which the first transactional sink would wait out.
    "transaction.state.log.num.partitions=3",
    "share.coordinator.state.topic.replication.factor=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=false",
    // Keep records whatever their timestamps: simulated histories (and the lessons' fixed
    // --start dates) lie in the past, and time-based retention would delete them mid-run.
    "log.retention.ms=-1",
    // Kafka 4 refuses record timestamps more than an hour ahead of the broker's clock by
    // default; simulated histories may end slightly after now, and --start may lie ahead.
    "log.message.timestamp.after.max.ms=9223372036854775807",
    "",
  ].join("\n");
}

/** Formats the KRaft storage once (a data folder that has `meta.properties` is left alone). */
async function formatKafkaStorage(
  java: string[],
  properties: string,
  dataDir: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    await Deno.stat(`${dataDir}/meta.properties`);
    return;
  } catch {
    log("Formatting Kafka storage (KRaft, once)…");
  }
  const out = await new Deno.Command("java", {
    args: [
      ...java,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      "ecom-stream-local-0001",
      "-c",
      properties,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new StackError(
      `Formatting Kafka storage failed: ${
        new TextDecoder().decode(out.stderr).trim().split("\n").pop()
      }`,
    );
  }
}

function kafkaService(config: Config): Service {
  const { host, port } = parseHostPort(config.kafka.brokers[0], "KAFKA_BOOTSTRAP_SERVERS");
  return {
    name: "kafka",
    port,
    local: config.kafka.local,
    startTimeout: 90,
    async start(dir, log) {
      const libs = await ensureKafka(log);
      const dataDir = `${dir}/kafka-data`;
      const properties = `${dir}/kafka.properties`;
      await Deno.writeTextFile(properties, kafkaProperties(config, dataDir));
      const java = [
        "-Xms256m",
        "-Xmx768m",
        "-XX:+UseG1GC",
        `-Dlog4j2.configurationFile=${PROJECT_ROOT}/lib/stack/log4j2.properties`,
        "-cp",
        `${libs}/*`,
      ];
      await formatKafkaStorage(java, properties, dataDir, log);
      return ["java", ...java, "kafka.Kafka", properties];
    },
    async healthy() {
      return (await portInUse(port, host)) && (await pingKafka(config.kafka, 1000)).healthy;
    },
  };
}

function azuriteService(config: Config): Service {
  const endpoint = config.lake.endpoint ?? { host: "127.0.0.1", port: 10000 };
  return {
    name: "azurite",
    port: endpoint.port,
    local: config.lake.kind === "azurite",
    startTimeout: 30,
    async start(dir, log) {
      const bin = await ensureAzurite(log);
      await Deno.mkdir(`${dir}/azurite-data`, { recursive: true });
      return [
        "node",
        // Bigger young generation: Azurite allocates per request chunk, and a sink's burst of
        // puts spent a tenth of Azurite's CPU in scavenges with the default.
        "--max-semi-space-size=32",
        bin,
        "--blobHost",
        endpoint.host,
        "--blobPort",
        String(endpoint.port),
        "--location",
        `${dir}/azurite-data`,
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
        "--disableTelemetry",
      ];
    },
    async healthy() {
      try {
        const res = await fetch(
          `http://${endpoint.host}:${endpoint.port}/devstoreaccount1?comp=list`,
          {
            signal: AbortSignal.timeout(2000),
          },
        );
        await res.body?.cancel();
        return res.status > 0;
      } catch {
        return false;
      }
    },
  };
}

/**
 * The dashboard as a background service of the stack (what `deno task demo` leaves running, and
 * `down` stops): `deno task dashboard --port <port>`, healthy when `/api/health` answers.
 */
export function dashboardService(port = 8787): Service {
  return {
    name: "dashboard",
    port,
    local: true,
    startTimeout: 60,
    start() {
      return Promise.resolve([
        Deno.execPath(),
        "run",
        "-A",
        `${PROJECT_ROOT}/scripts/dashboard.ts`,
        "--port",
        String(port),
      ]);
    },
    async healthy() {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, {
          signal: AbortSignal.timeout(2000),
        });
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Starts the dashboard in the background unless this stack already runs one; returns its URL.
 * The first free port from `port` on is used (another checkout's demo may hold 8787).
 */
export async function startDashboardService(
  config: Config,
  port: number,
  log: (line: string) => void,
): Promise<string> {
  const dir = stackDir(config);
  const urlFile = `${dir}/dashboard.url`;
  if (runningPid(dir, dashboardService()) !== null) {
    try {
      return Deno.readTextFileSync(urlFile).trim();
    } catch {
      await stopService(config, dashboardService());
    }
  }
  let free = port;
  while (await portInUse(free)) {
    if (++free > port + 20) {
      throw new StackError(`Ports ${port}–${port + 20} are all in use: no port for the dashboard`);
    }
  }
  await startService(config, dashboardService(free), log);
  const url = `http://127.0.0.1:${free}/`;
  await Deno.writeTextFile(urlFile, `${url}\n`);
  return url;
}

/** The stack's services for this configuration. */
export function services(config: Config): Service[] {
  return [kafkaService(config), azuriteService(config)];
}

function pidFile(dir: string, service: Service) {
  return `${dir}/${service.name}.pid`;
}

/** The pid recorded for a service, if that process is still alive. */
export function runningPid(dir: string, service: Service): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(pidFile(dir, service)).trim());
    return pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function tail(path: string, lines = 20): string {
  try {
    return Deno.readTextFileSync(path).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Starts one service unless it already runs; waits until it is healthy. */
export async function startService(
  config: Config,
  service: Service,
  log: (line: string) => void,
): Promise<"started" | "running" | "remote"> {
  if (!service.local) return "remote";
  const dir = stackDir(config);
  await Deno.mkdir(dir, { recursive: true });
  const pid = runningPid(dir, service);
  if (pid !== null) {
    if (await waitHealthy(service, service.startTimeout)) return "running";
    throw new StackError(
      `${service.name} (pid ${pid}) runs but is not healthy; see ${dir}/${service.name}.log`,
    );
  }
  if (await portInUse(service.port)) {
    throw new StackError(
      `Port ${service.port} is already in use by another process; ${service.name} cannot start (stop it, or change ${
        service.name === "kafka" ? "KAFKA_BOOTSTRAP_SERVERS" : "LAKE_URL"
      })`,
    );
  }
  const argv = await service.start(dir, log);
  const logPath = `${dir}/${service.name}.log`;
  // setsid: the service outlives this command, in its own process group, so `down` can stop it
  // and everything it forked.
  const script =
    'pid="$0"; log="$1"; shift; echo $$ > "$pid"; exec "$@" >> "$log" 2>&1 < /dev/null';
  const child = new Deno.Command("setsid", {
    args: ["--fork", "sh", "-c", script, pidFile(dir, service), logPath, ...argv],
    stdout: "null",
    stderr: "null",
    stdin: "null",
  }).spawn();
  await child.status;
  if (!(await waitHealthy(service, service.startTimeout))) {
    throw new StackError(
      `${service.name} did not become healthy on port ${service.port}; log tail:\n${tail(logPath)}`,
    );
  }
  return "started";
}

async function waitHealthy(service: Service, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await service.healthy()) return true;
    await sleep(300);
  }
  return false;
}

/** Options of {@linkcode stopService}. */
export interface StopOptions {
  /**
   * SIGKILL at once, as a crash or an OOM kill would, instead of SIGTERM (a clean shutdown)
   * followed by SIGKILL after 10 s. @default false
   */
  kill?: boolean;
}

/** Stops a service this stack started (its whole process group). */
export async function stopService(
  config: Config,
  service: Service,
  options: StopOptions = {},
): Promise<boolean> {
  const dir = stackDir(config);
  const pid = runningPid(dir, service);
  await Deno.remove(pidFile(dir, service)).catch(() => {});
  if (pid === null) return false;
  const signal = (sig: Deno.Signal) => {
    try {
      Deno.kill(-pid, sig);
    } catch {
      try {
        Deno.kill(pid, sig);
      } catch { /* gone */ }
    }
  };
  if (!options.kill) {
    signal("SIGTERM");
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  }
  if (alive(pid)) signal("SIGKILL");
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  // A killed JVM's main thread turns zombie (not alive above) while its other threads, and the
  // listening socket, live on a little longer: a start right away would find the port taken.
  for (let i = 0; i < 50 && (await portInUse(service.port)); i++) await sleep(100);
  return true;
}

/** Status rows for every service. */
export async function stackStatus(config: Config): Promise<ServiceStatus[]> {
  const dir = stackDir(config);
  return await Promise.all(
    services(config).map(async (s) => ({
      service: s.name,
      pid: runningPid(dir, s),
      port: s.port,
      healthy: await s.healthy(),
      note: s.local ? undefined : "remote: not started here",
    })),
  );
}
