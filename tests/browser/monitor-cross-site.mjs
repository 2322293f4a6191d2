// A page of another origin in headless chromium against `plume monitor`
// (driven by tests/e2e/monitor_browser.rs, which asserts on what this prints).
//
//   node monitor-cross-site.mjs PAGE_URL MONITOR_URL
//
// Opens PAGE_URL (monitor-cross-site.html served by the test on its own
// loopback port), waits for its attempts, and records every answer the
// browser got from the monitor, as the network saw it (the page itself
// cannot see opaque answers). Then, as the control, opens the monitor's own
// /healthz and fetches /runs/last from that same-origin page. Prints one
// JSON object: { attempts, network, own: { healthz, runsLast } }.

import { launch } from "./launch.mjs";

const [pageUrl, monitorUrl] = process.argv.slice(2);
if (!pageUrl || !monitorUrl) {
  console.error("usage: node monitor-cross-site.mjs PAGE_URL MONITOR_URL");
  process.exit(2);
}

const browser = await launch();
try {
  const page = await browser.newPage();
  const network = [];
  page.on("response", (response) => {
    if (response.url().startsWith(monitorUrl)) {
      network.push({
        method: response.request().method(),
        url: response.url(),
        status: response.status(),
      });
    }
  });
  page.on("requestfailed", (request) => {
    if (request.url().startsWith(monitorUrl)) {
      network.push({
        method: request.method(),
        url: request.url(),
        failed: request.failure()?.errorText ?? "failed",
      });
    }
  });
  await page.goto(`${pageUrl}?monitor=${encodeURIComponent(monitorUrl)}`, { waitUntil: "load" });
  await page.evaluate(() => window.done);
  const attempts = await page.evaluate(() => window.attempts);

  const own = await browser.newPage();
  const healthz = await own.goto(`${monitorUrl}/healthz`);
  const runsLast = await own.evaluate(async () => {
    const response = await fetch("/runs/last?suite=demo");
    return { status: response.status, body: await response.text() };
  });
  console.log(
    JSON.stringify({
      attempts,
      network,
      own: { healthz: { status: healthz.status(), body: await healthz.text() }, runsLast },
    }),
  );
} finally {
  await browser.close();
}
