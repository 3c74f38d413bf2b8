// The dashboard page: reads this app's own API (same origin) and shows a district's series with YoY bars, the
// districts ranked for one period, and a cluster's rollup with coverage and like-for-like growth. Figures are shown
// as the API gives them (already rounded to the indicator's decimals); nothing is recomputed here.
// Stable hooks for tests and scripts: data-control (the selects), data-table / data-field / data-value (the figures,
// data-value holding the API's number as JSON would write it), and on <body> data-state ("loading", "ready",
// "error") with data-selection (JSON: the selection the figures shown are for).

const API = "/api";
const $ = (selector, root = document) => root.querySelector(selector);
const controls = Object.fromEntries([...document.querySelectorAll("[data-control]")].map((e) => [e.dataset.control, e]));
const charts = {};
const numbers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 15 });
const coverage = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 2 });
const KINDS = { year: "years", half: "halves", quarter: "quarters", month: "months", ytd: "year to date" };
let catalog = { indicators: [], districts: [], clusters: [] };
let generation = 0;

/** The kind of a period, by its grammar: YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM, YYYY-YTDmm. */
export function periodKind(period) {
  if (/^\d{4}$/.test(period)) return "year";
  if (/-H\d$/.test(period)) return "half";
  if (/-Q\d$/.test(period)) return "quarter";
  if (/-YTD\d\d$/.test(period)) return "ytd";
  return "month";
}

/** GET from the API: the JSON, or an Error carrying the problem's detail. */
async function get(path) {
  const response = await fetch(API + path, { headers: { accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(body?.detail ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

const enc = encodeURIComponent;

function element(tag, attributes = {}, ...children) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) e.setAttribute(name, String(value));
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

function options(select, items, selected) {
  select.replaceChildren(...items.map(({ value, label }) => element("option", { value }, label)));
  if (items.some((i) => i.value === selected)) select.value = selected;
}

/** A number cell: the formatted figure, data-value the API's number ("" when it gave null). */
function figure(field, value, { suffix = "", signed = false, reason = null } = {}) {
  if (value === null || value === undefined) {
    return element("td", { "data-field": field, "data-value": "" }, element("span", { class: "reason" }, reason ?? "—"));
  }
  const text = (signed && value > 0 ? "+" : "") + numbers.format(value) + suffix;
  return element("td", { "data-field": field, "data-value": String(value) }, text);
}

function flag(field, status) {
  return element("td", { "data-field": field, "data-value": status ?? "" },
    status ? element("span", { class: "flag", "data-status": status }, status) : "—");
}

function text(field, value) {
  return element("td", { "data-field": field, "data-value": value ?? "" }, value ?? "—");
}

function chart(name, config) {
  charts[name]?.destroy();
  const canvas = $(`[data-chart="${name}"]`);
  charts[name] = new window.Chart(canvas, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
}

function percentAxis(title) {
  return { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: title }, ticks: { callback: (v) => `${v}%` } };
}

function panel(name) {
  return $(`[data-panel="${name}"]`);
}

function note(name, message) {
  $("[data-note]", panel(name)).textContent = message ?? "";
}

function freshness(sources) {
  const latest = sources.filter(Boolean).sort((a, b) => String(b.aggregatedAt ?? "").localeCompare(String(a.aggregatedAt ?? "")))[0];
  const pending = latest?.pendingChanges;
  $("[data-run-id]").textContent = latest?.runId ?? "none yet";
  $("[data-run-id]").dataset.value = latest?.runId ?? "";
  $("[data-aggregated-at]").textContent = latest?.aggregatedAt ?? "never";
  $("[data-aggregated-at]").dataset.value = latest?.aggregatedAt ?? "";
  if (latest?.aggregatedAt) $("[data-aggregated-at]").setAttribute("datetime", latest.aggregatedAt);
  const flagElement = $("[data-pending-changes]");
  flagElement.dataset.pendingChanges = String(Boolean(pending));
  flagElement.dataset.value = String(Boolean(pending));
  flagElement.textContent = pending ? "changes are pending: the next run will update these figures" : "no changes pending";
}

function selection() {
  return Object.fromEntries(Object.entries(controls).map(([name, select]) => [name, select.value]));
}

function unitOf(indicatorId) {
  return catalog.indicators.find((i) => i.id === indicatorId)?.unit ?? "";
}

function nameOf(list, id) {
  return catalog[list].find((x) => x.id === id)?.name ?? id;
}

/** Reads the selection from the address (#indicator=gdp&district=xuhui…), so a view can be linked. */
function fromHash() {
  return Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
}

function toHash(s) {
  const hash = "#" + new URLSearchParams(Object.entries(s).filter(([, v]) => v)).toString();
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

async function loadCatalog() {
  const [indicators, districts, clusters] = await Promise.all([get("/indicators"), get("/districts"), get("/clusters")]);
  catalog = { indicators: indicators.indicators, districts: districts.districts, clusters: clusters.clusters };
  const wanted = fromHash();
  options(controls.indicator, catalog.indicators.map((i) => ({ value: i.id, label: `${i.name} (${i.unit})` })), wanted.indicator ?? "gdp");
  options(controls.district, catalog.districts.map((d) => ({ value: d.id, label: d.name })), wanted.district);
  const sectors = [...new Set(catalog.clusters.flatMap((c) => c.members.map((m) => m.sector ?? "total")))].filter((s) => s !== "total").sort();
  options(controls.sector, ["total", ...sectors].map((s) => ({ value: s, label: s })), wanted.sector ?? "total");
  options(controls.cluster, catalog.clusters.map((c) => ({ value: c.id, label: c.name })), wanted.cluster);
  controls.kind.dataset.wanted = wanted.kind ?? "year";
  controls.period.dataset.wanted = wanted.period ?? "";
  freshness([indicators, districts, clusters]);
}

/** Loads and shows everything for the current selection; a newer selection supersedes one still loading. */
async function render() {
  const mine = ++generation;
  const s = selection();
  document.body.dataset.state = "loading";
  $("[data-error]").hidden = true;
  try {
    const [series, rollups] = await Promise.all([
      get(`/districts/${enc(s.district)}/indicators/${enc(s.indicator)}/series?sector=${enc(s.sector)}`).catch((e) => e),
      get(`/clusters/${enc(s.cluster)}/indicators/${enc(s.indicator)}/rollups`).catch((e) => e),
    ]);
    if (mine !== generation) return;
    const points = [...(series.points ?? []), ...(rollups.points ?? [])];
    const kinds = Object.keys(KINDS).filter((k) => points.some((p) => periodKind(p.period) === k));
    options(controls.kind, kinds.map((k) => ({ value: k, label: KINDS[k] })), controls.kind.dataset.wanted || "year");
    if (!kinds.includes(controls.kind.value) && kinds.length) controls.kind.value = kinds.includes("year") ? "year" : kinds[0];
    const kind = controls.kind.value;
    const periods = [...new Set(points.map((p) => p.period).filter((p) => periodKind(p) === kind))].sort();
    options(controls.period, periods.map((p) => ({ value: p, label: p })), controls.period.dataset.wanted || periods.at(-1));
    if (!periods.includes(controls.period.value) && periods.length) controls.period.value = periods.at(-1);
    controls.kind.dataset.wanted = "";
    controls.period.dataset.wanted = "";
    const period = controls.period.value;
    const crossSection = period
      ? await get(`/indicators/${enc(s.indicator)}/periods/${enc(period)}?sector=${enc(s.sector)}`).catch((e) => e)
      : new Error("no period to rank: neither the district nor the cluster has figures for this indicator");
    if (mine !== generation) return;

    showSeries(series, kind);
    showCrossSection(crossSection, s.district);
    showRollups(rollups, kind);
    freshness([series, rollups, crossSection].filter((r) => !(r instanceof Error)));
    const now = selection();
    toHash(now);
    document.body.dataset.selection = JSON.stringify(now);
    document.body.dataset.state = "ready";
  } catch (error) {
    if (mine !== generation) return;
    $("[data-error]").textContent = error.message;
    $("[data-error]").hidden = false;
    document.body.dataset.state = "error";
  }
}

function showSeries(series, kind) {
  const p = panel("series");
  const body = $("tbody", p);
  if (series instanceof Error) {
    note("series", series.message);
    body.replaceChildren();
    chart("series", { type: "line", data: { labels: [], datasets: [] } });
    return;
  }
  const points = series.points.filter((x) => periodKind(x.period) === kind);
  $("[data-title]", p).textContent = `${nameOf("districts", series.district)} · ${series.indicator}${series.sector === "total" ? "" : ` (${series.sector})`} · ${series.unit}`;
  p.dataset.runId = series.runId ?? "";
  note("series", points.length ? "" : "no figures for this district, indicator and sector");
  body.replaceChildren(...points.map((x) => element("tr", { "data-period": x.period },
    text("period", x.period),
    figure("value", x.value),
    flag("status", x.status),
    figure("yoy-change", x.yoy?.change, { signed: true, reason: x.yoy?.reason }),
    figure("yoy-pct", x.yoy?.pct, { suffix: "%", signed: true, reason: x.yoy?.reason }),
    flag("yoy-status", x.yoy?.status),
    text("source", x.source))));
  chart("series", {
    data: {
      labels: points.map((x) => x.period),
      datasets: [
        { type: "line", label: `value (${series.unit})`, data: points.map((x) => x.value), borderColor: "#2364aa", backgroundColor: "#2364aa", yAxisID: "y" },
        { type: "bar", label: "YoY %", data: points.map((x) => x.yoy?.pct ?? null), backgroundColor: "#f0a202aa", yAxisID: "pct" },
      ],
    },
    options: { scales: { y: { title: { display: true, text: series.unit } }, pct: percentAxis("YoY %") } },
  });
}

function showCrossSection(crossSection, district) {
  const p = panel("cross-section");
  const body = $("tbody", p);
  if (crossSection instanceof Error) {
    note("cross-section", crossSection.message);
    body.replaceChildren();
    chart("cross-section", { type: "bar", data: { labels: [], datasets: [] } });
    return;
  }
  const rows = crossSection.rows;
  $("[data-title]", p).textContent = `${crossSection.indicator}${crossSection.sector === "total" ? "" : ` (${crossSection.sector})`} · ${crossSection.period} · ${crossSection.unit}`;
  p.dataset.runId = crossSection.runId ?? "";
  note("cross-section", rows.length ? "" : "no district has a figure for this period");
  body.replaceChildren(...rows.map((r) => element("tr", { "data-district": r.district, "data-selected": r.district === district ? "" : null },
    figure("rank", r.rank),
    element("td", { "data-field": "district", "data-value": r.district }, nameOf("districts", r.district)),
    figure("value", r.value),
    flag("status", r.status),
    figure("yoy-pct", r.yoy?.pct, { suffix: "%", signed: true, reason: r.yoy?.reason }))));
  chart("cross-section", {
    type: "bar",
    data: {
      labels: rows.map((r) => `${r.rank}. ${nameOf("districts", r.district)}`),
      datasets: [{ label: `${crossSection.period} (${crossSection.unit})`, data: rows.map((r) => r.value),
        backgroundColor: rows.map((r) => (r.district === district ? "#2364aa" : "#9bb7d6")) }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } } },
  });
}

function showRollups(rollups, kind) {
  const p = panel("rollups");
  const body = $("tbody", p);
  if (rollups instanceof Error) {
    note("rollups", rollups.message);
    body.replaceChildren();
    chart("rollups", { type: "line", data: { labels: [], datasets: [] } });
    return;
  }
  const points = rollups.points.filter((x) => periodKind(x.period) === kind);
  $("[data-title]", p).textContent = `${nameOf("clusters", rollups.cluster)} · ${rollups.indicator} (${rollups.aggregation}) · ${rollups.unit}`;
  p.dataset.runId = rollups.runId ?? "";
  note("rollups", points.length ? "" : "no member of this cluster reports this indicator");
  body.replaceChildren(...points.map((x) => element("tr", { "data-period": x.period },
    text("period", x.period),
    figure("value", x.value, { reason: x.valueReason }),
    flag("status", x.status),
    element("td", { "data-field": "coverage", "data-value": String(x.coverage) }, `${x.reporting}/${x.members} (${coverage.format(x.coverage)})`),
    text("missing", x.missing?.length ? x.missing.join(", ") : null),
    figure("yoy-pct", x.yoy?.pct, { suffix: "%", signed: true, reason: x.yoy?.reason }),
    figure("yoy-comparable", x.yoy?.comparableMembers),
    flag("yoy-status", x.yoy?.status))));
  chart("rollups", {
    data: {
      labels: points.map((x) => x.period),
      datasets: [
        { type: "line", label: `value (${rollups.unit})`, data: points.map((x) => x.value), borderColor: "#2364aa", backgroundColor: "#2364aa", yAxisID: "y" },
        { type: "bar", label: "like-for-like YoY %", data: points.map((x) => x.yoy?.pct ?? null), backgroundColor: "#f0a202aa", yAxisID: "pct" },
        { type: "line", label: "coverage %", data: points.map((x) => x.coverage * 100), borderColor: "#3aa76d", backgroundColor: "#3aa76d", borderDash: [4, 3], yAxisID: "coverage" },
      ],
    },
    options: {
      scales: {
        y: { title: { display: true, text: rollups.unit } },
        pct: percentAxis("like-for-like YoY %"),
        coverage: { ...percentAxis("coverage %"), min: 0, max: 100 },
      },
    },
  });
}

async function start() {
  try {
    await loadCatalog();
  } catch (error) {
    $("[data-error]").textContent = `The catalog could not be read: ${error.message}`;
    $("[data-error]").hidden = false;
    document.body.dataset.state = "error";
    return;
  }
  for (const [name, select] of Object.entries(controls)) {
    select.addEventListener("change", () => {
      // A new indicator, district, sector or cluster picks its periods afresh (keeping the kind); a new kind, its latest period.
      if (name !== "period") controls.period.dataset.wanted = name === "kind" ? "" : controls.period.value;
      if (name !== "kind" && name !== "period") controls.kind.dataset.wanted = controls.kind.value;
      render();
    });
  }
  await render();
}

start();
