/**
 * Kafka's own Java consumer as a baseline (`kafka-consumer-perf-test`, run through the stack's
 * Kafka jars): what a bench compares a consumer of ours with, in the same run.
 *
 * @module
 */
import { kafkaToolArgs } from "../lib/stack/kafka_tools.ts";

/**
 * Reads `topic` to `n` records with Kafka's own Java consumer (`deno task kafka
 * consumer-perf-test`, a fresh group from the earliest offset); its `nMsg.sec` (records/s over
 * the whole run, the group join included, as the sink's rate includes its own) and its
 * `fetch.nMsg.sec` (the group join left out).
 */
export async function javaConsume(
  topic: string,
  n: number,
  group: string,
): Promise<{ rate: number; fetchRate: number }> {
  const args = await kafkaToolArgs("consumer-perf-test", [
    "--topic",
    topic,
    "--messages",
    String(n),
    "--group",
    group,
    "--timeout",
    "60000",
  ]);
  const out = await new Deno.Command("java", { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  const lines = text.split("\n");
  const header = lines.findIndex((l) => l.includes("nMsg.sec"));
  if (!out.success || header < 0 || !lines[header + 1]) {
    throw new Error(
      `consumer-perf-test printed no summary:\n${text}${new TextDecoder().decode(out.stderr)}`,
    );
  }
  const names = lines[header].split(",").map((c) => c.trim());
  const values = lines[header + 1].split(",").map((c) => c.trim());
  const column = (name: string) => Number(values[names.indexOf(name)]);
  return { rate: column("nMsg.sec"), fetchRate: column("fetch.nMsg.sec") };
}
