/**
 * The files the dashboard serves: its page (`lib/dashboard/page/`), and Observable Plot and d3
 * from the npm packages the workspace already pins (no CDN). Plot's package ships a UMD build,
 * `dist/plot.umd.min.js`, that expects d3 as the global `d3`; d3's package ships
 * `dist/d3.min.js`, which defines it. The page loads both as plain scripts, d3 first; nothing is
 * bundled or downloaded at run time.
 *
 * @module
 */
import { createRequire } from "node:module";
import { PipelineError } from "../errors.ts";

/** One served file. */
export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  /** Whether browsers may keep it for an hour (the vendor scripts) rather than ask each time. */
  cacheable: boolean;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** The page files, by URL path. */
export const PAGE_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};

/** The URL paths of the vendor scripts (the page's `<script>` tags use these). */
export const VENDOR_PATHS = {
  d3: "/vendor/d3.min.js",
  plot: "/vendor/plot.umd.min.js",
} as const;

/** The package folder holding `file` (the nearest parent with a package.json named `name`). */
async function packageRoot(file: string, name: string): Promise<string> {
  let dir = file.slice(0, file.lastIndexOf("/"));
  while (dir.length > 1) {
    try {
      const pkg = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
      if (pkg.name === name) return dir;
    } catch { /* not here: go up */ }
    dir = dir.slice(0, dir.lastIndexOf("/"));
  }
  throw new PipelineError(`Could not find the npm package ${name} above ${file}`);
}

/** Where Plot's and d3's browser builds are (from the import map's `@observablehq/plot`). */
export async function vendorFiles(): Promise<{ d3: string; plot: string }> {
  const plotEntry = new URL(import.meta.resolve("@observablehq/plot")).pathname;
  const plotRoot = await packageRoot(plotEntry, "@observablehq/plot");
  // d3 is Plot's dependency, resolved from Plot's folder as Node would.
  const d3Entry = createRequire(plotEntry).resolve("d3");
  const d3Root = await packageRoot(d3Entry, "d3");
  return { d3: `${d3Root}/dist/d3.min.js`, plot: `${plotRoot}/dist/plot.umd.min.js` };
}

/**
 * Loads every served file into memory, by URL path; throws `PipelineError` naming a missing one.
 *
 * @example
 * ```ts
 * import { loadAssets } from "./assets.ts";
 * const assets = await loadAssets();
 * assets.get("/vendor/plot.umd.min.js")!.type; // "text/javascript; charset=utf-8"
 * ```
 */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const read = async (path: string, file: string, cacheable: boolean) => {
    try {
      const body = await Deno.readFile(file);
      assets.set(path, { body, type: TYPES[file.slice(file.lastIndexOf(".") + 1)], cacheable });
    } catch (error) {
      throw new PipelineError(`Dashboard file ${file} could not be read: ${error}`, {
        cause: error,
      });
    }
  };
  const page = new URL("./page/", import.meta.url).pathname;
  for (const [path, file] of Object.entries(PAGE_FILES)) await read(path, page + file, false);
  const vendor = await vendorFiles();
  await read(VENDOR_PATHS.d3, vendor.d3, true);
  await read(VENDOR_PATHS.plot, vendor.plot, true);
  return assets;
}
