// The dashboard's "Who to call" and "Outbound transit security" panels (issue 16): the remote domains behind
// weak TLS per direction, their servers on demand, and how outbound mail was protected. Loaded before app.js,
// whose helpers (el, gql, fmt, pct, share, sparkline, download) these functions use when called.
"use strict";

// the weak buckets an admin calls a partner about, as the API names them
const WHO_BUCKETS = [["TLS1.0", "TLS 1.0", "tls10"], ["TLS1.1", "TLS 1.1", "tls11"], ["none", "No TLS", "none"]];
const WHO_SIDES = [
  // direction, GraphQL direction, what the remote party is
  ["inbound", "INBOUND", "Sending domains"], ["outbound", "OUTBOUND", "Recipient domains"],
];
const SECURITY = [
  // field, label, CSS class
  ["dane", "DANE", "s-dane"], ["mtaSts", "MTA-STS", "s-mta-sts"], ["verified", "Verified certificate", "s-verified"],
  ["opportunistic", "TLS, not verified", "s-opportunistic"], ["none", "No TLS", "s-none"],
  ["unknown", "Not known", "s-unknown"], ["blocked", "Blocked (TLS required)", "s-blocked"],
];
const whoBucket = { inbound: "TLS1.0", outbound: "TLS1.0" };
const openHosts = new Set();

const WHO = `query ($from: DateTime, $timeZone: String, $inbound: String!, $outbound: String!) {
  inbound: remoteDomains(direction: INBOUND, tlsVersion: $inbound, from: $from, timeZone: $timeZone, limit: 10) {
    total rows { domain volume counts { none tls10 tls11 } } }
  outbound: remoteDomains(direction: OUTBOUND, tlsVersion: $outbound, from: $from, timeZone: $timeZone, limit: 10) {
    total rows { domain volume counts { none tls10 tls11 } } }
  transitSecurity(from: $from, timeZone: $timeZone) {
    days { day dane mtaSts verified opportunistic none unknown blocked }
    blocked { recipientDomain reason deliveries lastSeen }
    withoutTls { domain deliveries lastDay } }
}`;
const HOSTS = `query ($direction: Direction!, $domain: String!, $tls: String!, $from: DateTime, $timeZone: String) {
  remoteHosts(direction: $direction, domain: $domain, tlsVersion: $tls, from: $from, timeZone: $timeZone, limit: 10) {
    total rows { host ip volume counts { none tls10 tls11 } } } }`;

function whoVariables(base) { return { ...base, inbound: whoBucket.inbound, outbound: whoBucket.outbound }; }

function bucketWords(key) { return WHO_BUCKETS.find(([k]) => k === key)[1]; }

async function showHosts(cell, direction, domain, base) {
  cell.replaceChildren(el("p", { class: "note" }, "Loading its servers…"));
  try {
    const data = await gql(HOSTS, { ...base, direction: direction.toUpperCase(), domain, tls: whoBucket[direction] });
    const field = WHO_BUCKETS.find(([k]) => k === whoBucket[direction])[2];
    const list = data.remoteHosts;
    const rows = list.rows.map((h) => el("tr", {}, el("td", {}, h.host || "(name not logged)"), el("td", {}, h.ip || "not logged"),
      el("td", { class: "num" }, fmt(h.counts[field])), el("td", { class: "num" }, fmt(h.volume))));
    const head = el("tr", {}, ...["Server", "Address", bucketWords(whoBucket[direction]), "All its mail"].map((h) => el("th", { scope: "col" }, h)));
    cell.replaceChildren(el("table", { class: "numbers" }, el("caption", { class: "sr" }, `Servers of ${domain}`),
      el("thead", {}, head), el("tbody", {}, ...rows)),
    ...(list.total > rows.length ? [el("p", { class: "note" }, `${fmt(list.total)} servers in all; the 10 with the most are shown.`)] : []));
  } catch (error) {
    cell.replaceChildren(el("p", { role: "alert" }, error instanceof KeyRefused ? "The key was refused." : error.message));
  }
}

function drawWhoSide(direction, title, list, base) {
  const box = $(`#who-${direction}`);
  const [, label, field] = WHO_BUCKETS.find(([k]) => k === whoBucket[direction]);
  const tabs = el("div", { class: "presets who-tabs", role: "group", "aria-label": `${title}: which TLS` },
    ...WHO_BUCKETS.map(([key, words]) => {
      const tab = el("button", { type: "button", "data-bucket": key, "aria-pressed": String(key === whoBucket[direction]) }, words);
      tab.addEventListener("click", () => { whoBucket[direction] = key; refresh(); });
      return tab;
    }));
  const csv = el("button", { type: "button", class: "more" }, "Download CSV");
  csv.addEventListener("click", () => download("/api/v1/remote-domains", {
    format: "csv", direction, tls_version: whoBucket[direction], time_zone: base.timeZone, limit: "1000",
    ...(base.from ? { from: base.from } : {}) }, `remote-domains-${direction}.csv`, $("#who-error")));
  const rows = list.rows.flatMap((r) => {
    const name = r.domain ?? "(not known)";
    const id = `${direction}:${whoBucket[direction]}:${name}`;
    const count = r.counts[field];
    const cells = [el("td", { class: "name" }, el("span", { class: "cname" }, name)),
      el("td", { class: "num weak", "data-label": label }, fmt(count)),
      el("td", { class: "num", "data-label": "Of its mail" }, pct(share(count, r.volume))),
      el("td", { class: "num", "data-label": "All its mail" }, fmt(r.volume))];
    if (r.domain === null) return [el("tr", { class: "domain", "data-domain": name }, ...cells, el("td", {}))];
    const toggle = el("button", { type: "button", class: "more", "aria-expanded": String(openHosts.has(id)) }, "Servers");
    const hosts = el("td", { colspan: "5" });
    const detail = el("tr", { class: "detail-row" }, hosts);
    detail.hidden = !openHosts.has(id);
    if (!detail.hidden) showHosts(hosts, direction, r.domain, base);
    toggle.addEventListener("click", () => {
      detail.hidden = !detail.hidden;
      toggle.setAttribute("aria-expanded", String(!detail.hidden));
      if (detail.hidden) openHosts.delete(id);
      else { openHosts.add(id); showHosts(hosts, direction, r.domain, base); }
    });
    return [el("tr", { class: "domain has-weak", "data-domain": name }, ...cells, el("td", { class: "toggle" }, toggle)), detail];
  });
  const head = el("tr", {}, el("th", { scope: "col" }, "Domain"), el("th", { scope: "col", class: "num" }, label),
    el("th", { scope: "col", class: "num" }, "Of its mail"), el("th", { scope: "col", class: "num" }, "All its mail"),
    el("th", { scope: "col" }, el("span", { class: "sr" }, "Servers")));
  const table = el("table", { class: "who-table" }, el("caption", { class: "sr" }, `${title} with ${label}`),
    el("thead", {}, head), el("tbody", {}, ...rows));
  const summary = list.total
    ? `${fmt(list.total)} ${list.total === 1 ? "domain" : "domains"} with ${label} mail in ${rangeWords()}${list.total > list.rows.length ? "; the 10 with the most:" : ":"}`
    : `No ${title.toLowerCase()} with ${label} mail in ${rangeWords()}.`;
  box.replaceChildren(el("div", { class: "section-head" }, el("h3", {}, title), csv), tabs,
    el("p", { class: "note", "data-summary": "" }, summary), ...(list.rows.length ? [el("div", { class: "scroll" }, table)] : []));
}

function drawTransit(transit) {
  const totals = Object.fromEntries(SECURITY.map(([field]) => [field, transit.days.reduce((sum, d) => sum + d[field], 0)]));
  const all = SECURITY.reduce((sum, [field]) => sum + totals[field], 0);
  $("#transit-total").textContent = all ? `${fmt(all)} deliveries in ${rangeWords()}` : `No outbound deliveries in ${rangeWords()}.`;
  const bar = $("#transit-bar");
  bar.replaceChildren(...SECURITY.filter(([field]) => totals[field]).map(([field, label, cls]) =>
    el("span", { class: cls, style: `width:${share(totals[field], all)}%`, title: `${label} ${pct(share(totals[field], all))}` })));
  $("#transit-legend").replaceChildren(el("caption", { class: "sr" }, "Outbound deliveries by transit security"),
    ...SECURITY.map(([field, label, cls]) => el("tr", { "data-level": field },
      el("th", { scope: "row" }, el("span", { class: `swatch ${cls}` }), label),
      el("td", {}, fmt(totals[field])), el("td", {}, pct(share(totals[field], all))))));
  const perDay = sparkline(transit.days.map((d) => SECURITY.map(([field, , cls]) => [cls, d[field]])),
    `Deliveries per day by transit security: ${transit.days.map((d) => `${d.day} ${fmt(SECURITY.reduce((s, [f]) => s + d[f], 0))}`).join(", ")}`);
  perDay.setAttribute("preserveAspectRatio", "none"); // as wide as the card
  $("#transit-days").replaceChildren(perDay);
  const list = (id, rows, empty, cells) => $(id).replaceChildren(...(rows.length
    ? rows.slice(0, 10).map((r) => el("li", {}, ...cells(r))) : [el("li", { class: "note" }, empty)]));
  list("#transit-blocked", transit.blocked, "None: no delivery was refused for want of TLS.",
    (b) => [el("strong", {}, b.recipientDomain ?? "(not known)"), `: ${fmt(b.deliveries)} (${b.reason})`]);
  list("#transit-without", transit.withoutTls, "None: every recipient domain took TLS for some of its mail.",
    (d) => [el("strong", {}, d.domain), `: ${fmt(d.deliveries)} ${d.deliveries === 1 ? "delivery" : "deliveries"} without TLS`]);
}

function drawWho(data, base) {
  for (const [direction, , title] of WHO_SIDES) drawWhoSide(direction, title, data[direction], base);
  drawTransit(data.transitSecurity);
}
