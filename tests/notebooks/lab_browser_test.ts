/**
 * A learner's first minutes, in a real browser: `deno task lab` started headless, Debian's
 * Chromium (through playwright-core) opens lesson 02, runs every cell, watches the live chart
 * change in place, and takes a screenshot; then Ctrl-C stops JupyterLab.
 *
 * The lesson is opened from a copy (`notebooks/_browser-test-02.ipynb`, ignored by git), so
 * JupyterLab's autosave never touches the committed notebook. The screenshot goes to
 * `data/browser/`; with `UPDATE_SCREENSHOTS=1` also to `docs/lab-02-realtime.png` (the README's).
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { NOTEBOOKS_DIR } from "../../lib/notebooks/mod.ts";
import { launchChromium } from "../_browser.ts";
import { INTEGRATION, uniqueName } from "../_helpers.ts";

const COPY = "_browser-test-02.ipynb";

/** Reads lines of a stream until one matches; the rest of the stream keeps draining. */
async function waitForLine(stream: ReadableStream<Uint8Array>, pattern: RegExp, seen: string[]) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the lab exited before printing ${pattern}:\n${seen.join("\n")}`);
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    seen.push(...lines);
    const hit = lines.map((l) => pattern.exec(l)).find(Boolean);
    if (hit) {
      (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })();
      return hit[0];
    }
  }
}

Deno.test({
  name: "JupyterLab runs lesson 02 in Chromium: the live chart updates in place, Ctrl-C stops it",
  ...INTEGRATION,
  async fn() {
    await Deno.copyFile(`${NOTEBOOKS_DIR}/02-realtime.ipynb`, `${NOTEBOOKS_DIR}/${COPY}`);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const lab = new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "lab", "--no-browser", "--port", String(port)],
      cwd: PROJECT_ROOT,
      // Topics of its own, beside whatever else uses the stack.
      env: { NO_COLOR: "1", KAFKA_TOPIC_PREFIX: `${uniqueName("nblab")}.` },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(lab.stderr).text();
    const browser = await launchChromium();
    try {
      const url = await waitForLine(lab.stdout, /http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+/, []);
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      // Generous: this machine is shared; the checks below wait for events, not for time.
      page.setDefaultTimeout(300_000);
      await page.goto(url.replace("/lab?", `/lab/tree/${COPY}?`));
      await page.locator(".jp-Notebook .jp-Cell").first().waitFor();
      await page.getByText(/Deno \| Idle/).first().waitFor();
      // The notebook alone on screen: the file browser folded (a click on its tab, when open).
      const openTab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current");
      if (await openTab.count()) await openTab.first().click();
      await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
      await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();

      // The events chart's output, by its title: count the different states it goes through.
      const state = () =>
        page.evaluate(() => {
          const out = [...document.querySelectorAll(".jp-OutputArea-output")]
            .find((o) => o.textContent?.includes("Events per 1 min"));
          if (!out) return null;
          let h = 0;
          for (const ch of out.innerHTML) h = (h * 31 + ch.charCodeAt(0)) | 0;
          return `${h}`;
        });
      const states = new Set<string>();
      while (states.size < 3) {
        const s = await state();
        if (s) states.add(s);
        await new Promise((r) => setTimeout(r, 250));
      }
      // The first display and at least two updates, in one output (replaced in place).
      const charts = page.locator(".jp-OutputArea-output", { hasText: "Events per 1 min" });
      assert.equal(await charts.count(), 1, "one events chart, updated in place");
      await charts.first().scrollIntoViewIfNeeded();
      await Deno.mkdir(`${PROJECT_ROOT}/data/browser`, { recursive: true });
      const shot = `${PROJECT_ROOT}/data/browser/lab-02-realtime.png`;
      await page.screenshot({ path: shot });
      if (Deno.env.get("UPDATE_SCREENSHOTS") === "1") {
        await Deno.copyFile(shot, `${PROJECT_ROOT}/docs/lab-02-realtime.png`);
      }
      // The lesson runs to its end: its checks passed and it deleted its topics.
      await page.getByText(/✔ funnel \d+ → /).first().waitFor();
      await page.getByText(/✔ deleted 4 topics/).first().waitFor();
      assert.equal(await page.locator(".jp-OutputArea-output[data-mime-type*=error]").count(), 0);
    } finally {
      await browser.close();
      // Ctrl-C, as a learner stops it.
      lab.kill("SIGINT");
      const status = await lab.status;
      await Deno.remove(`${NOTEBOOKS_DIR}/${COPY}`).catch(() => {});
      const checkpoint = COPY.replace(".ipynb", "-checkpoint.ipynb");
      await Deno.remove(`${NOTEBOOKS_DIR}/.ipynb_checkpoints/${checkpoint}`).catch(() => {});
      const err = await stderr;
      assert.ok(status.success, `the lab exited ${status.code}: ${err}`);
      assert.match(err, /JupyterLab stopped\./);
    }
    const gone = await fetch(`http://127.0.0.1:${port}/api/status`).then(() => false, () => true);
    assert.ok(gone, "nothing answers on the lab's port after Ctrl-C");
  },
});
