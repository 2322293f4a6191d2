// `node html-report.mjs PAGE.html SCREENSHOT.png RED_CHECK`: opens a report
// written by `plume run --report html=FILE` from disk in headless chromium
// and prints, as one JSON object, what the e2e test asserts: the common
// facts (page-facts.mjs), whether RED_CHECK's detail is visible without a
// click, the timeline's bars and lanes, the filters at work, and the same
// page with scripts off.

import { pathToFileURL } from "node:url";
import { withBrowser, open, commonFacts } from "./page-facts.mjs";

const [file, screenshot, red] = process.argv.slice(2);
const url = pathToFileURL(file).href;

const facts = await withBrowser(async (browser) => {
  const { page, watch } = await open(browser, url);
  const common = await commonFacts(page, watch);
  const shape = await page.evaluate((red) => {
    const visible = (el) => !!el && el.getClientRects().length > 0 &&
      getComputedStyle(el).visibility !== "hidden";
    const card = [...document.querySelectorAll("details.card")].find((d) => d.dataset.name === red);
    const detail = card && card.querySelector(".detail");
    return {
      red_open: !!card && card.open,
      red_detail_visible: visible(detail),
      red_detail: detail ? detail.textContent : null,
      bars: [...document.querySelectorAll("svg.timeline rect.bar:not(.cleanup):not(.prepare)")].map((r) =>
        r.parentElement.getAttribute("data-name")),
      cleanup_bars: document.querySelectorAll("svg.timeline rect.bar.cleanup").length,
      lanes: [...document.querySelectorAll("svg.timeline g.lane title")].map((t) => t.textContent),
      critical: document.querySelectorAll("svg.timeline rect.critical").length,
      slowest: document.querySelectorAll("svg.timeline rect.slowest").length,
      rows: document.querySelectorAll("table.checks tbody tr[id^=check-]").length,
      filters_shown: visible(document.getElementById("filters")),
    };
  }, red);
  // The filters: passed rows off, then a search by name.
  await page.click("#filters input[value=ok]");
  const withoutPassed = await page.$$eval("tr[id^=check-]:not(.off)", (rows) => rows.map((r) => r.dataset.outcome));
  await page.click("#filters input[value=ok]");
  await page.type("#search", red);
  const searched = await page.$$eval("tr[id^=check-]:not(.off)", (rows) => rows.map((r) => r.dataset.name));
  await page.click("#search", { clickCount: 3 });
  await page.keyboard.press("Backspace");
  await page.screenshot({ path: screenshot, fullPage: true });
  // The overview: the first screens as the page opens (red and skipped checks expanded).
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-overview.png"), clip: { x: 0, y: 0, width: 1100, height: 1400 } });

  const off = await open(browser, url, { javascript: false });
  const noScript = await off.page.evaluate((red) => {
    const card = [...document.querySelectorAll("details.card")].find((d) => d.dataset.name === red);
    const detail = card && card.querySelector(".detail");
    return {
      red_detail_visible: !!detail && detail.getClientRects().length > 0,
      filters_shown: document.getElementById("filters").getClientRects().length > 0,
      rows: document.querySelectorAll("tr[id^=check-]").length,
    };
  }, red);
  return { ...common, ...shape, rows_without_passed: withoutPassed, rows_searched: searched, no_script: noScript,
    no_script_requests: off.watch.requests, no_script_dialogs: off.watch.dialogs };
});
console.log(JSON.stringify(facts));
