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
import { parseFlags, runCli, usage } from "../lib/cli/mod.ts";
import { UsageError } from "../lib/errors.ts";

const SPEC = {
  name: "kafka",
  summary: "Run Apache Kafka's own command-line tools from the cached jars.",
  notes: [
    `Tools: ${Object.keys(KAFKA_TOOLS).join(", ")}`,
    "--bootstrap-server is added from KAFKA_BOOTSTRAP_SERVERS unless given. With KAFKA_SASL_* set\n" +
    "(Confluent Cloud), the security settings and credentials go to the tool in a temporary\n" +
    "client-properties file (owner-only, deleted when the tool exits) unless a config flag is given.\n" +
    "Everything after <tool> goes to the tool untouched (so `topics --help` is Kafka's help).",
  ],
  flags: {},
  positionals: [
    { name: "tool", description: "one of the tools above" },
    { name: "args…", description: "the tool's own arguments", optional: true },
  ],
  passthrough: true,
  examples: [
    "deno task kafka topics --list",
    "deno task kafka console-consumer --topic orders --from-beginning --max-messages 5",
  ],
} as const;

if (import.meta.main) {
  runCli(async () => {
    const [tool, ...args] = parseFlags(SPEC, Deno.args).positionals;
    if (!tool) throw new UsageError(`Missing <tool>\n${usage(SPEC)}`);
    return await runKafkaTool(tool, args);
  });
}
