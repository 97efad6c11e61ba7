/**
 * `deno task notebooks [--check] [NAME…]`: executes every lesson on the local stack and writes
 * its outputs into the committed `notebooks/*.ipynb` (see `lib/notebooks/build.ts`).
 *
 * @module
 */
import { buildNotebooks } from "../lib/notebooks/mod.ts";
import { parseFlags, runCli } from "../lib/cli/mod.ts";

const SPEC = {
  name: "notebooks",
  summary: "Execute the lessons on the local stack, in order, and write each " +
    "notebooks/NN-*.ipynb with its outputs (a lesson whose outputs did not change is left as it is).",
  flags: {
    check: {
      type: "boolean",
      description: "write nothing; exit 1 if a committed notebook is stale",
    },
  },
  positionals: [
    { name: "NAME…", description: "only these lessons (e.g. 02-realtime)", optional: true },
  ],
  examples: ["deno task notebooks", "deno task notebooks --check 04-clickstream"],
} as const;

await runCli(async () => {
  const { flags, positionals } = parseFlags(SPEC, Deno.args);
  const results = await buildNotebooks({
    only: positionals,
    check: flags.check,
    log: (line) => console.error(line),
  });
  for (const r of results) {
    console.log(`${r.status.padEnd(9)} ${r.name}${r.detail ? `  (${r.detail})` : ""}`);
  }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const bad = count("failed") + count("stale");
  console.log(
    `${results.length} lessons: ${count("written")} written, ${count("unchanged")} unchanged, ` +
      `${count("stale")} stale, ${count("failed")} failed`,
  );
  return bad ? 1 : 0;
});
