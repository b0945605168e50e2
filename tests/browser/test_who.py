"""The dashboard's "Who to call" and "Outbound transit security" panels in headless Chromium: the domains, their
counts and shares exactly as the GraphQL API answers them, the bucket tabs, a domain's servers on demand, the
CSV the server makes, and the transit levels, blocked deliveries and domains without TLS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.browser.chromium import require_chromium
from tests.browser.test_dashboard import graphql, open_dashboard, shown, wait_for
from tests.cli.helpers import new_key

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402

WHEN = (datetime.now(UTC) - timedelta(hours=2)).isoformat()


def record(n: int, direction: str, tls: str, remote: str, **extra: Any) -> dict[str, Any]:
    """A message with the remote party `remote` (the sender's domain inbound, the recipient's outbound)."""
    sender, recipient = (f"a@{remote}", "b@contoso.com") if direction == "inbound" else ("b@contoso.com", f"a@{remote}")
    return {"message_id": f"<who{n}@x>", "received_at": WHEN, "direction": direction, "tls_version": tls,
            "sender": sender, "recipient": recipient, "remote_host": f"mx{n % 2}.{remote}", **extra}  # fmt: skip


def seed(base: str, token: str) -> None:
    records = [record(n, "inbound", "TLSv1", "fabrikam.com") for n in range(12)]
    records += [record(100 + n, "inbound", "TLSv1.2", "fabrikam.com") for n in range(4)]
    records += [record(200 + n, "inbound", "TLSv1", "tailspin.example") for n in range(3)]
    records += [record(300 + n, "inbound", "TLSv1.1", "adatum.com") for n in range(5)]
    records += [record(400 + n, "inbound", "TLSv1.3", "gmail.com") for n in range(20)]
    records += [record(500 + n, "outbound", "none", "oldbank.example", tls_security="none") for n in range(6)]
    records += [record(600 + n, "outbound", "TLSv1.3", "gmail.com", tls_security="dane") for n in range(4)]
    records += [record(700 + n, "outbound", "TLSv1.2", "outlook.com", tls_security="mta_sts") for n in range(3)]
    blocked = "TLS is required, but was not offered"
    records += [record(800 + n, "outbound", "none", "plain.example", blocked_reason=blocked) for n in range(2)]
    response = httpx.post(f"{base}/api/v1/messages", json=records, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


def side(browser: Any, direction: str) -> list[list[str]]:
    """The rows of one side's table: domain, count, share, volume."""
    script = """return [...document.querySelectorAll(`#who-${arguments[0]} tr.domain`)]
                  .map((tr) => [...tr.querySelectorAll("td")].slice(0, 4).map((td) => td.innerText.trim()))"""
    rows: list[list[str]] = browser.execute_script(script, direction)  # at once: the page redraws meanwhile
    return rows


def expected(server: str, token: str, direction: str, bucket: str, field: str) -> list[list[str]]:
    query = f"""{{ remoteDomains(direction: {direction.upper()}, tlsVersion: "{bucket}", limit: 10) {{
        rows {{ domain volume counts {{ {field} }} }} }} }}"""
    rows = graphql(server, token, query)["remoteDomains"]["rows"]
    assert rows, "the API names the domains the panel must show"
    return [
        [r["domain"], f"{r['counts'][field]:,}", f"{100 * r['counts'][field] / r['volume']:.1f}%", f"{r['volume']:,}"]
        for r in rows
    ]


def test_who_to_call_names_the_domains_behind_weak_tls(server: str, browser: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-who-{uuid.uuid4().hex[:8]}")
    seed(server, token)
    open_dashboard(browser, f"{server}/#key={token}")
    wait_for(browser, lambda d: shown(d, "#who-inbound tr.domain"))

    # TLS 1.0 first: the most TLS 1.0 mail first, as the API orders it; the share is of the domain's own mail
    inbound = expected(server, token, "inbound", "TLS1.0", "tls10")
    assert inbound == [["fabrikam.com", "12", "75.0%", "16"], ["tailspin.example", "3", "100.0%", "3"]]
    assert side(browser, "inbound") == inbound
    assert "2 domains with TLS 1.0 mail" in browser.find_element(By.CSS_SELECTOR, "#who-inbound [data-summary]").text
    assert "No recipient domains with TLS 1.0 mail" in browser.find_element(By.ID, "who-outbound").text

    # another bucket per side
    browser.find_element(By.CSS_SELECTOR, "#who-inbound button[data-bucket='TLS1.1']").click()
    wait_for(browser, lambda d: side(d, "inbound") == expected(server, token, "inbound", "TLS1.1", "tls11"))
    assert side(browser, "inbound") == [["adatum.com", "5", "100.0%", "5"]]
    browser.find_element(By.CSS_SELECTOR, "#who-outbound button[data-bucket='none']").click()
    wait_for(browser, lambda d: side(d, "outbound") == expected(server, token, "outbound", "none", "none"))
    assert side(browser, "outbound")[0][0] == "oldbank.example"

    # a domain's servers on demand
    browser.find_element(By.CSS_SELECTOR, "#who-inbound button[data-bucket='TLS1.0']").click()
    row = wait_for(browser, lambda d: shown(d, "#who-inbound tr.domain[data-domain='fabrikam.com']"))
    row.find_element(By.CSS_SELECTOR, "button.more").click()
    table = "#who-inbound tr.detail-row td table"
    hosts = wait_for(browser, lambda d: (t := shown(d, table)) and "mx1" in t.text and t)
    lines = sorted(r.text for r in hosts.find_elements(By.CSS_SELECTOR, ":scope > tbody > tr"))
    # 12 TLS 1.0 of 16, over two servers (no address in the records)
    assert lines == ["mx0.fabrikam.com not logged 6 8", "mx1.fabrikam.com not logged 6 8"]

    # the CSV is the server's, for the bucket shown
    for earlier in browser.downloads.glob("*.csv"):
        earlier.unlink()
    browser.find_element(By.CSS_SELECTOR, "#who-inbound .section-head button").click()
    downloaded = wait_for(browser, lambda d: next(iter(d.downloads.glob("*.csv")), None))
    params = {"format": "csv", "direction": "inbound", "tls_version": "TLS1.0", "limit": "1000"}
    params["time_zone"] = browser.find_element(By.NAME, "timeZone").get_attribute("value") or "UTC"
    served = httpx.get(f"{server}/api/v1/remote-domains", params=params, headers={"authorization": f"Bearer {token}"})
    assert served.status_code == 200, served.text
    assert wait_for(browser, lambda d: downloaded.read_bytes() or None) == served.content
    assert "fabrikam.com" in served.text
    assert "gmail.com" not in served.text


def test_transit_security_as_the_api_counts_it(server: str, browser: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-transit-{uuid.uuid4().hex[:8]}")
    seed(server, token)
    open_dashboard(browser, f"{server}/#key={token}")
    legend = wait_for(browser, lambda d: shown(d, "#transit-legend tr[data-level='dane']"))
    assert legend.find_element(By.TAG_NAME, "td").text == "4"
    levels = ("dane", "mtaSts", "verified", "opportunistic", "none", "unknown", "blocked")
    answer = graphql(server, token, f"{{ transitSecurity {{ days {{ {' '.join(levels)} }} }} }}")
    for level in levels:
        total = sum(day[level] for day in answer["transitSecurity"]["days"])
        cell = browser.find_element(By.CSS_SELECTOR, f"#transit-legend tr[data-level='{level}'] td")
        assert cell.text == f"{total:,}", level
    assert "15 deliveries" in browser.find_element(By.ID, "transit-total").text  # 6 + 4 + 3 + 2 blocked
    blocked = browser.find_element(By.ID, "transit-blocked").text
    assert "plain.example: 2 (TLS is required, but was not offered)" in blocked
    assert "oldbank.example: 6 deliveries without TLS" in browser.find_element(By.ID, "transit-without").text
