/** A Kafka broker of a test's own (another port, its own data folder), to stop and restart. */
import { type Config, loadConfig } from "../../lib/config/mod.ts";
import { createKafka, ensureTopics } from "../../lib/kafka/mod.ts";
import {
  freeServicePort,
  type Service,
  services,
  startService,
  stopService,
} from "../../lib/stack/mod.ts";

/** Runs `fn` against a broker of the test's own, the four topics created; stops it after. */
export async function withOwnBroker(
  fn: (config: Config, broker: Service) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ecom-broker-" });
  // Its port and the controller's (port + 1), outside the ephemeral range: a restart finds them
  // free.
  const port = freeServicePort(2);
  const config = loadConfig({
    env: {
      ...Deno.env.toObject(),
      KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}`,
      LAKE_URL: `file://${dir}/lake`,
      DATA_DIR: dir,
    },
    dotenv: null,
  });
  const [broker] = services(config);
  try {
    await startService(config, broker, () => {});
    await ensureTopics(createKafka(config.kafka), config.kafka);
    await fn(config, broker);
  } finally {
    await stopService(config, broker);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
