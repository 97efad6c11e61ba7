/** Debian's Chromium starts under playwright-core and renders a page (the browser tests' ground). */
import assert from "node:assert/strict";
import { launchChromium } from "./_browser.ts";
import { INTEGRATION } from "./_helpers.ts";

Deno.test({
  name: "headless Chromium renders an SVG page through playwright-core",
  ...INTEGRATION,
  async fn() {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<svg width="20" height="20"><rect width="5" height="5"/></svg>');
      assert.equal(await page.locator("svg rect").count(), 1);
    } finally {
      await browser.close();
    }
  },
});
