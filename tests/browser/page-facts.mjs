// What a real browser sees of one of Plume's pages, for the Rust e2e tests
// (tests/e2e/html_report.rs, status_page.rs): Debian's headless chromium, driven by
// puppeteer-core (launch.mjs), with a fresh profile and no network of its own. It counts
// every request the page makes besides its own document, every CSP
// violation and every dialog, runs axe-core, and saves a screenshot.
// html-report.mjs and status-page.mjs add what is particular to each page.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./launch.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const AXE = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");

export async function withBrowser(work) {
  const browser = await launch();
  try {
    return await work(browser);
  } finally {
    await browser.close();
  }
}

// Opens `url` in a new page (scripts on or off) and watches it.
export async function open(browser, url, { javascript = true } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  await page.setJavaScriptEnabled(javascript);
  const watch = { requests: [], dialogs: 0, consoleErrors: [] };
  page.on("request", (r) => {
    if (r.url() !== url) { watch.requests.push(r.url()); }
  });
  page.on("dialog", async (d) => { watch.dialogs += 1; await d.dismiss(); });
  page.on("console", (m) => { if (m.type() === "error") { watch.consoleErrors.push(m.text()); } });
  await page.evaluateOnNewDocument(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(url, { waitUntil: "load" });
  // Let anything a hostile text might have started have its chance.
  await new Promise((r) => setTimeout(r, 300));
  return { page, watch };
}

// The facts every page shares: requests, CSP violations, dialogs, the
// marker a hostile script would set, and axe-core's serious or critical
// violations.
export async function commonFacts(page, watch) {
  const inPage = await page.evaluate(() => ({
    csp: window.__csp || [],
    pwned: window.__pwned === undefined ? null : String(window.__pwned),
    text: document.body.innerText,
  }));
  await page.evaluate(AXE);
  const axe = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  return {
    requests: watch.requests,
    dialogs: watch.dialogs,
    console_errors: watch.consoleErrors,
    csp_violations: inPage.csp,
    pwned: inPage.pwned,
    text: inPage.text,
    axe_serious: axe,
  };
}
