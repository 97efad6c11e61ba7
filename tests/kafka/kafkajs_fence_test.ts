/**
 * The fence around the kafkajs replacements: they apply only when `lib/kafka/_kafkajs_fast.ts`
 * runs before kafkajs first loads, so every value import of kafkajs goes through
 * `lib/kafka/_kafkajs.ts` (type imports are erased and may stay anywhere); a kafkajs release
 * other than the one they were checked against gets a warning and stock kafkajs;
 * `KAFKAJS_STOCK=1` asks for stock kafkajs.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { installPlan } from "../../lib/kafka/_kafkajs_fast.ts";

const ALLOWED = "lib/kafka/_kafkajs.ts";
const FOLDERS = ["lib", "scripts", "bench", "tests", "notebooks/_src"];

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(`${PROJECT_ROOT}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) yield path;
  }
}

/**
 * The value imports of kafkajs's entry point in `text`: static, re-exports, dynamic and
 * require. Its inner modules (`kafkajs/src/…`) are the replacements' own business: see below.
 */
function kafkajsValueImports(text: string): string[] {
  const found: string[] = [];
  const statics =
    /(?:^|\n)\s*(import|export)\s+([^;]*?)\s+from\s+["'](?:npm:)?kafkajs(?:@[^"'/]*)?["']/g;
  for (const m of text.matchAll(statics)) {
    const clause = m[2].trim();
    if (clause.startsWith("type ")) continue; // `import type {…}`, `export type {…}`
    const named = clause.match(/^\{([^}]*)\}$/);
    if (named && named[1].split(",").every((n) => n.trim() === "" || /^type\s/.test(n.trim()))) {
      continue; // `import { type A, type B }`
    }
    found.push(m[0].trim());
  }
  const bare = /(?:^|\n)\s*import\s+["'](?:npm:)?kafkajs(?:@[^"'/]*)?["']/g;
  for (const m of text.matchAll(bare)) found.push(m[0].trim());
  const dynamic = /\b(?:import|require)\s*\(\s*["'`](?:npm:)?kafkajs(?:@[^"'`/]*)?["'`]/g;
  for (const m of text.matchAll(dynamic)) found.push(m[0].trim());
  return found;
}

Deno.test("the value-import check tells value imports of kafkajs from type imports", () => {
  assert.deepEqual(kafkajsValueImports('import type { Kafka } from "kafkajs";'), []);
  assert.deepEqual(kafkajsValueImports('import { type Kafka, type Message } from "kafkajs";'), []);
  assert.deepEqual(kafkajsValueImports('export type { Kafka } from "kafkajs";'), []);
  for (
    const line of [
      'import { Kafka } from "kafkajs";',
      'import { type Message, Kafka } from "kafkajs";',
      'import kafkajs from "npm:kafkajs@2.2.4";',
      'import * as k from "kafkajs";',
      'export { Kafka } from "kafkajs";',
      'import "kafkajs";',
      'const { Kafka } = await import("kafkajs");',
      'const x = require("kafkajs");',
    ]
  ) assert.equal(kafkajsValueImports(line).length, 1, line);
  assert.deepEqual(kafkajsValueImports('require("kafkajs/src/protocol/decoder.js");'), []);
});

Deno.test("every value import of kafkajs goes through lib/kafka/_kafkajs.ts", async () => {
  const offenders: string[] = [];
  for (const folder of FOLDERS) {
    for await (const path of sources(folder)) {
      if (path === ALLOWED || path === "tests/kafka/kafkajs_fence_test.ts") continue;
      const text = await Deno.readTextFile(`${PROJECT_ROOT}/${path}`);
      for (const hit of kafkajsValueImports(text)) offenders.push(`${path}: ${hit}`);
    }
  }
  assert.deepEqual(
    offenders,
    [],
    `import kafkajs's values from lib/kafka/_kafkajs.ts (its replacements must load first)`,
  );
});

Deno.test("only the replacements and their comparison tests load kafkajs's inner modules", async () => {
  const inner = /\b(?:import|require)\s*\(\s*["'`](?:npm:)?kafkajs\/src\//;
  const allowed = /^(lib\/kafka\/_kafkajs[a-z_]*\.ts|tests\/kafka\/kafkajs_[a-z_]+_test\.ts)$/;
  const offenders: string[] = [];
  for (const folder of FOLDERS) {
    for await (const path of sources(folder)) {
      const text = await Deno.readTextFile(`${PROJECT_ROOT}/${path}`);
      if (inner.test(text) && !allowed.test(path)) offenders.push(path);
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("another kafkajs release gets a warning and stock kafkajs; KAFKAJS_STOCK=1 gets stock", () => {
  assert.deepEqual(installPlan("2.2.4", undefined), { install: true });
  assert.deepEqual(installPlan("2.2.4", "0"), { install: true });
  assert.deepEqual(installPlan("2.2.4", "1"), { install: false });
  const other = installPlan("2.3.0", undefined);
  assert.equal(other.install, false);
  assert.match(other.warning!, /kafkajs 2\.3\.0 is not 2\.2\.4.*stock kafkajs/);
});

Deno.test("KAFKAJS_STOCK=1 runs kafkajs with none of the replacements, silently", async () => {
  const code = `import { installed } from "${PROJECT_ROOT}/lib/kafka/_kafkajs_fast.ts";
import { Kafka } from "${PROJECT_ROOT}/lib/kafka/_kafkajs.ts";
console.log(JSON.stringify({ installed, kafka: typeof Kafka }));`;
  const run = (stock: string | undefined) =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", `${PROJECT_ROOT}/deno.json`, code],
      env: stock === undefined ? {} : { KAFKAJS_STOCK: stock },
      clearEnv: false,
      cwd: PROJECT_ROOT,
    }).output();
  const dec = new TextDecoder();
  const stock = await run("1");
  assert.equal(stock.code, 0, dec.decode(stock.stderr));
  assert.deepEqual(JSON.parse(dec.decode(stock.stdout)), {
    installed: { request: false, grouping: false, decoder: false },
    kafka: "function",
  });
  assert.equal(dec.decode(stock.stderr).includes("warning"), false);
  const ours = await run("0");
  assert.equal(ours.code, 0, dec.decode(ours.stderr));
  assert.deepEqual(JSON.parse(dec.decode(ours.stdout)).installed, {
    request: true,
    grouping: true,
    decoder: true,
  });
});
