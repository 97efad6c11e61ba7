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
import { KAFKA_TOOLS, runKafkaTool } from "../lib/stack/mod.ts";
import { runCli } from "./_cli.ts";

const USAGE = `Usage: deno task kafka <tool> [args…]

Runs Apache Kafka's own command-line tools from the cached jars.
Tools: ${Object.keys(KAFKA_TOOLS).join(", ")}

--bootstrap-server is added from KAFKA_BOOTSTRAP_SERVERS unless given. With KAFKA_SASL_* set
(Confluent Cloud), the security settings and credentials go to the tool in a temporary
client-properties file (owner-only, deleted when the tool exits) unless a config flag is given.
Examples:
  deno task kafka topics --list
  deno task kafka console-consumer --topic orders --from-beginning --max-messages 5`;

if (import.meta.main) {
  runCli(async () => {
    const [tool, ...args] = Deno.args;
    if (!tool || tool === "--help" || tool === "-h") {
      console.log(USAGE);
      return tool ? 0 : 2;
    }
    return await runKafkaTool(tool, args);
  });
}
