// `node status-page.mjs URL SCREENSHOT.png`: opens `plume monitor`'s status
// page in headless chromium and prints, as one JSON object, what the e2e
// test asserts: the common facts (page-facts.mjs), each suite's card (its
// state, the runs in its strip and their links, its checks), and the first
// run's report opened through its link, with its own common facts.

import { withBrowser, open, commonFacts } from "./page-facts.mjs";

const [url, screenshot] = process.argv.slice(2);

const facts = await withBrowser(async (browser) => {
  const { page, watch } = await open(browser, url);
  const common = await commonFacts(page, watch);
  const targets = await page.evaluate(() =>
    [...document.querySelectorAll("section.target")].map((s) => ({
      title: s.querySelector("h2").textContent.trim(),
      state: s.className.replace("target", "").trim(),
      text: s.innerText,
      runs: [...s.querySelectorAll("svg.strip a")].map((a) => a.getAttribute("href")),
      checks: [...s.querySelectorAll("tbody tr td.name")].map((td) => td.textContent),
      sparklines: s.querySelectorAll("polyline.spark").length,
    })));
  await page.screenshot({ path: screenshot, fullPage: true });
  const first = targets.flatMap((t) => t.runs)[0];
  let report = null;
  if (first) {
    const reportUrl = new URL(first, url).href;
    const opened = await open(browser, reportUrl);
    const facts = await commonFacts(opened.page, opened.watch);
    report = { url: reportUrl, ...facts, bars: await opened.page.$$eval("svg.timeline rect.bar", (r) => r.length) };
  }
  return { ...common, targets, report };
});
console.log(JSON.stringify(facts));
