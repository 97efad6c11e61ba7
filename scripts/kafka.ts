/**
 * `deno task kafka <tool> [args]`: Apache Kafka's own CLI tools, run from the cached jars with
 * the machine's JDK, `--bootstrap-server` filled in from the configuration when not given.
 *
 * @example
 * ```sh
 * deno task kafka topics --list
 * deno task kafka console-consumer --topic orders --from-beginning --max-messages 5
 * deno task kafka producer-perf-test --topic perf --num-records 100000 --record-size 200 --throughput -1 --producer-props acks=all
 * ```
 */
import { loadConfig } from "../lib/config/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { runCli } from "./_cli.ts";
import { ensureKafka } from "./stack/install.ts";
import { PROJECT_ROOT } from "../lib/config/mod.ts";

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

const USAGE = `Usage: deno task kafka <tool> [args…]

Runs Apache Kafka's own command-line tools from the cached jars.
Tools: ${Object.keys(KAFKA_TOOLS).join(", ")}

--bootstrap-server is added from KAFKA_BOOTSTRAP_SERVERS unless given.
Examples:
  deno task kafka topics --list
  deno task kafka console-consumer --topic orders --from-beginning --max-messages 5`;

/** The java command line for a tool. */
export async function kafkaToolArgs(tool: string, args: string[]): Promise<string[]> {
  const main = KAFKA_TOOLS[tool];
  if (!main) throw new UsageError(`Unknown Kafka tool '${tool}'\n${USAGE}`);
  const config = loadConfig();
  const libs = await ensureKafka((line) => console.error(line));
  const extra: string[] = [];
  const bootstrap = config.kafka.brokers.join(",");
  if (!NO_BOOTSTRAP.has(tool) && !args.includes("--bootstrap-server") && !args.includes("--help")) {
    extra.push("--bootstrap-server", bootstrap);
  }
  if (config.kafka.sasl && !args.includes("--command-config")) {
    console.error(
      "note: SASL is configured; pass --command-config <file> (kept out of the repo) for the tool's credentials",
    );
  }
  return [
    "-Xmx512m",
    `-Dlog4j2.configurationFile=${PROJECT_ROOT}/scripts/stack/log4j2.properties`,
    "-cp",
    `${libs}/*`,
    main,
    ...args,
    ...extra,
  ];
}

if (import.meta.main) {
  runCli(async () => {
    const [tool, ...args] = Deno.args;
    if (!tool || tool === "--help" || tool === "-h") {
      console.log(USAGE);
      return tool ? 0 : 2;
    }
    const child = new Deno.Command("java", { args: await kafkaToolArgs(tool, args) }).spawn();
    return (await child.status).code;
  });
}
