/**
 * The lessons' sources (`notebooks/_src/*.ts`) are type-checked like the rest of the code: a
 * lesson that calls the library wrongly fails here, not in a learner's kernel.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

Deno.test("every lesson's source type-checks against the library", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lesson-check-" });
  try {
    const lib = pathToFileURL(`${PROJECT_ROOT}/lib/`).href;
    const files: string[] = [];
    for await (const entry of Deno.readDir(`${PROJECT_ROOT}/notebooks/_src`)) {
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      const source = await Deno.readTextFile(`${PROJECT_ROOT}/notebooks/_src/${entry.name}`);
      // A lesson runs beside its notebook (imports from `../lib/`) on the Deno kernel, which
      // offers `Deno.jupyter` (typed among Deno's unstable APIs).
      const checked = `/// <reference lib="deno.unstable" />\n` +
        source.replaceAll(`"../lib/`, `"${lib}`);
      files.push(`${dir}/${entry.name}`);
      await Deno.writeTextFile(files.at(-1)!, checked);
    }
    assert.ok(files.length >= 8, `only ${files.length} lessons found`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", `${PROJECT_ROOT}/deno.json`, ...files],
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const errors = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, errors);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
