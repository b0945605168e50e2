// The mailflow dashboard: a reference client of the public API (GraphQL, and the REST connector report for
// its CSV), no build step, nothing from elsewhere. The key comes from session.js (#key=… or sessionStorage).
"use strict";

const BUCKETS = [
  // GraphQL name, label, CSS class, field of connector report counts
  ["TLS1.3", "TLS 1.3", "TLS13", "tls13"], ["TLS1.2", "TLS 1.2", "TLS12", "tls12"],
  ["TLS1.1", "TLS 1.1", "TLS11", "tls11"], ["TLS1.0", "TLS 1.0", "TLS10", "tls10"],
  ["none", "No TLS", "none", "none"], ["unknown", "TLS, version unknown", "unknown", "unknown"],
];
const WEAK = new Set(["TLS1.1", "TLS1.0", "none"]);
const DIRECTIONS = [["inbound", "Inbound"], ["outbound", "Outbound"], ["submission", "Client submissions"]];
const TYPE_LABEL = { PARTNER: "Partner", ON_PREMISES: "On-premises", INTERNET: "Internet" };
// RFC 8460 result types, as an admin would say them
const RESULT_LABEL = {
  "starttls-not-supported": "STARTTLS not offered", "certificate-host-mismatch": "certificate name mismatch",
  "certificate-expired": "certificate expired", "certificate-not-trusted": "certificate not trusted",
  "validation-failure": "validation failed", "tlsa-invalid": "TLSA record invalid", "dnssec-invalid": "DNSSEC invalid",
  "dane-required": "DANE required but missing", "sts-policy-fetch-error": "MTA-STS policy not fetched",
  "sts-policy-invalid": "MTA-STS policy invalid", "sts-webpki-invalid": "MTA-STS certificate invalid",
};
const POLL_MS = 1000 * (Number(new URLSearchParams(location.search).get("poll")) || 30);
const SVG = (() => { const box = document.createElement("div"); box.innerHTML = "<svg></svg>"; return box.firstChild.namespaceURI; })();
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === "class" ? (node.className = v) : node.setAttribute(k, v);
  node.append(...children);
  return node;
};
const svg = (tag, attrs = {}, ...children) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
};
const fmt = (n) => Number(n).toLocaleString("en-US");
const pct = (n) => `${Number(n).toFixed(1)}%`;
const compact = (n) => (n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : String(n));
const share = (part, whole) => (whole ? (100 * part) / whole : 0);
const dayLabel = (iso) => new Date(`${iso}T12:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

// --- the API ---------------------------------------------------------------------------------------------
class KeyRefused extends Error {}
class Busy extends Error {}

async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST", headers: { "content-type": "application/json", ...session.headers() },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new Busy("The server cannot be reached; the dashboard tries again by itself.");
  }
  if (response.status === 401) throw new KeyRefused();
  if (response.status === 429 || response.status >= 500) {
    throw new Busy("The server is busy or its database is unavailable; the dashboard tries again by itself.");
  }
  const body = await response.json();
  if (body.errors?.length) {
    const error = new Error(body.errors.map((e) => e.message).join("; "));
    error.codes = body.errors.map((e) => e.extensions?.code);
    throw error;
  }
  return body.data;
}

const VERSIONS = "versions { tlsVersion messages share }";
const SERIES = `from to timeZone total ${VERSIONS} daily { day total ${VERSIONS} } warnings`;
const DASHBOARD = `query ($from: DateTime, $timeZone: String) {
  viewer { organizationName role }
  inbound: tlsBreakdown(direction: INBOUND, from: $from, timeZone: $timeZone) { ${SERIES} }
  outbound: tlsBreakdown(direction: OUTBOUND, from: $from, timeZone: $timeZone) { ${SERIES} }
  submission: clientSubmissions(from: $from, timeZone: $timeZone) { ${SERIES} }
  tlsReports(from: $from) { day policyDomain successful failed reports failures { resultType sessions } }
}`;
const COUNTS = "counts { none tls10 tls11 tls12 tls13 unknown }";
const REPORT = `query ($direction: Direction!, $connectorType: ConnectorType, $connectorName: String,
                    $from: DateTime, $timeZone: String) {
  connectorReport(direction: $direction, connectorType: $connectorType, connectorName: $connectorName,
                  from: $from, timeZone: $timeZone) {
    from to timeZone
    rows { day connector { id direction } volume ${COUNTS} }
    totals { connector { id name direction type forcedTls } volume ${COUNTS} }
  }
}`;
const INSIGHTS = `query ($status: InsightStatus!) { insights(status: $status) {
  id title description recommendedAction status share messages lastDetectedAt subject dismissReason
  connector { name direction type } } }`;

// --- the range and the filters -----------------------------------------------------------------------------
// days are the browser's days unless the time zone field says otherwise
const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
let days = 7;

function zone() { return new FormData($("#filters")).get("timeZone").trim() || "UTC"; }

function rangeFrom() {
  // 7 days: the server's default window (the last 7 days through the end of the current hour); else as many
  // days before the end of the current hour
  if (days === 7) return undefined;
  const end = new Date();
  end.setUTCMinutes(0, 0, 0);
  end.setUTCHours(end.getUTCHours() + 1);
  return new Date(end.getTime() - days * 86400e3).toISOString();
}

function rangeWords() { return days === 1 ? "the last 24 hours" : `the last ${days} days`; }

function reportVariables() {
  const form = new FormData($("#filters"));
  const vars = { direction: form.get("direction"), timeZone: zone() };
  if (form.get("connectorType")) vars.connectorType = form.get("connectorType");
  if (form.get("connectorName")) vars.connectorName = form.get("connectorName");
  const from = rangeFrom();
  if (from) vars.from = from;
  return vars;
}

// --- the cards -------------------------------------------------------------------------------------------
function drawCard(card, traffic) {
  const byVersion = Object.fromEntries(traffic.versions.map((v) => [v.tlsVersion, v]));
  const strong = byVersion["TLS1.3"].messages + byVersion["TLS1.2"].messages;
  const weak = ["TLS1.1", "TLS1.0", "none"].reduce((sum, key) => sum + byVersion[key].messages, 0);
  $("[data-total]", card).textContent = fmt(traffic.total);
  $("[data-strong]", card).textContent = traffic.total ? pct(share(strong, traffic.total)) : "–";
  $("[data-strong-label]", card).textContent = traffic.total ? "over TLS 1.2 or newer" : "no messages";
  const weakLine = $("[data-weak]", card);
  weakLine.className = weak ? "weak-line weak" : "weak-line";
  weakLine.textContent = weak
    ? `${fmt(weak)} ${weak === 1 ? "message" : "messages"} over TLS 1.0, 1.1 or without TLS`
    : traffic.total ? "Nothing over TLS 1.0, 1.1 or without TLS" : "";
  const bar = $("[data-bar]", card);
  const legend = $("[data-legend]", card);
  bar.replaceChildren();
  legend.querySelectorAll("tr").forEach((tr) => tr.remove());
  for (const [key, label, cls] of BUCKETS) {
    const v = byVersion[key];
    if (v.share > 0) bar.append(el("span", { class: `b-${cls}`, style: `width:${v.share}%`, title: `${label} ${pct(v.share)}` }));
    const name = el("th", { scope: "row" }, el("span", { class: `swatch b-${cls}` }), label);
    if (WEAK.has(key) && v.messages > 0) name.classList.add("weak");
    legend.append(el("tr", { "data-version": key }, name, el("td", {}, fmt(v.messages)), el("td", {}, pct(v.share))));
  }
}

// --- the charts ------------------------------------------------------------------------------------------
function niceMax(value) {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * step).find((n) => n >= value);
}

function drawChart(figure, series) {
  const box = $(".chart", figure);
  const width = Math.max(280, box.clientWidth || 600);
  const height = 190;
  const left = 44, right = 8, top = 8, bottom = 24;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...series.daily.map((d) => d.total)));
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `${$("figcaption", figure).textContent} messages per day by TLS version` });
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    chart.append(svg("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }),
      svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, compact((max * i) / 4)));
  }
  const n = Math.max(1, series.daily.length);
  const slot = plotW / n;
  const barW = Math.max(1, Math.min(36, slot * 0.72));
  const every = Math.ceil(n / Math.max(1, Math.floor(plotW / 64)));
  series.daily.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const byVersion = Object.fromEntries(d.versions.map((v) => [v.tlsVersion, v]));
    const lines = [`${dayLabel(d.day)}: ${fmt(d.total)} messages`];
    const column = svg("g", { class: "day", "data-day": d.day });
    let y = top + plotH;
    for (const [key, label, cls] of BUCKETS) {
      const v = byVersion[key];
      if (!v.messages) continue;
      const h = (plotH * v.messages) / max;
      y -= h;
      column.append(svg("rect", { x, y, width: barW, height: Math.max(h, 0.5), class: `f-${cls}` }));
      lines.push(`${label}: ${fmt(v.messages)} (${pct(v.share)})`);
    }
    column.append(svg("rect", { x: left + i * slot, y: top, width: slot, height: plotH, class: "hit" }),
      svg("title", {}, lines.join("\n")));
    chart.append(column);
    if (i % every === 0) {
      chart.append(svg("text", { x: x + barW / 2, y: height - 6, class: "axis", "text-anchor": "middle" }, dayLabel(d.day)));
    }
  });
  box.replaceChildren(chart);
}

function drawDaily(all) {
  const box = $("#daily");
  box.replaceChildren();
  for (const [key, title] of DIRECTIONS) {
    const series = all[key];
    if (key === "submission" && !series.total) continue;
    const head = el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col" }, "Total"),
      ...BUCKETS.map(([, label]) => el("th", { scope: "col" }, label)));
    const rows = series.daily.map((d) => {
      const byVersion = Object.fromEntries(d.versions.map((v) => [v.tlsVersion, v]));
      return el("tr", {}, el("th", { scope: "row" }, d.day), el("td", {}, fmt(d.total)),
        ...BUCKETS.map(([key2]) => el("td", {}, `${fmt(byVersion[key2].messages)} (${pct(byVersion[key2].share)})`)));
    });
    box.append(el("h3", {}, title), el("div", { class: "scroll" }, el("table", {},
      el("caption", { class: "sr" }, `${title} messages per day`), el("thead", {}, head), el("tbody", {}, ...rows))));
  }
}

// --- small per-day bars (connectors, TLS reports) ----------------------------------------------------------
function sparkline(values, label) {
  // values: per day, a list of [css class, amount] stacked bottom-up
  const width = 120, height = 28;
  const max = Math.max(1, ...values.map((parts) => parts.reduce((sum, [, v]) => sum + v, 0)));
  const slot = width / Math.max(1, values.length);
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "spark", role: "img", "aria-label": label });
  values.forEach((parts, i) => {
    let y = height;
    for (const [cls, v] of parts) {
      if (!v) continue;
      const h = Math.max(1, (height * v) / max);
      y -= h;
      chart.append(svg("rect", { x: i * slot + slot * 0.1, y, width: Math.max(0.8, slot * 0.8), height: h, class: cls }));
    }
  });
  chart.append(svg("title", {}, label));
  return chart;
}

// --- the connector report ----------------------------------------------------------------------------------
const openConnectors = new Set();
let lastReport = null;

function mixBar(counts, total) {
  const bar = el("div", { class: "mix", "aria-hidden": "true" });
  for (const [, label, cls, field] of BUCKETS) {
    const part = share(counts[field], total);
    if (part > 0) bar.append(el("span", { class: `b-${cls}`, style: `width:${part}%`, title: `${label} ${pct(part)}` }));
  }
  return bar;
}

function weakOf(counts) { return counts.tls10 + counts.tls11 + counts.none; }

function weakWords(counts) {
  const parts = [["TLS 1.0", counts.tls10], ["TLS 1.1", counts.tls11], ["no TLS", counts.none]].filter(([, n]) => n);
  return parts.map(([label, n]) => `${label}: ${fmt(n)}`).join(" · ");
}

function connectorDetails(total, rows) {
  const head = el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col" }, "Messages"),
    ...BUCKETS.map(([, label]) => el("th", { scope: "col" }, label)));
  const body = rows.map((r) => el("tr", {}, el("th", { scope: "row" }, r.day), el("td", {}, fmt(r.volume)),
    ...BUCKETS.map(([, , , field]) => el("td", {}, r.counts[field] ? `${fmt(r.counts[field])} (${pct(share(r.counts[field], r.volume))})` : "–"))));
  const facts = [
    `${total.connector.direction === "INBOUND" ? "Inbound" : "Outbound"} · ${TYPE_LABEL[total.connector.type]}`,
    total.connector.forcedTls ? "forced TLS: mail without TLS is refused" : "TLS not forced",
  ];
  return el("div", { class: "detail" }, el("p", {}, facts.join(" · ")), el("div", { class: "scroll" },
    el("table", { class: "numbers" }, el("thead", {}, head), el("tbody", {}, ...body))));
}

function connectorRow(total, rows) {
  const c = total.connector;
  const id = `${c.direction}:${c.id}`;
  const weak = weakOf(total.counts);
  const strong = total.counts.tls12 + total.counts.tls13;
  const name = el("td", { class: "name" }, el("span", { class: "cname" }, c.name),
    el("span", { class: "tags" }, el("span", { class: "tag" }, c.direction === "INBOUND" ? "inbound" : "outbound"),
      el("span", { class: "tag" }, TYPE_LABEL[c.type].toLowerCase()), ...(c.forcedTls ? [el("span", { class: "tag forced" }, "forced TLS")] : [])));
  const spark = sparkline(rows.map((r) => [["f-strong", r.counts.tls12 + r.counts.tls13], ["f-unknown", r.counts.unknown], ["f-weak", weakOf(r.counts)]]),
    `${c.name}: messages per day, ${rows.map((r) => `${r.day} ${fmt(r.volume)}`).join(", ")}`);
  const toggle = el("button", { type: "button", class: "more", "aria-expanded": String(openConnectors.has(id)) }, "Details");
  const row = el("tr", { class: weak ? "connector has-weak" : "connector", "data-connector": id },
    name, el("td", { class: "num", "data-label": "Messages", "data-volume": "" }, fmt(total.volume)),
    el("td", { class: "mix-col" }, mixBar(total.counts, total.volume)),
    el("td", { class: "num", "data-label": "TLS 1.2 or newer" }, total.volume ? pct(share(strong, total.volume)) : "–"),
    el("td", { class: weak ? "num weak" : "num", "data-label": "Weak or none", title: weakWords(total.counts) },
      weak ? `${fmt(weak)} (${pct(share(weak, total.volume))})` : "none"),
    el("td", { class: "spark-col" }, spark), el("td", { class: "toggle" }, toggle));
  const detail = el("tr", { class: "detail-row", hidden: "" }, el("td", { colspan: "7" }, connectorDetails(total, rows)));
  detail.hidden = !openConnectors.has(id);
  toggle.addEventListener("click", () => {
    detail.hidden = !detail.hidden;
    toggle.setAttribute("aria-expanded", String(!detail.hidden));
    detail.hidden ? openConnectors.delete(id) : openConnectors.add(id);
  });
  return [row, detail];
}

function drawReport(report) {
  lastReport = report;
  const byConnector = new Map();
  for (const r of report.rows) {
    const id = `${r.connector.direction}:${r.connector.id}`;
    if (!byConnector.has(id)) byConnector.set(id, new Map());
    byConnector.get(id).set(r.day, r);
  }
  const allDays = [...new Set(report.rows.map((r) => r.day))].sort();
  const zero = { none: 0, tls10: 0, tls11: 0, tls12: 0, tls13: 0, unknown: 0 };
  const active = report.totals.filter((t) => t.volume > 0)
    .sort((a, b) => b.volume - a.volume || a.connector.name.localeCompare(b.connector.name));
  const idle = report.totals.filter((t) => t.volume === 0);
  $("#report tbody").replaceChildren(...active.flatMap((t) => {
    const days = byConnector.get(`${t.connector.direction}:${t.connector.id}`) || new Map();
    return connectorRow(t, allDays.map((day) => days.get(day) || { day, volume: 0, counts: zero }));
  }));
  if (!active.length) {
    $("#report tbody").append(el("tr", {}, el("td", { colspan: "7", class: "note" }, "No mail over the connectors these filters select.")));
  }
  $("#idle-note").textContent = idle.length
    ? `No mail in ${rangeWords()}: ${idle.map((t) => t.connector.name).join(", ")}.` : "";
}

async function exportCsv() {
  const vars = reportVariables();
  const params = { format: "csv", direction: vars.direction.toLowerCase(), time_zone: vars.timeZone };
  if (vars.connectorType) params.connector_type = vars.connectorType.toLowerCase();
  if (vars.connectorName) params.connector_name = vars.connectorName;
  if (vars.from) params.from = vars.from;
  await download("/api/v1/connector-report", params, "connector-report.csv");
}

// a CSV of the server's, fetched with the key (a plain link could not send it), saved under the server's name
async function download(path, params, fallback, errorBox = $("#filter-error")) {
  const response = await fetch(`${path}?${new URLSearchParams(params)}`, { headers: session.headers() });
  errorBox.textContent = "";
  if (!response.ok) {
    errorBox.textContent = response.status === 401 ? "The key was refused." : "The CSV could not be made; try again.";
    return;
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "")?.[1] || fallback;
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

// --- TLS reports -------------------------------------------------------------------------------------------
const openDomains = new Set();

function drawTlsReports(days) {
  const byDomain = new Map();
  for (const d of days) {
    const domain = d.policyDomain || "(no policy domain)";
    if (!byDomain.has(domain)) byDomain.set(domain, []);
    byDomain.get(domain).push(d);
  }
  const allDays = [...new Set(days.map((d) => d.day))].sort();
  const rows = [...byDomain.entries()].map(([domain, list]) => {
    const ok = list.reduce((s, d) => s + d.successful, 0);
    const failed = list.reduce((s, d) => s + d.failed, 0);
    const failures = new Map();
    for (const d of list) for (const f of d.failures) failures.set(f.resultType, (failures.get(f.resultType) || 0) + f.sessions);
    return { domain, list, ok, failed, failures: [...failures.entries()].sort((a, b) => b[1] - a[1]) };
  }).sort((a, b) => b.failed - a.failed || a.domain.localeCompare(b.domain));
  $("#tlsrpt").hidden = !rows.length;
  $("#tlsrpt-empty").hidden = rows.length > 0;
  $("#tlsrpt-empty").replaceChildren(el("p", {}, `No TLS reports for ${rangeWords()}. Providers that support TLS-RPT mail them daily to the address in your domain's `,
    el("code", {}, "_smtp._tls"), " TXT record; feed them with ", el("code", {}, "mailflow ingest --format tlsrpt FILE"),
    " or POST them to ", el("code", {}, "/api/v1/tls-reports"), "."));
  $("#tlsrpt tbody").replaceChildren(...rows.flatMap((r) => {
    const sessions = r.ok + r.failed;
    const byDay = new Map(r.list.map((d) => [d.day, d]));
    const toggle = el("button", { type: "button", class: "more", "aria-expanded": String(openDomains.has(r.domain)) }, "Details");
    const row = el("tr", { class: r.failed ? "domain has-weak" : "domain", "data-domain": r.domain },
      el("td", { class: "name" }, el("span", { class: "cname" }, r.domain)),
      el("td", { class: "num", "data-label": "Sessions" }, fmt(sessions)),
      el("td", { class: "num", "data-label": "Succeeded" }, sessions ? pct(share(r.ok, sessions)) : "–"),
      el("td", { class: r.failed ? "num weak" : "num", "data-label": "Failed" }, r.failed ? `${fmt(r.failed)} (${pct(share(r.failed, sessions))})` : "none"),
      el("td", { class: "failures" }, r.failures.length
        ? r.failures.map(([type, n]) => `${RESULT_LABEL[type] || type}: ${fmt(n)}`).join(" · ") : "–"),
      el("td", { class: "spark-col" }, sparkline(allDays.map((day) => [["f-weak", byDay.get(day)?.failed || 0]]),
        `${r.domain}: failed sessions per day`)),
      el("td", { class: "toggle" }, toggle));
    const head = el("tr", {}, ...["Day", "Reports", "Succeeded", "Failed", "Failures"].map((h) => el("th", { scope: "col" }, h)));
    const body = r.list.slice().sort((a, b) => a.day.localeCompare(b.day)).map((d) => el("tr", {},
      el("th", { scope: "row" }, d.day), el("td", {}, fmt(d.reports)), el("td", {}, fmt(d.successful)), el("td", {}, fmt(d.failed)),
      el("td", {}, d.failures.map((f) => `${RESULT_LABEL[f.resultType] || f.resultType} (${f.resultType}): ${fmt(f.sessions)}`).join("; ") || "–")));
    const detail = el("tr", { class: "detail-row" }, el("td", { colspan: "7" }, el("div", { class: "detail scroll" },
      el("table", { class: "numbers" }, el("thead", {}, head), el("tbody", {}, ...body)))));
    detail.hidden = !openDomains.has(r.domain);
    toggle.addEventListener("click", () => {
      detail.hidden = !detail.hidden;
      toggle.setAttribute("aria-expanded", String(!detail.hidden));
      detail.hidden ? openDomains.delete(r.domain) : openDomains.add(r.domain);
    });
    return [row, detail];
  }));
}

// --- insights --------------------------------------------------------------------------------------------
let canDismiss = false;

function drawInsights(insights) {
  const list = $("#insight-list");
  const typing = $$("input", list).some((input) => input.value || input === document.activeElement)
    || $$("details[open]", list).length > 0;
  const active = insights.filter((i) => i.status === "ACTIVE").length;
  $("#insight-count").textContent = active ? String(active) : "";
  if (typing) return; // a reason being written survives the refresh
  if (!insights.length) {
    list.replaceChildren(el("li", { class: "resolved" }, "Nothing: every connector is within its thresholds."));
    return;
  }
  list.replaceChildren(...insights.map((i) => {
    const where = i.subject || `${i.connector.name} (${i.connector.direction.toLowerCase()})`;
    const item = el("li", { class: i.status.toLowerCase(), "data-insight": i.id },
      el("div", { class: "insight-head" }, el("strong", {}, i.title), el("span", { class: "where" }, where)),
      el("p", {}, i.description), el("p", {}, el("em", {}, "What to do: "), i.recommendedAction),
      el("p", { class: "facts" }, `${pct(i.share)} of the window's volume, ${fmt(i.messages)} messages; ${i.status.toLowerCase()}`
        + (i.dismissReason ? ` (${i.dismissReason})` : "")));
    if (i.status === "ACTIVE" && canDismiss) {
      const reason = el("input", { type: "text", "aria-label": `Reason to dismiss insight ${i.id}`, placeholder: "why it can wait (kept with the insight)", required: "" });
      const form = el("form", { class: "dismiss" }, reason, el("button", { type: "submit" }, "Dismiss"));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await gql("mutation ($id: ID!, $reason: String!) { dismissInsight(id: $id, reason: $reason) { id } }",
            { id: i.id, reason: reason.value });
          reason.value = "";
          form.closest("details").open = false; // so that the refresh redraws the list
          await refresh();
        } catch (error) { setStatus(error instanceof KeyRefused ? "The key was refused." : error.message); }
      });
      item.append(el("details", { class: "dismiss-box" }, el("summary", {}, "Dismiss…"), form));
    }
    return item;
  }));
}

// --- the empty state -------------------------------------------------------------------------------------
function drawEmpty(org) {
  const quoted = /^[\w.-]+$/.test(org) ? org : `'${org.replace(/'/g, "'\\''")}'`;
  $("#empty-title").textContent = `No mail flow yet for ${org}`;
  $("#empty-lead").textContent = `${org} has no messages in ${rangeWords()}. Feed it, and this page fills in:`;
  $("#empty-logs").textContent = [
    `mailflow ingest --org ${quoted} --format postfix /var/log/mail.log`,
    `mailflow ingest --org ${quoted} --format exim /var/log/exim4/mainlog`,
    `mailflow ingest --org ${quoted} --format postfix --follow /var/log/mail.log   # and keep following it`,
  ].join("\n");
  $("#empty-curl").textContent = [
    "# KEY: an ingest or admin key of this organization (mailflow keys create --org " + quoted + " --role ingest)",
    `curl -H "Authorization: Bearer $KEY" -H 'content-type: application/x-ndjson' \\`,
    `  ${location.origin}/api/v1/messages --data-binary @messages.ndjson`,
  ].join("\n");
}

// --- putting it together ---------------------------------------------------------------------------------
function setStatus(text) { $("#status").textContent = text; }

function askForKey(refused) {
  $("#main").hidden = true;
  $("#org").hidden = true;
  $("#switch-key").hidden = $("#forget-key").hidden = true;
  $("#key-title").textContent = refused ? "This key was not accepted" : "Open your organization's dashboard";
  $("#key-reason").textContent = refused
    ? "The server did not accept the API key this tab had: it may be mistyped, or revoked. Paste a valid key."
    : "mailflow shows the mail flow of the organization an API key belongs to. Paste one to open its dashboard.";
  $("#key-form").hidden = false;
  $("#key").focus();
}

let drawn = null; // the last answers, to draw the charts again at another width

async function refresh() {
  if (!session.key()) { askForKey(false); return; }
  const from = rangeFrom();
  const base = { timeZone: zone(), ...(from ? { from } : {}) };
  try {
    const [data, report, insights, who, sources] = await Promise.all([
      gql(DASHBOARD, base),
      gql(REPORT, reportVariables()).catch((error) => {
        if (error instanceof KeyRefused || error instanceof Busy) throw error;
        $("#filter-error").textContent = error.message;
        return null;
      }),
      gql(INSIGHTS, { status: $("#show-resolved").checked ? "ALL" : "ACTIVE" }),
      gql(WHO, whoVariables(base)),
      gql(SOURCES).catch((error) => { // an admin's only
        if (error instanceof KeyRefused || error instanceof Busy || !error.codes?.includes("FORBIDDEN")) throw error;
        return null;
      }),
    ]);
    $("#key-form").hidden = true;
    $("#main").hidden = false;
    $("#org").hidden = false;
    $("#switch-key").hidden = $("#forget-key").hidden = false;
    const org = data.viewer.organizationName;
    $("#org-name").textContent = org;
    $("#role").textContent = `${data.viewer.role} key`;
    document.title = `${org} · mailflow`;
    canDismiss = data.viewer.role === "admin";

    const empty = data.inbound.total + data.outbound.total + data.submission.total === 0;
    $("#empty").hidden = !empty;
    for (const id of ["#widget", "#trends", "#connectors", "#who", "#transit"]) $(id).hidden = empty;
    if (empty) drawEmpty(org);
    $("#card-submission").hidden = $("#chart-submission").hidden = data.submission.total === 0;
    for (const [key] of DIRECTIONS) drawCard($(`#card-${key}`), data[key]);
    drawn = data;
    if (!empty) for (const [key] of DIRECTIONS) if (key !== "submission" || data.submission.total) drawChart($(`#chart-${key}`), data[key]);
    drawDaily(data);
    $("#daily-zone").textContent = data.inbound.timeZone;
    if (report) { $("#filter-error").textContent = ""; drawReport(report.connectorReport); }
    drawTlsReports(data.tlsReports);
    drawSources(sources);
    if (!empty) drawWho(who, base);
    drawInsights(insights.insights);
    const warnings = [...new Set(data.inbound.warnings)];
    $("#range-note").textContent = [
      `${data.inbound.from.slice(0, 16).replace("T", " ")} to ${data.inbound.to.slice(0, 16).replace("T", " ")} UTC, days in ${data.inbound.timeZone}.`,
      days === 1 ? "The API counts by day, so 24 hours show the two days they touch." : "",
      ...warnings,
    ].filter(Boolean).join(" ");
    setStatus(`Updated ${new Date().toLocaleTimeString()} · ${liveNote()}`);
  } catch (error) {
    if (error instanceof KeyRefused) { askForKey(true); return; }
    if (error.codes?.includes("BAD_USER_INPUT")) { setStatus(error.message); return; }
    setStatus(error instanceof Busy ? error.message : "Something went wrong; the dashboard tries again by itself.");
  }
}

$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.use($("#key").value);
  $("#key").value = "";
  openConnectors.clear();
  openDomains.clear();
  refresh();
  connectLive();
});
$("#switch-key").addEventListener("click", () => askForKey(false));
$("#forget-key").addEventListener("click", () => { session.forget(); askForKey(false); connectLive(); });
$("[name=timeZone]").value ||= LOCAL_ZONE;
$("#chart-key").replaceChildren(...BUCKETS.map(([, label, cls]) => el("li", {}, el("span", { class: `swatch b-${cls}` }), label)));
$("#filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
$("#presets").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-days]");
  if (!button) return;
  days = Number(button.dataset.days);
  for (const b of $$("#presets button")) b.setAttribute("aria-pressed", String(b === button));
  refresh();
});
$("#export").addEventListener("click", exportCsv);
$("#show-resolved").addEventListener("change", refresh);
let resizing;
addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    if (drawn && !$("#trends").hidden) for (const [key] of DIRECTIONS) if (!$(`#chart-${key}`).hidden) drawChart($(`#chart-${key}`), drawn[key]);
  }, 150);
});
// --- live updates: GraphQL subscriptions over WebSocket (graphql-transport-ws); polling where they fail ---
// Any `next` of mailFlowSummary (the figures changed) or insightEvents (an insight changed) redraws the page.
// Without WebSockets (a proxy that refuses them, say) the page polls every POLL_MS and tries again later.
let socket = null; // the current WebSocket
let live = false; // the server acknowledged it: no polling
let polling = null;
let redraw = null;
const liveNote = () => (live ? "live" : `refreshes every ${Math.round(POLL_MS / 1000)} s`);
function startPolling() { polling ??= setInterval(refresh, POLL_MS); }
function stopPolling() { clearInterval(polling); polling = null; }
function soon() { clearTimeout(redraw); redraw = setTimeout(refresh, 200); }

function connectLive() {
  if (socket) { const old = socket; socket = null; live = false; old.close(); }
  if (!session.key() || new URLSearchParams(location.search).has("poll")) { startPolling(); return; }
  let ws;
  try {
    ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`, "graphql-transport-ws");
  } catch { startPolling(); return; }
  socket = ws;
  let shown = false; // the summary's first answer is what the page already shows
  const send = (message) => ws.send(JSON.stringify(message));
  ws.onopen = () => send({ type: "connection_init", payload: { authorization: `Bearer ${session.key()}` } });
  ws.onmessage = (event) => {
    if (ws !== socket) return;
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      live = true;
      stopPolling();
      send({ id: "s", type: "subscribe", payload: { query: "subscription { mailFlowSummary { inbound { total } outbound { total } submission { total } } }" } });
      send({ id: "e", type: "subscribe", payload: { query: "subscription { insightEvents { cursor } }" } });
      setStatus($("#status").textContent.replace(/refreshes every \d+ s/, "live"));
    } else if (message.type === "next") {
      if (message.id === "s" && !shown) shown = true;
      else soon();
    } else if (message.type === "ping") send({ type: "pong" });
  };
  ws.onclose = () => {
    if (ws !== socket) return; // replaced on purpose (another key)
    socket = null;
    live = false;
    startPolling();
    setTimeout(() => { if (!socket) connectLive(); }, POLL_MS); // the server back: live again
  };
}

refresh();
connectLive();
