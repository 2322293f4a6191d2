// Launches Debian's headless chromium through puppeteer-core for the tests
// of Plume's pages, on a fresh profile that is removed on close. The
// machine's network is closed: no background traffic, no component updates;
// pages talk to loopback servers the test started.
//
//   import { launch } from "./launch.mjs";
//   const browser = await launch();
//   try { ... } finally { await browser.close(); }

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

export const CHROMIUM = process.env.PLUME_CHROMIUM || "/usr/bin/chromium";

export const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless chromium on a fresh --user-data-dir; `close()` removes the profile too. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "plume-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    userDataDir: profile,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  return browser;
}
