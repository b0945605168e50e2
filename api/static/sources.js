// The dashboard's "Where TLS reports come from" panel (issue 21): each HTTPS reporting URL and mailbox with its
// last success, last error, reports today and in total, and what it skipped by reason, from the public GraphQL
// API (admin keys: other keys are told that only an admin sees it). Loaded before app.js, whose helpers (el,
// gql, fmt, $) these functions use when called.
"use strict";

const STATUS = "lastSuccessAt lastError lastErrorAt reportsToday reportsTotal skipped { reason count }";
const SOURCES = `{ tlsrptEndpoints { id description ${STATUS} } mailboxes { id host username folder ${STATUS} } }`;

const when = (iso) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never");

function sourceRow(kind, id, name, s) {
  const skipped = s.skipped.map((k) => `${k.reason}: ${fmt(k.count)}`).join(" · ") || "none";
  return el("tr", { class: "source", "data-source": `${kind}:${id}` },
    el("td", { class: "name", "data-label": "Source" }, el("span", { class: "kind" }, kind === "endpoint" ? "HTTPS URL " : "Mailbox "), name),
    el("td", { "data-label": "Last success", "data-field": "lastSuccessAt" }, when(s.lastSuccessAt)),
    el("td", { class: s.lastError ? "weak" : "", "data-label": "Last error", "data-field": "lastError" },
      s.lastError ? `${when(s.lastErrorAt)}: ${s.lastError}` : "none"),
    el("td", { class: "num", "data-label": "Reports today", "data-field": "reportsToday" }, fmt(s.reportsToday)),
    el("td", { class: "num", "data-label": "Reports in all", "data-field": "reportsTotal" }, fmt(s.reportsTotal)),
    el("td", { "data-label": "Skipped", "data-field": "skipped" }, skipped));
}

function drawSources(data) {
  const box = $("#sources-body");
  if (data === null) {
    box.replaceChildren(el("p", { class: "note" }, "An admin key shows where the TLS reports come from."));
    return;
  }
  const rows = [
    ...data.tlsrptEndpoints.map((e) => sourceRow("endpoint", e.id, e.description || `reporting URL ${e.id}`, e)),
    ...data.mailboxes.map((m) => sourceRow("mailbox", m.id, `${m.username} at ${m.host} (${m.folder})`, m)),
  ];
  if (!rows.length) {
    box.replaceChildren(el("p", { class: "note" }, "No reporting URL or mailbox yet: make one with ",
      el("code", {}, "mailflow tlsrpt-endpoints add"), " or ", el("code", {}, "mailflow mailboxes add"), "."));
    return;
  }
  const head = el("tr", {}, ...["Source", "Last success", "Last error", "Reports today", "Reports in all", "Skipped"]
    .map((h) => el("th", { scope: "col", class: h.startsWith("Reports") ? "num" : "" }, h)));
  box.replaceChildren(el("div", { class: "scroll" }, el("table", { id: "sources-table" },
    el("caption", { class: "sr" }, "Reporting URLs and mailboxes"), el("thead", {}, head), el("tbody", {}, ...rows))));
}
