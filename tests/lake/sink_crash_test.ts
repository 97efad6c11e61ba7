/**
 * The sink as a child process (`deno run -A scripts/sink.ts`), hurt on purpose: killed with
 * SIGKILL at random moments, and cut off from its lake (our own Azurite, stopped and started
 * again). Afterwards the lake must hold every record exactly once, checked against Kafka.
 */
import assert from "node:assert/strict";
import { parseLakeUrl, PROJECT_ROOT } from "../../lib/config/mod.ts";
import { produceRecords } from "../../lib/kafka/mod.ts";
import { openLake } from "../../lib/lake/mod.ts";
import { auditLake } from "../../lib/sink/mod.ts";
import { Random, simulate } from "../../lib/simulate/mod.ts";
import { AZURITE_BIN, freeServicePort } from "../../lib/stack/mod.ts";
import { INTEGRATION, uniqueName } from "../_helpers.ts";
import { cliTopics } from "../_topics.ts";
import { sleep } from "../../lib/sleep.ts";

/** Waits until `ok()` holds; fails naming `what` after `seconds`. */
async function until(what: string, ok: () => boolean | Promise<boolean>, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A sink child process whose stderr is collected as it comes. */
class SinkProcess {
  readonly child: Deno.ChildProcess;
  stderr = "";
  readonly done: Promise<Deno.CommandStatus>;

  constructor(args: string[], env: Record<string, string>) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${PROJECT_ROOT}/scripts/sink.ts`, ...args],
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1", ...env },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.child = child;
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) this.stderr += decoder.decode(chunk);
    })();
    this.done = reading.then(() => child.status);
  }
}

/** Topics under a fresh prefix, and a function that produces seeded simulated records. */
async function crashTopics() {
  const { kafka, kafkaConfig, topics, cleanup } = await cliTopics("crash");
  const start = Date.now() - 30 * 24 * 3600_000;
  let sent = 0;
  const produce = async (seed: number, events: number) => {
    const sim = simulate({
      seed,
      events,
      faults: "heavy",
      start: new Date(start),
      span: 12 * 3600_000,
    });
    sent += (await produceRecords(kafka, kafkaConfig, sim)).sent;
  };
  return { kafka, topics, prefix: kafkaConfig.topicPrefix, produce, sent: () => sent, cleanup };
}

Deno.test({
  name:
    "a sink killed with SIGKILL at random moments, then restarted, leaves every record exactly once",
  ...INTEGRATION,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ecom-sink-crash-" });
    const url = `file://${dir}`;
    const lake = openLake(parseLakeUrl(url));
    const t = await crashTopics();
    const group = uniqueName("g");
    const env = { KAFKA_TOPIC_PREFIX: t.prefix, LAKE_URL: url };
    const args = ["--flush-size", "25", "--group", group, "--session-timeout-ms", "6000"];
    const live = new Set<SinkProcess>();
    const random = new Random(20261126);
    const fileCount = async () => (await lake.list("topics/")).length;
    let kills = 0;
    try {
      for (let round = 0; round < 4; round++) {
        await t.produce(100 + round, 2500);
        const before = await fileCount();
        const sink = new SinkProcess(args, env);
        live.add(sink);
        // Kill once it is writing, at a random moment of its work.
        // Generous: on a fresh broker the first transactional sink also waits for Kafka to create
        // its transaction log.
        await until("the sink to write", async () => (await fileCount()) > before, 180);
        await sleep(random.int(250));
        sink.child.kill("SIGKILL");
        const status = await sink.done;
        live.delete(sink);
        assert.equal(status.signal, "SIGKILL", sink.stderr);
        kills++;
      }
      // Then restart until it has caught up.
      let code = -1;
      for (let attempt = 0; attempt < 3 && code !== 0; attempt++) {
        const last = new SinkProcess([...args, "--once"], env);
        live.add(last);
        code = (await last.done).code;
        live.delete(last);
        if (code !== 0) console.error(last.stderr);
      }
      assert.equal(code, 0);
      assert.equal(kills, 4);
      const audit = await auditLake(t.kafka, lake, t.topics, { group });
      assert.deepEqual(audit.problems, []);
      assert.equal(audit.ok, true);
      assert.equal(audit.topics.reduce((n, a) => n + a.kafka, 0), t.sent());
      assert.equal(t.sent(), 10_000);
    } finally {
      for (const p of live) p.child.kill("SIGKILL");
      await Promise.all([...live].map((p) => p.done));
      await t.cleanup();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

/**
 * Our own Azurite on a free port, so the shared one is never stopped; outside the ephemeral range
 * (`freeServicePort`), so no outgoing connection takes it while it is stopped.
 */
class OwnAzurite {
  readonly location: string;
  readonly port: number;
  #child?: Deno.ChildProcess;

  constructor(location: string) {
    this.location = location;
    this.port = freeServicePort();
  }

  async start() {
    this.#child = new Deno.Command(AZURITE_BIN, {
      args: [
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        String(this.port),
        "--location",
        this.location,
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await until("Azurite to answer", () => this.healthy(), 30);
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/devstoreaccount1?comp=list`, {
        signal: AbortSignal.timeout(1000),
      });
      await res.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Stops it. Azurite saves its metadata every 5 s and on Ctrl-C, but after Ctrl-C it waits for
   * every keep-alive connection to close, which may take minutes: give it one save interval to
   * go, then kill it.
   */
  async stop(graceMs = 6000) {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    let exited = false;
    const status = child.status.then(() => (exited = true));
    if (graceMs > 0) {
      child.kill("SIGINT");
      await Promise.race([status, sleep(graceMs)]);
    }
    if (!exited) child.kill("SIGKILL");
    await status;
  }
}

Deno.test({
  name: "a sink whose Azurite stops mid-run waits, resumes when it is back, and loses nothing",
  ...INTEGRATION,
  async fn() {
    const location = await Deno.makeTempDir({ prefix: "ecom-azurite-" });
    const azurite = new OwnAzurite(location);
    const t = await crashTopics();
    const url = `azurite://127.0.0.1:${azurite.port}/lake`;
    const lake = openLake(parseLakeUrl(url));
    const group = uniqueName("g");
    const env = { KAFKA_TOPIC_PREFIX: t.prefix, LAKE_URL: url };
    const args = ["--flush-size", "20", "--group", group];
    let sink: SinkProcess | undefined;
    try {
      await azurite.start();
      await t.produce(1, 1500);
      const running = sink = new SinkProcess(args, env);
      await until("the first files", async () => (await lake.list("topics/")).length > 0);
      await azurite.stop();
      await t.produce(2, 1500);
      await until(
        "the sink to notice the lake is away",
        () => /lake unreachable/.test(running.stderr),
      );
      await azurite.start();
      await until("the sink to resume", () => /lake reachable again/.test(running.stderr));
      running.child.kill("SIGINT");
      const status = await running.done;
      sink = undefined;
      assert.equal(status.code, 0, running.stderr);
      const last = new SinkProcess([...args, "--once"], env);
      assert.equal((await last.done).code, 0, last.stderr);
      const audit = await auditLake(t.kafka, lake, t.topics, { group });
      assert.deepEqual(audit.problems, []);
      assert.equal(audit.ok, true);
      assert.equal(audit.topics.reduce((n, a) => n + a.kafka, 0), 3000);
    } finally {
      sink?.child.kill("SIGKILL");
      await sink?.done;
      await azurite.stop(0);
      await t.cleanup();
      await Deno.remove(location, { recursive: true }).catch(() => {});
    }
  },
});
