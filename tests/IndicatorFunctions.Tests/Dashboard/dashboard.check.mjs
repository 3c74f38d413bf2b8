// Drives the dashboard in headless Chromium (Debian's /usr/bin/chromium, through playwright-core): loads the page,
// reads the figures it shows from the DOM, then for each step picks values in the real <select>s and reads again,
// and writes a screenshot of the last state. Prints one JSON document (what was read) for DashboardBrowserTests to
// compare with the API.
// Usage: node dashboard.check.mjs <app url> <start hash> <steps: JSON [{control: value, …}, …]> <screenshot.png>
// e.g. node dashboard.check.mjs http://127.0.0.1:7071 'indicator=gdp&district=xuhui' '[{"indicator":"retail-sales"}]' /tmp/d.png
// Every wait is on a condition (the page's data-state and data-selection), never on time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [appUrl, startHash, stepsJson, screenshotPath] = process.argv.slice(2);
if (!screenshotPath) {
  console.error("usage: node dashboard.check.mjs <app url> <start hash> <steps: JSON [{control: value, …}, …]> <screenshot.png>");
  process.exit(2);
}
const steps = JSON.parse(stepsJson);

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
  const reads = [await read(page)];
  for (const step of steps) {
    // Each change fires the select's change event, which sets data-state "loading" at once; the page is "ready"
    // again only when the last selection's figures are all shown (a newer selection supersedes one still loading).
    for (const [control, value] of Object.entries(step)) await page.selectOption(`[data-control="${control}"]`, value);
    await page.waitForFunction((expected) => {
      const { state, selection } = document.body.dataset;
      if (state === "error") return true;
      const shown = state === "ready" && selection ? JSON.parse(selection) : null;
      return shown !== null && Object.entries(expected).every(([name, value]) => shown[name] === value);
    }, step);
    reads.push(await read(page));
  }

  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(JSON.stringify({ reads, problems, requests }));
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
