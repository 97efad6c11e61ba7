/**
 * `deno task demo`: the whole pipeline on the local stack, with progress and a summary.
 * Steps so far: install what is missing, start the stack, run the setup notebook.
 */
import { loadConfig } from "../lib/config/mod.ts";
import { formatTable } from "../lib/viz/mod.ts";
import { runMain } from "./_main.ts";
import { executeNotebook } from "./notebooks/run.ts";
import { setup } from "./setup.ts";
import { services, startService } from "./stack/services.ts";

/** One step of the demo. */
interface Step {
  name: string;
  run: () => Promise<string>;
}

if (import.meta.main) {
  runMain(async () => {
    if (Deno.args.includes("--help")) {
      console.log(
        "Usage: deno task demo\n\nRuns the whole pipeline on the local stack and prints a summary.",
      );
      return 0;
    }
    const config = loadConfig();
    const steps: Step[] = [
      { name: "install", run: async () => (await setup(() => {}), "cache ready") },
      {
        name: "stack up",
        run: async () => {
          const results = [];
          for (const s of services(config)) {
            results.push(`${s.name} ${await startService(config, s, () => {})}`);
          }
          const { ensureTopics, createKafka } = await import("../lib/kafka/mod.ts");
          await ensureTopics(createKafka(config.kafka), config.kafka);
          return results.join(", ");
        },
      },
      {
        name: "notebook 00-setup",
        run: async () =>
          `executed → ${(await executeNotebook("00-setup")).path.replace(/^.*\/data\//, "data/")}`,
      },
    ];
    const summary = [];
    for (const [i, step] of steps.entries()) {
      console.log(`[${i + 1}/${steps.length}] ${step.name}…`);
      const t0 = performance.now();
      const result = await step.run();
      const seconds = (performance.now() - t0) / 1000;
      console.log(`      ✔ ${result} (${seconds.toFixed(1)} s)`);
      summary.push({ step: step.name, result, seconds: Number(seconds.toFixed(1)) });
    }
    console.log(`\nDemo summary\n${formatTable(summary)}`);
    console.log(
      "\nThe stack keeps running: open the notebooks/ in Jupyter, or stop it with `./dev stack down`.",
    );
  });
}
