// Drives the dashboard in headless Chromium (Debian's /usr/bin/chromium, through playwright-core): loads the page,
// reads the figures it shows from the DOM, switches indicator with the real <select>, reads again, and writes a
// screenshot. Prints one JSON document (what was read) for DashboardBrowserTests to compare with the API.
// Usage: node dashboard.check.mjs <app url> <start hash> <indicator to switch to> <screenshot.png>
// Every wait is on a condition (the page's data-state and data-selection), never on time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [appUrl, startHash, switchTo, screenshotPath] = process.argv.slice(2);
if (!screenshotPath) {
  console.error("usage: node dashboard.check.mjs <app url> <start hash> <indicator to switch to> <screenshot.png>");
  process.exit(2);
}

// Chromium's own background traffic (component updates, sync, QUIC probes) is refused by a closed network: these
// flags keep it from trying. A fresh profile each time, so nothing cached from an earlier run answers for the app.
const profile = mkdtempSync(join(tmpdir(), "dashboard-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
  locale: "en-US",
  timezoneId: "UTC",
  offline: false,
});
const problems = [];
const requests = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => requests.push(request.url()));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));

  await page.goto(`${appUrl}/api/dashboard#${startHash}`);
  await page.waitForFunction(() => document.body.dataset.state === "ready" || document.body.dataset.state === "error");
  const before = await read(page);

  await page.selectOption('[data-control="indicator"]', switchTo);
  await page.waitForFunction((indicator) => document.body.dataset.state !== "loading" && document.body.dataset.selection?.startsWith(indicator + "|"), switchTo);
  const after = await read(page);

  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(JSON.stringify({ before, after, problems, requests }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

/** What the page shows: the selection, the freshness line, and every table's rows with their fields. */
function read(page) {
  return page.evaluate(() => {
    const table = (name) => [...document.querySelectorAll(`[data-table="${name}"] tbody tr`)].map((row) => ({
      key: row.dataset.period ?? row.dataset.district,
      fields: Object.fromEntries([...row.querySelectorAll("[data-field]")].map((cell) => [cell.dataset.field, { value: cell.dataset.value, text: cell.textContent }])),
    }));
    const control = (name) => document.querySelector(`[data-control="${name}"]`);
    return {
      state: document.body.dataset.state,
      error: document.querySelector("[data-error]").hidden ? null : document.querySelector("[data-error]").textContent,
      selection: Object.fromEntries(["indicator", "district", "sector", "cluster", "kind", "period"].map((n) => [n, control(n).value])),
      indicatorOptions: [...control("indicator").options].map((o) => o.value),
      freshness: {
        runId: document.querySelector("[data-run-id]").dataset.value,
        aggregatedAt: document.querySelector("[data-aggregated-at]").dataset.value,
        pendingChanges: document.querySelector("[data-pending-changes]").dataset.value,
      },
      charts: Object.fromEntries([...document.querySelectorAll("canvas[data-chart]")].map((c) => [c.dataset.chart, { width: c.width, height: c.height }])),
      series: table("series"),
      crossSection: table("cross-section"),
      rollups: table("rollups"),
    };
  });
}
