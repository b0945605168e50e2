// The mailflow dashboard: a reference client of the public GraphQL API (no other calls, no build step).
"use strict";

const BUCKETS = [
  ["TLS1.3", "TLS 1.3", "TLS13"], ["TLS1.2", "TLS 1.2", "TLS12"], ["TLS1.1", "TLS 1.1", "TLS11"],
  ["TLS1.0", "TLS 1.0", "TLS10"], ["none", "No TLS", "none"], ["unknown", "Unknown", "unknown"],
];
const WEAK = new Set(["TLS1.1", "TLS1.0", "none"]);
const POLL_MS = 1000 * (Number(new URLSearchParams(location.search).get("poll")) || 30);
const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === "class" ? (node.className = v) : node.setAttribute(k, v);
  node.append(...children);
  return node;
};
const fmt = (n) => Number(n).toLocaleString("en-US");
const pct = (n) => `${Number(n).toFixed(1)}%`;

// --- the API key: from the link the demo prints (#key=…), then sessionStorage --------------------------
const fromLink = new URLSearchParams(location.hash.slice(1)).get("key");
if (fromLink) {
  sessionStorage.setItem("mailflow-key", fromLink);
  history.replaceState(null, "", location.pathname);
}

async function gql(query, variables = {}) {
  const headers = { "content-type": "application/json" };
  const key = sessionStorage.getItem("mailflow-key");
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (response.status === 401) {
    $("#key-form").hidden = false;
    throw new Error(body.errors?.[0]?.message || "an API key is required");
  }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

const VERSIONS = "versions { tlsVersion messages share }";
const DASHBOARD = `query ($timeZone: String) {
  viewer { role }
  mailFlowSummary { from to inbound { total ${VERSIONS} } outbound { total ${VERSIONS} } }
  inbound: tlsBreakdown(direction: INBOUND, timeZone: $timeZone) { timeZone daily { day total ${VERSIONS} } }
  outbound: tlsBreakdown(direction: OUTBOUND, timeZone: $timeZone) { daily { day total ${VERSIONS} } }
}`;
// days are the browser's days unless the time zone field says otherwise
const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const REPORT = `query ($direction: Direction!, $connectorType: ConnectorType, $connectorName: String,
                    $from: DateTime, $to: DateTime, $timeZone: String) {
  connectorReport(direction: $direction, connectorType: $connectorType, connectorName: $connectorName,
                  from: $from, to: $to, timeZone: $timeZone) {
    from to timeZone
    rows { day connector { id name direction type forcedTls } volume noTls tls10 tls11 tls12 tls13 unknown }
    totals { connector { id name direction type } volume noTls tls10 tls11 tls12 tls13 unknown }
  }
}`;
const INSIGHTS = `query ($status: InsightStatus!) { insights(status: $status) {
  id rule title description recommendedAction status share messages windowFrom windowTo lastDetectedAt
  subject connector { name direction type } } }`;

// --- the widget ------------------------------------------------------------------------------------------
function drawCard(card, traffic) {
  $("[data-total]", card).textContent = fmt(traffic.total);
  const bar = $("[data-bar]", card);
  const legend = $("[data-legend]", card);
  bar.replaceChildren();
  legend.querySelectorAll("tr").forEach((tr) => tr.remove());
  const byVersion = Object.fromEntries(traffic.versions.map((v) => [v.tlsVersion, v]));
  for (const [key, label, cls] of BUCKETS) {
    const v = byVersion[key];
    if (v.share > 0) bar.append(el("span", { class: `b-${cls}`, style: `width:${v.share}%`, title: `${label} ${pct(v.share)}` }));
    const name = el("th", { scope: "row" }, el("span", { class: `swatch b-${cls}` }), label);
    if (WEAK.has(key) && v.messages > 0) name.classList.add("weak");
    legend.append(el("tr", { "data-version": key }, name, el("td", {}, fmt(v.messages)), el("td", {}, pct(v.share))));
  }
}

function drawDaily(inbound, outbound) {
  const box = $("#daily");
  box.replaceChildren();
  for (const [title, series] of [["Inbound", inbound], ["Outbound", outbound]]) {
    const head = el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col" }, "Total"),
      ...BUCKETS.map(([, label]) => el("th", { scope: "col" }, label)));
    const rows = series.daily.map((d) => {
      const byVersion = Object.fromEntries(d.versions.map((v) => [v.tlsVersion, v]));
      return el("tr", {}, el("th", { scope: "row" }, d.day), el("td", {}, fmt(d.total)),
        ...BUCKETS.map(([key]) => el("td", {}, `${fmt(byVersion[key].messages)} (${pct(byVersion[key].share)})`)));
    });
    box.append(el("h3", {}, title), el("table", {}, el("caption", { class: "sr" }, `${title} messages per day`),
      el("thead", {}, head), el("tbody", {}, ...rows)));
  }
}

// --- the connector report ------------------------------------------------------------------------------
let lastReport = null;

function zone() { return new FormData($("#filters")).get("timeZone") || "UTC"; }

function reportVariables() {
  const form = new FormData($("#filters"));
  const vars = { direction: form.get("direction") };
  if (form.get("connectorType")) vars.connectorType = form.get("connectorType");
  if (form.get("connectorName")) vars.connectorName = form.get("connectorName");
  vars.timeZone = zone();
  if (form.get("from")) vars.from = `${form.get("from")}T00:00:00`;
  if (form.get("to")) vars.to = `${form.get("to")}T00:00:00`;
  return vars;
}

function hbar(label, parts, right) {
  const track = el("div", { class: "track" });
  for (const [cls, width, title] of parts) if (width > 0) track.append(el("span", { class: cls, style: `width:${width}%`, title }));
  return el("div", { class: "hbar" }, el("span", {}, label), track, el("span", {}, right));
}

function drawReport(report) {
  lastReport = report;
  const body = $("#report tbody");
  body.replaceChildren(...report.rows.map((r) => el("tr", {},
    el("td", {}, r.day), el("td", {}, r.connector.direction.toLowerCase()), el("td", {}, r.connector.name),
    el("td", {}, r.connector.type.toLowerCase().replace("_", "-")), el("td", {}, r.connector.forcedTls ? "yes" : "no"),
    el("td", {}, pct(r.noTls)), el("td", {}, pct(r.tls10)), el("td", {}, pct(r.tls11)),
    el("td", {}, pct(r.tls12)), el("td", {}, pct(r.tls13)), el("td", {}, fmt(r.volume)))));
  const max = Math.max(1, ...report.rows.map((r) => r.volume));
  $("#volume-chart").replaceChildren(...report.rows.map((r) =>
    hbar(`${r.day} ${r.connector.name}`, [["b-TLS12", (100 * r.volume) / max, fmt(r.volume)]], fmt(r.volume))));
  $("#share-chart").replaceChildren(...report.totals.filter((t) => t.volume > 0).map((t) =>
    hbar(t.connector.name, [["b-TLS13", t.tls13], ["b-TLS12", t.tls12], ["b-TLS11", t.tls11], ["b-TLS10", t.tls10],
      ["b-none", t.noTls], ["b-unknown", t.unknown]].map(([c, w]) => [c, w, pct(w)]),
    `${pct(t.tls12 + t.tls13)} ≥1.2`)));
}

function exportCsv() {
  if (!lastReport) return;
  const cells = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [["day", "direction", "connector", "type", "forced_tls", "no_tls_percent", "tls10_percent",
    "tls11_percent", "tls12_percent", "tls13_percent", "volume"].join(",")];
  for (const r of lastReport.rows) {
    lines.push([r.day, r.connector.direction.toLowerCase(), r.connector.name, r.connector.type.toLowerCase(),
      r.connector.forcedTls, r.noTls, r.tls10, r.tls11, r.tls12, r.tls13, r.volume].map(cells).join(","));
  }
  const link = el("a", { href: URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" })),
    download: `connector-report-${lastReport.from.slice(0, 10)}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
}

// --- insights --------------------------------------------------------------------------------------------
function drawInsights(insights) {
  const list = $("#insight-list");
  if (!insights.length) {
    list.replaceChildren(el("li", { class: "resolved" }, "No insights: every connector is within its thresholds."));
    return;
  }
  list.replaceChildren(...insights.map((i) => {
    const item = el("li", { class: i.status.toLowerCase(), "data-insight": i.id },
      el("strong", {}, i.title), ` — ${i.connector.name} (${i.connector.direction.toLowerCase()})`,
      el("p", {}, i.description), el("p", {}, el("em", {}, "Recommended: "), i.recommendedAction),
      el("p", {}, `${pct(i.share)} of the window's volume, ${fmt(i.messages)} messages; status ${i.status.toLowerCase()}`));
    if (i.status === "ACTIVE" && canDismiss) {
      const reason = el("input", { type: "text", "aria-label": `Reason to dismiss insight ${i.id}`, placeholder: "reason", required: "" });
      const form = el("form", { class: "dismiss" }, reason, el("button", { type: "submit" }, "Dismiss"));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await gql("mutation ($id: ID!, $reason: String!) { dismissInsight(id: $id, reason: $reason) { id } }",
            { id: i.id, reason: reason.value });
          await refresh();
        } catch (error) { setStatus(error.message); }
      });
      item.append(form);
    }
    return item;
  }));
}

// --- putting it together ---------------------------------------------------------------------------------
let canDismiss = false;
function setStatus(text) { $("#status").textContent = text; }

async function refresh() {
  try {
    const [data, report, insights] = await Promise.all([
      gql(DASHBOARD, { timeZone: zone() }).then((d) => { canDismiss = d.viewer.role === "admin"; return d; }),
      gql(REPORT, reportVariables()).catch((error) => { $("#filter-error").textContent = error.message; return null; }),
      gql(INSIGHTS, { status: $("#show-resolved").checked ? "ALL" : "ACTIVE" }),
    ]);
    const summary = data.mailFlowSummary;
    const empty = summary.inbound.total + summary.outbound.total === 0;
    $("#empty").hidden = !empty;
    for (const id of ["#widget", "#connectors", "#insights"]) $(id).hidden = empty;
    drawCard($("#card-inbound"), summary.inbound);
    drawCard($("#card-outbound"), summary.outbound);
    drawDaily(data.inbound, data.outbound);
    $("#daily-zone").textContent = data.inbound.timeZone;
    if (report) { $("#filter-error").textContent = ""; drawReport(report.connectorReport); }
    drawInsights(insights.insights);
    setStatus(`Updated ${new Date().toLocaleTimeString()} · ${summary.from.slice(0, 16)} to ${summary.to.slice(0, 16)} UTC`);
  } catch (error) {
    setStatus(error.message);
  }
}

$("#empty-curl").textContent =
  `curl -H "Authorization: Bearer $KEY" -H 'content-type: application/x-ndjson' ${location.origin}/api/v1/messages --data-binary @messages.ndjson`;
$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("mailflow-key", $("#key").value.trim());
  $("#key-form").hidden = true;
  refresh();
});
$("#filters [name=timeZone]").value ||= LOCAL_ZONE;
$("#filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
$("#export").addEventListener("click", exportCsv);
$("#show-resolved").addEventListener("change", refresh);
refresh();
setInterval(refresh, POLL_MS);
