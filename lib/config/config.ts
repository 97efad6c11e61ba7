/**
 * The workspace's one typed configuration, read from the environment and an optional ignored
 * `.env` at the project root, with defaults for the local stack. Every setting is checked here,
 * up front: a missing or malformed value is one `ConfigError` line naming the variable.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.ts";
import { parseConnectionString } from "./connection_string.ts";
import { checkTimeZone, DEFAULT_EVENT_TIME_ZONE } from "../schema/event_time.ts";
import { readDotenv } from "./dotenv.ts";
import { redact, redactUrl } from "./redact.ts";

/** The project root (the folder holding deno.json). */
export const PROJECT_ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** A `host:port` pair. */
export interface HostPort {
  host: string;
  port: number;
}

/** SASL credentials for Confluent Cloud or any SASL listener. */
export interface SaslConfig {
  mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
  username: string;
  password: string;
}

/** Kafka settings. */
export interface KafkaConfig {
  /** Bootstrap servers as `host:port` strings. @default ["127.0.0.1:9092"] */
  brokers: string[];
  /** Whether to use TLS. @default true when SASL is set, else false */
  ssl: boolean;
  /** SASL credentials, when `KAFKA_SASL_MECHANISM` is set. */
  sasl?: SaslConfig;
  /** Prefix of every topic name (the lake's topic folders follow the full name). @default "" */
  topicPrefix: string;
  /** Partitions per topic when the workspace creates them. @default 3 */
  partitions: number;
  /** Whether the brokers are the local stack's (loopback, no SASL). */
  local: boolean;
}

/** Which storage `LAKE_URL` points at. */
export type LakeKind = "azurite" | "adls" | "file";

/** Lake settings. */
export interface LakeConfig {
  /** The URL as given. @default "azurite://127.0.0.1:10000/lake" */
  url: string;
  kind: LakeKind;
  /** For azurite/adls: the container (filesystem) name. */
  container: string;
  /** For azurite/adls: the storage account. */
  account: string;
  /** For azurite: host and port of the blob endpoint. */
  endpoint?: HostPort;
  /** For file://: the absolute root folder. */
  root?: string;
  /** Optional path prefix inside the container, without slashes at the ends. */
  prefix: string;
  accountKey?: string;
  sasToken?: string;
  connectionString?: string;
}

/** The whole configuration. */
export interface Config {
  kafka: KafkaConfig;
  lake: LakeConfig;
  /** Where run-time data goes (ignored by git). @default "<project>/data" */
  dataDir: string;
  /**
   * The IANA time zone of wall-clock timestamps without a zone (`2026-11-26 10:15:30`, as the
   * original producers wrote them), in its canonical spelling (`lib/schema/event_time.ts`).
   * @default "UTC"
   */
  eventTimeZone: string;
}

export { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.ts";

/** Every setting with its default and what it means (also the source of `.env.example`). */
export const SETTINGS: ReadonlyArray<{ name: string; default: string; help: string }> = [
  {
    name: "KAFKA_BOOTSTRAP_SERVERS",
    default: "127.0.0.1:9092",
    help: "Comma-separated host:port list",
  },
  { name: "KAFKA_SASL_MECHANISM", default: "", help: "plain | scram-sha-256 | scram-sha-512" },
  { name: "KAFKA_SASL_USERNAME", default: "", help: "Confluent Cloud API key" },
  { name: "KAFKA_SASL_PASSWORD", default: "", help: "Confluent Cloud API secret (secret)" },
  { name: "KAFKA_SSL", default: "", help: "true | false (default: true when SASL is set)" },
  { name: "KAFKA_TOPIC_PREFIX", default: "", help: "Prefix for every topic name" },
  { name: "KAFKA_PARTITIONS", default: "3", help: "Partitions per topic when created here" },
  {
    name: "LAKE_URL",
    default: "azurite://127.0.0.1:10000/lake",
    help:
      "azurite://host:port/container | abfss://container@account.dfs.core.windows.net/ | file://path",
  },
  { name: "AZURE_STORAGE_ACCOUNT_KEY", default: "", help: "Account key for abfss:// (secret)" },
  { name: "AZURE_STORAGE_SAS_TOKEN", default: "", help: "SAS token for abfss:// (secret)" },
  {
    name: "AZURE_STORAGE_CONNECTION_STRING",
    default: "",
    help: "Connection string for abfss:// (secret)",
  },
  { name: "DATA_DIR", default: "./data", help: "Where run-time data goes" },
  {
    name: "EVENT_TIME_ZONE",
    default: DEFAULT_EVENT_TIME_ZONE,
    help:
      "IANA time zone of timestamps written without one, e.g. 2026-11-26 10:15:30 (Europe/Berlin, …)",
  },
];

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Variables to read instead of the process environment (tests). */
  env?: Record<string, string | undefined>;
  /** Path of the `.env` file; `null` skips it. @default "<project>/.env" */
  dotenv?: string | null;
}

function envSource(options: LoadConfigOptions): (name: string) => string | undefined {
  const file = options.dotenv === null ? {} : readDotenv(options.dotenv ?? `${PROJECT_ROOT}/.env`);
  const env = options.env ?? Deno.env.toObject();
  return (name) => {
    const value = env[name] ?? file[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
}

/**
 * Parses a `host:port` address.
 *
 * @example
 * ```ts
 * import { parseHostPort } from "./config.ts";
 * parseHostPort("127.0.0.1:9092", "KAFKA_BOOTSTRAP_SERVERS"); // { host: "127.0.0.1", port: 9092 }
 * ```
 */
export function parseHostPort(text: string, setting: string): HostPort {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(
      `${setting} must be host:port (e.g. 127.0.0.1:9092), got '${redactUrl(text)}'`,
    );
  }
  return { host: match[1], port };
}

function parseBool(value: string | undefined, setting: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${setting} must be true or false, got '${value}'`);
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

function loadKafka(get: (name: string) => string | undefined): KafkaConfig {
  const brokers = (get("KAFKA_BOOTSTRAP_SERVERS") ?? "127.0.0.1:9092")
    .split(",").map((s) => s.trim()).filter(Boolean);
  if (brokers.length === 0) throw new ConfigError("KAFKA_BOOTSTRAP_SERVERS is empty");
  const hosts = brokers.map((b) => parseHostPort(b, "KAFKA_BOOTSTRAP_SERVERS"));
  const mechanism = get("KAFKA_SASL_MECHANISM")?.toLowerCase();
  let sasl: SaslConfig | undefined;
  if (mechanism) {
    if (!["plain", "scram-sha-256", "scram-sha-512"].includes(mechanism)) {
      throw new ConfigError(
        `KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got '${mechanism}'`,
      );
    }
    const username = get("KAFKA_SASL_USERNAME");
    const password = get("KAFKA_SASL_PASSWORD");
    if (!username) {
      throw new ConfigError("KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM");
    }
    if (!password) {
      throw new ConfigError("KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM");
    }
    sasl = { mechanism: mechanism as SaslConfig["mechanism"], username, password };
  }
  const partitionsText = get("KAFKA_PARTITIONS") ?? "3";
  const partitions = Number(partitionsText);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) {
    throw new ConfigError(
      `KAFKA_PARTITIONS must be a whole number from 1 to 1000, got '${partitionsText}'`,
    );
  }
  const topicPrefix = get("KAFKA_TOPIC_PREFIX") ?? "";
  if (!/^[A-Za-z0-9._-]*$/.test(topicPrefix)) {
    throw new ConfigError(
      `KAFKA_TOPIC_PREFIX may hold only letters, digits, '.', '_' and '-', got '${topicPrefix}'`,
    );
  }
  return {
    brokers,
    ssl: parseBool(get("KAFKA_SSL"), "KAFKA_SSL") ?? sasl !== undefined,
    sasl,
    topicPrefix,
    partitions,
    local: !sasl && hosts.every((h) => LOOPBACK.test(h.host)),
  };
}

/**
 * Parses `LAKE_URL` (and the Azure credentials beside it).
 *
 * @example
 * ```ts
 * import { parseLakeUrl } from "./config.ts";
 * parseLakeUrl("file:///tmp/lake").kind; // "file"
 * ```
 */
export function parseLakeUrl(
  url: string,
  get: (name: string) => string | undefined = () => undefined,
  base = PROJECT_ROOT,
): LakeConfig {
  const bad = (why: string) => new ConfigError(`LAKE_URL ${why}, got '${redactUrl(url)}'`);
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  if (scheme === "file") {
    const path = url.slice("file://".length);
    if (!path) throw bad("needs a path (file:///abs/path or file://relative/path)");
    const root = path.startsWith("/") ? path : `${base}/${path}`;
    return {
      url,
      kind: "file",
      container: "",
      account: "",
      root: root.replace(/\/+$/, ""),
      prefix: "",
    };
  }
  if (scheme === "azurite") {
    const match = /^azurite:\/\/([^/:]+):(\d+)\/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])(\/.*)?$/.exec(
      url,
    );
    if (!match) throw bad("must look like azurite://127.0.0.1:10000/<container>");
    return {
      url,
      kind: "azurite",
      container: match[3],
      account: AZURITE_ACCOUNT,
      endpoint: parseHostPort(`${match[1]}:${match[2]}`, "LAKE_URL"),
      prefix: (match[4] ?? "").replace(/^\/+|\/+$/g, ""),
      accountKey: AZURITE_KEY,
    };
  }
  if (scheme === "abfss") {
    const match =
      /^abfss:\/\/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])@([a-z0-9]{3,24})\.dfs\.core\.windows\.net\/?(.*)$/
        .exec(url);
    if (!match) throw bad("must look like abfss://<container>@<account>.dfs.core.windows.net/");
    const accountKey = get("AZURE_STORAGE_ACCOUNT_KEY");
    const sasToken = get("AZURE_STORAGE_SAS_TOKEN");
    const connectionString = get("AZURE_STORAGE_CONNECTION_STRING");
    if (!accountKey && !sasToken && !connectionString) {
      throw new ConfigError(
        "AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_SAS_TOKEN or AZURE_STORAGE_CONNECTION_STRING is required for an abfss:// LAKE_URL",
      );
    }
    if (connectionString) {
      const parsed = parseConnectionString(connectionString);
      if (parsed.account && parsed.account !== match[2]) {
        throw new ConfigError(
          `AZURE_STORAGE_CONNECTION_STRING is for account '${parsed.account}', but LAKE_URL names '${
            match[2]
          }'`,
        );
      }
    }
    return {
      url,
      kind: "adls",
      container: match[1],
      account: match[2],
      prefix: match[3].replace(/^\/+|\/+$/g, ""),
      accountKey,
      sasToken,
      connectionString,
    };
  }
  throw bad("must start with azurite://, abfss:// or file://");
}

/**
 * Parses `EVENT_TIME_ZONE`: an IANA time zone name, returned in its canonical spelling.
 *
 * @example
 * ```ts
 * import { parseEventTimeZone } from "./config.ts";
 * parseEventTimeZone("europe/berlin"); // "Europe/Berlin"
 * ```
 */
export function parseEventTimeZone(zone: string): string {
  try {
    return checkTimeZone(zone);
  } catch {
    throw new ConfigError(
      `EVENT_TIME_ZONE must be an IANA time zone name such as UTC or Europe/Berlin, got '${zone}'`,
    );
  }
}

/**
 * Reads and checks the whole configuration. Throws `ConfigError` naming the first bad setting.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const config = loadConfig({ env: {}, dotenv: null });
 * config.kafka.brokers; // ["127.0.0.1:9092"]
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const get = envSource(options);
  const dataDir = get("DATA_DIR") ?? "data";
  return {
    kafka: loadKafka(get),
    lake: parseLakeUrl(get("LAKE_URL") ?? "azurite://127.0.0.1:10000/lake", get),
    dataDir: dataDir.startsWith("/") ? dataDir : `${PROJECT_ROOT}/${dataDir}`,
    eventTimeZone: parseEventTimeZone(get("EVENT_TIME_ZONE") ?? DEFAULT_EVENT_TIME_ZONE),
  };
}

/** The configuration as rows fit to show anyone: secrets redacted. */
export function describeConfig(config: Config): Array<{ setting: string; value: string }> {
  const { kafka, lake } = config;
  return [
    { setting: "KAFKA_BOOTSTRAP_SERVERS", value: kafka.brokers.join(",") },
    { setting: "KAFKA_SSL", value: String(kafka.ssl) },
    { setting: "KAFKA_SASL_MECHANISM", value: kafka.sasl?.mechanism ?? "(none)" },
    { setting: "KAFKA_SASL_USERNAME", value: kafka.sasl ? kafka.sasl.username : "(unset)" },
    { setting: "KAFKA_SASL_PASSWORD", value: redact(kafka.sasl?.password) },
    { setting: "KAFKA_TOPIC_PREFIX", value: kafka.topicPrefix || "(none)" },
    { setting: "KAFKA_PARTITIONS", value: String(kafka.partitions) },
    { setting: "LAKE_URL", value: redactUrl(lake.url) },
    { setting: "lake backend", value: lake.kind },
    {
      setting: "AZURE_STORAGE_ACCOUNT_KEY",
      value: lake.kind === "azurite" ? "(Azurite development key)" : redact(lake.accountKey),
    },
    { setting: "AZURE_STORAGE_SAS_TOKEN", value: redact(lake.sasToken) },
    { setting: "AZURE_STORAGE_CONNECTION_STRING", value: redact(lake.connectionString) },
    { setting: "DATA_DIR", value: config.dataDir },
    { setting: "EVENT_TIME_ZONE", value: config.eventTimeZone },
  ];
}
