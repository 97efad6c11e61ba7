/**
 * Debian's Chromium driven by playwright-core for the browser tests (never a downloaded browser).
 * `deno task setup` installs Chromium; the flags keep it off the machine's closed network.
 */
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM_BIN } from "../lib/stack/mod.ts";

/** Headless Chromium with the flags this machine needs; close it when done. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
