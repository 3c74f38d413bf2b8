// Loads samples/ into a running app through its HTTP API — the catalog, then the observations — when the
// catalog is empty; registers the sample sources (samples/sources.json) and drops the sample analyst file;
// then runs one collect-and-aggregate run, waits for it and prints what each source did. Used by scripts/run.sh.
// Environment: APP_URL (default http://127.0.0.1:7071), ADMIN_KEY (the app's AdminApiKey, if it has one),
// SAMPLE_SOURCE_URL (the local sample source server), STORAGE_CONNECTION (for the blob-drop sample file).
import { readFileSync } from "node:fs";
import { BlobServiceClient } from "@azure/storage-blob";

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

// Sources are PUT every time; an unchanged definition keeps its collection state, so a second run.sh shows 304s.
const { sources } = JSON.parse(readFileSync(sample("sources.json"), "utf8"));
for (const { id, ...source } of sources) {
  if (source.url) {
    if (!process.env.SAMPLE_SOURCE_URL) continue;
    source.url = source.url.replace("{SAMPLE_SOURCE_URL}", process.env.SAMPLE_SOURCE_URL);
  }
  await call("PUT", `/api/sources/${id}`, source);
}
if (process.env.STORAGE_CONNECTION) {
  // An analyst's file, dropped once: on later runs the source finds it already collected.
  const container = BlobServiceClient.fromConnectionString(process.env.STORAGE_CONNECTION).getContainerClient("analyst-drop");
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient("incoming/avg-wage-2023.csv");
  if (!(await blob.exists())) {
    const body = readFileSync(sample("sources/drop/avg-wage-2023.csv"));
    await blob.upload(body, body.length, { blobHTTPHeaders: { blobContentType: "text/csv" } });
    console.log("dropped analyst-drop/incoming/avg-wage-2023.csv");
  }
}
console.log(`sources registered: ${sources.map((s) => s.id).join(", ")}`);

const run = await call("POST", "/api/runs?wait=true", { full, collect: true });
console.log(`run ${run.id}: ${run.status} in ${run.durationMs} ms (collecting ${run.collectMs} ms, aggregating ${run.aggregateMs} ms); ` +
  `${run.observationsRead} observations read, ${run.growthWritten} growth and ${run.rollupsWritten} rollup entities written`);
for (const s of run.sources ?? []) console.log(`  source ${s.source} (${s.kind}): ${s.status} — ${s.reason}`);
// "partial" (a source failed) still aggregated everything else: keep the app up and let the lines above say why.
if (run.status === "failed") process.exit(1);
