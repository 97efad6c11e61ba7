/**
 * Apache Kafka's own CLI tools (`deno task kafka <tool>`), run from the cached jars with the
 * machine's JDK: the tool → main-class map, the client properties for a secured cluster, and the
 * java command line with `--bootstrap-server` filled in from the configuration.
 *
 * @module
 */
import { type KafkaConfig, loadConfig, PROJECT_ROOT } from "../config/mod.ts";
import { UsageError } from "../errors.ts";
import { ensureKafka } from "./install.ts";

/** Tool name → main class, as the `bin/kafka-*.sh` scripts of the Kafka distribution map them. */
export const KAFKA_TOOLS: Record<string, string> = {
  "topics": "org.apache.kafka.tools.TopicCommand",
  "console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
  "console-producer": "org.apache.kafka.tools.ConsoleProducer",
  "consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
  "get-offsets": "org.apache.kafka.tools.GetOffsetShell",
  "producer-perf-test": "org.apache.kafka.tools.ProducerPerformance",
  "consumer-perf-test": "org.apache.kafka.tools.ConsumerPerformance",
  "delete-records": "org.apache.kafka.tools.DeleteRecordsCommand",
  "metadata-quorum": "org.apache.kafka.tools.MetadataQuorumCommand",
  "configs": "kafka.admin.ConfigCommand",
};

/** Tools whose bootstrap flag is not `--bootstrap-server`. */
const NO_BOOTSTRAP = new Set(["producer-perf-test"]);

/** The flag each tool reads client properties (security settings) from. */
export const CONFIG_FLAG: Record<string, string> = {
  "topics": "--command-config",
  "console-consumer": "--consumer.config",
  "console-producer": "--producer.config",
  "consumer-groups": "--command-config",
  "get-offsets": "--command-config",
  "producer-perf-test": "--producer.config",
  "consumer-perf-test": "--consumer.config",
  "delete-records": "--command-config",
  "metadata-quorum": "--command-config",
  "configs": "--command-config",
};

/** Every flag by which a caller may already give client properties. */
const ANY_CONFIG_FLAG = [
  "--command-config",
  "--consumer.config",
  "--consumer-config",
  "--producer.config",
  "--producer-config",
];

const JAAS_MODULE = {
  "plain": "org.apache.kafka.common.security.plain.PlainLoginModule",
  "scram-sha-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
  "scram-sha-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
} as const;

/**
 * Kafka client properties for the configured security (TLS, SASL), or undefined for a plain
 * connection (the local stack). Holds the password: write it only to an owner-only file.
 *
 * @example
 * ```ts
 * import { clientProperties } from "./kafka_tools.ts";
 * const text = clientProperties({
 *   brokers: ["pkc-1.confluent.cloud:9092"], ssl: true, topicPrefix: "", partitions: 3, local: false,
 *   sasl: { mechanism: "plain", username: "KEY", password: "SECRET" },
 * });
 * text?.split("\n")[0]; // "security.protocol=SASL_SSL"
 * ```
 */
export function clientProperties(kafka: KafkaConfig): string | undefined {
  if (!kafka.sasl && !kafka.ssl) return undefined;
  const lines = [
    `security.protocol=${kafka.sasl ? (kafka.ssl ? "SASL_SSL" : "SASL_PLAINTEXT") : "SSL"}`,
  ];
  if (kafka.sasl) {
    // A JAAS string in double quotes, then a .properties value: escape for both.
    const jaas = (v: string) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
    const value = `${JAAS_MODULE[kafka.sasl.mechanism]} required username=${
      jaas(kafka.sasl.username)
    } password=${jaas(kafka.sasl.password)};`;
    lines.push(
      `sasl.mechanism=${kafka.sasl.mechanism.toUpperCase()}`,
      `sasl.jaas.config=${value.replaceAll("\\", "\\\\")}`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * The java command line for a tool. `propertiesFile`, when given, is passed with the tool's
 * config flag (unless the caller gave one).
 */
export async function kafkaToolArgs(
  tool: string,
  args: string[],
  propertiesFile?: string,
): Promise<string[]> {
  const main = KAFKA_TOOLS[tool];
  if (!main) {
    throw new UsageError(
      `Unknown Kafka tool '${tool}' (tools: ${Object.keys(KAFKA_TOOLS).join(", ")})`,
    );
  }
  const config = loadConfig();
  const libs = await ensureKafka((line) => console.error(line));
  const extra: string[] = [];
  const bootstrap = config.kafka.brokers.join(",");
  if (!NO_BOOTSTRAP.has(tool) && !args.includes("--bootstrap-server") && !args.includes("--help")) {
    extra.push("--bootstrap-server", bootstrap);
  }
  if (propertiesFile && !args.some((a) => ANY_CONFIG_FLAG.includes(a))) {
    extra.push(CONFIG_FLAG[tool], propertiesFile);
  }
  return [
    "-Xmx512m",
    `-Dlog4j2.configurationFile=${PROJECT_ROOT}/lib/stack/log4j2.properties`,
    "-cp",
    `${libs}/*`,
    main,
    ...args,
    ...extra,
  ];
}

/** Runs a tool; security settings go in an owner-only temporary file, removed afterwards. */
export async function runKafkaTool(tool: string, args: string[]): Promise<number> {
  const properties = clientProperties(loadConfig().kafka);
  let file: string | undefined;
  if (properties && !args.some((a) => ANY_CONFIG_FLAG.includes(a))) {
    file = await Deno.makeTempFile({ prefix: "ecom-kafka-client-", suffix: ".properties" });
    await Deno.chmod(file, 0o600);
    await Deno.writeTextFile(file, properties);
  }
  // Ctrl-C reaches the tool too; wait for it to exit so the file is removed.
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    const child = new Deno.Command("java", { args: await kafkaToolArgs(tool, args, file) })
      .spawn();
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
    if (file) await Deno.remove(file).catch(() => {});
  }
}
