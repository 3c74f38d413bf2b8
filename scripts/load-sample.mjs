// Loads samples/ into a running app through its HTTP API — the catalog, then the observations — when the
// catalog is empty, and then runs one aggregation and waits for it. Used by scripts/run.sh.
// Environment: APP_URL (default http://127.0.0.1:7071), ADMIN_KEY (the app's AdminApiKey, if it has one).
import { readFileSync } from "node:fs";

const base = process.env.APP_URL ?? "http://127.0.0.1:7071";
const headers = { "content-type": "application/json", ...(process.env.ADMIN_KEY ? { "x-functions-key": process.env.ADMIN_KEY } : {}) };
const sample = (name) => new URL(`../samples/${name}`, import.meta.url);

async function call(method, path, body) {
  const response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

const existing = await call("GET", "/api/indicators");
let full = false;
if (existing.indicators.length > 0) {
  console.log(`storage already has ${existing.indicators.length} indicators: sample not loaded`);
} else {
  const catalog = JSON.parse(readFileSync(sample("catalog.json"), "utf8"));
  for (const { id, ...indicator } of catalog.indicators) await call("PUT", `/api/indicators/${id}`, indicator);
  for (const { id, ...district } of catalog.districts) await call("PUT", `/api/districts/${id}`, district);
  for (const { id, ...cluster } of catalog.clusters) await call("PUT", `/api/clusters/${id}`, cluster);
  const result = await call("POST", "/api/observations", JSON.parse(readFileSync(sample("observations.json"), "utf8")));
  console.log(`sample loaded: ${catalog.indicators.length} indicators, ${catalog.districts.length} districts, ${catalog.clusters.length} clusters; ` +
    `observations accepted ${result.accepted}, rejected ${result.rejected}`);
  for (const e of result.errors) console.log(`  row ${e.row} ${e.field}: ${e.message}`);
  full = true;
}
const run = await call("POST", "/api/runs?wait=true", { full });
console.log(`aggregation run ${run.id}: ${run.status}, ${run.observationsRead} observations read, ` +
  `${run.growthWritten} growth and ${run.rollupsWritten} rollup entities written in ${run.durationMs} ms`);
if (run.status !== "succeeded") process.exit(1);
