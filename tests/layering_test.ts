/**
 * The layering rules, checked on the real module graphs (`deno info --json`) rather than kept in
 * comments: lib never imports scripts; scripts are entry points that nothing imports; storage
 * (lib/lake) never reaches Kafka; the terminal real-time CLI never loads Plot or linkedom.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../lib/config/mod.ts";

interface Graph {
  roots: string[];
  modules: { specifier: string; kind?: string }[];
}

const ROOT_URL = `file://${PROJECT_ROOT}/`;

/** The module graph of one or more files, as `deno info --json` reports it. */
async function graph(path: string): Promise<Graph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", path],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Project-relative paths (`lib/…`) and npm package names a graph holds. */
function reach(g: Graph): { files: string[]; npm: string[] } {
  const files = g.modules.map((m) => m.specifier).filter((s) => s.startsWith(ROOT_URL))
    .map((s) => s.slice(ROOT_URL.length));
  const npm = g.modules.filter((m) => m.kind === "npm" || m.specifier.startsWith("npm:"))
    .map((m) => m.specifier.replace(/^npm:\/?/, "").replace(/(?<=.)@[^/]*(\/.*)?$/, ""));
  return { files, npm: [...new Set(npm)] };
}

/** Every `.ts` file below a project folder. */
async function tsFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${PROJECT_ROOT}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await tsFiles(path));
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found.sort();
}

/** The project files `path` imports directly (static and dynamic imports, re-exports). */
async function directImports(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${PROJECT_ROOT}/${path}`);
  const base = new URL(path, ROOT_URL);
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm),
    ...text.matchAll(/^\s*import\s+"([^"]+)"/gm),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1]).filter((s) => s.startsWith("."));
  return specifiers.map((s) => new URL(s, base).href.slice(ROOT_URL.length));
}

Deno.test("lib never imports scripts", async () => {
  for (const file of await tsFiles("lib")) {
    for (const target of await directImports(file)) {
      assert.ok(!target.startsWith("scripts/"), `${file} imports ${target}`);
    }
  }
});

Deno.test("scripts are entry points: tests, bench, lib, notebooks and other scripts import none", async () => {
  const importers = [
    ...await tsFiles("lib"),
    ...await tsFiles("tests"),
    ...await tsFiles("bench"),
    ...await tsFiles("scripts"),
    ...await tsFiles("notebooks/_src"),
  ];
  for (const file of importers) {
    for (const target of await directImports(file)) {
      assert.ok(!target.startsWith("scripts/"), `${file} imports ${target}`);
    }
  }
  // Only entry points (and the connector configs) live there: no folder of modules.
  for await (const entry of Deno.readDir(`${PROJECT_ROOT}/scripts`)) {
    if (entry.isDirectory) assert.equal(entry.name, "cloud", `scripts/${entry.name}/`);
  }
});

Deno.test("every project file that code names by path exists (assets moved with their code)", async () => {
  const named = new Set<string>();
  for (const dir of ["lib", "scripts", "bench"]) {
    for (const file of await tsFiles(dir)) {
      const text = await Deno.readTextFile(`${PROJECT_ROOT}/${file}`);
      for (
        const [, path] of text.matchAll(
          /\$\{PROJECT_ROOT\}\/((?:lib|scripts|bench|databricks)\/[\w./-]+\.\w+)/g,
        )
      ) {
        named.add(path);
      }
    }
  }
  assert.ok(named.has("lib/stack/pom.xml"), "the scan found the assets");
  for (const path of named) {
    assert.ok((await Deno.stat(`${PROJECT_ROOT}/${path}`).catch(() => null))?.isFile, path);
  }
});

Deno.test("the terminal real-time CLI loads neither Plot nor linkedom", async () => {
  for (const entry of ["scripts/realtime.ts", "lib/realtime/mod.ts"]) {
    const { files, npm } = reach(await graph(entry));
    assert.ok(files.includes("lib/realtime/aggregator.ts"), `${entry}: the graph was read`);
    assert.ok(npm.includes("kafkajs"), `${entry}: npm packages are listed (${npm})`);
    for (const heavy of ["@observablehq/plot", "linkedom"]) {
      assert.ok(!npm.includes(heavy), `${entry} loads ${heavy}`);
    }
    assert.ok(!files.some((f) => f.startsWith("lib/viz/chart")), `${entry} loads lib/viz charts`);
  }
});

// Storage must not know about Kafka: the Kafka → lake sink lives in `lib/sink/`.
Deno.test({
  name: "storage (lib/lake) never imports Kafka",
  async fn() {
    for (const file of await tsFiles("lib/lake")) {
      const { files, npm } = reach(await graph(file));
      const kafka = files.filter((f) => f.startsWith("lib/kafka/") || f.startsWith("lib/sink/"));
      assert.deepEqual(kafka, [], `${file} reaches Kafka code`);
      for (const client of ["kafkajs", "@platformatic/kafka"]) {
        assert.ok(!npm.includes(client), `${file} loads ${client}`);
      }
    }
  },
});
