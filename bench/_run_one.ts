/**
 * Runs one `bench/<name>.ts` in a process of its own (`deno task bench` starts one per module,
 * so no figure pays for another's heap, threads or leftovers) and prints its rows as one JSON
 * line on stdout: `{"rows": [...]}`, or `{"error": "..."}` when it failed. Progress goes to
 * stderr.
 *
 * Usage: deno run -A bench/_run_one.ts <name> [--quick] [--scale]
 *
 * @module
 */
import type { Bench } from "./_types.ts";

const [name, ...rest] = Deno.args;
const quick = rest.includes("--quick");
const scale = rest.includes("--scale");
try {
  const mod = await import(`./${name}.ts`) as { bench: Bench };
  const rows = await mod.bench({ quick, scale });
  console.log(JSON.stringify({ rows }));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message?.split("\n")[0] ?? String(error) }));
}
// Clients a bench left open must not keep its process (and the run) waiting.
Deno.exit(0);
