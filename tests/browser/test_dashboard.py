"""The dashboard in a real browser (headless Chromium): numbers as the GraphQL API answers them, a filter,
the CSV export, dismissing an insight, the empty state, and a screenshot."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.helpers import api_server, new_key

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Chromium (Debian packages chromium and chromium-driver)")
    pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)  # fmt: skip

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[str]:
    with api_server(dsn, "browser-default") as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1300,2200",
                 f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


def message(n: int, tls: str, direction: str = "inbound", connector: str | None = None) -> dict[str, Any]:
    return {"message_id": f"<b{n}@x>", "received_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "direction": direction, "tls_version": tls, "connector": connector}  # fmt: skip


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


def graphql(base: str, token: str, query: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"})
    data: dict[str, Any] = response.json()["data"]
    return data


def test_dashboard(server: str, browser: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-{uuid.uuid4().hex[:8]}")
    seed(server, token)
    browser.get(f"{server}/#key={token}")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "150")

    # the widget shows exactly what the API answers
    summary = graphql(server, token, "{ mailFlowSummary { inbound { total versions { tlsVersion messages share } } } }")
    for version in summary["mailFlowSummary"]["inbound"]["versions"]:
        row = browser.find_element(By.CSS_SELECTOR, f"#card-inbound tr[data-version='{version['tlsVersion']}']")
        cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
        assert cells == [f"{version['messages']:,}", f"{version['share']:.1f}%"]
    assert browser.find_element(By.CSS_SELECTOR, "#card-outbound [data-total]").text == "7"
    assert "#key=" not in browser.current_url  # the key left the address bar for session storage

    # the connector report, then a filter change
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#report tbody tr")) == 3)
    Select(browser.find_element(By.NAME, "direction")).select_by_value("OUTBOUND")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#report tbody tr")) == 1)
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#report tbody tr td")]
    assert cells[1:3] == ["outbound", "To the internet without a connector"]
    assert cells[-1] == "7"

    # the CSV export
    browser.find_element(By.ID, "export").click()
    csv_file = wait_for(browser, lambda d: next(iter(d.downloads.glob("*.csv")), None))
    lines = csv_file.read_text().strip().splitlines()
    assert lines[0].startswith("day,direction,connector,type,forced_tls,no_tls_percent")
    assert lines[1].endswith(",0,0,0,100,0,7")

    # the insight Microsoft shows, and dismissing it
    item = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#insight-list li.active"))
    assert "Inbound partner connector seeing significant TLS1.0 mail flow" in item.text
    assert "100.0% of the window's volume, 120 messages" in item.text  # Fabrikam carries only TLS 1.0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))  # a test artifact
    if os.environ.get("MAILFLOW_UPDATE_SCREENSHOT"):  # the README's copy changes only when asked to
        shutil.copy(ARTIFACTS / "dashboard.png", ROOT / "docs" / "dashboard.png")
    item.find_element(By.CSS_SELECTOR, "input").send_keys("partner upgrades in May")
    item.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, "#insight-list li.active"))
    dismissed = graphql(server, token, "{ insights(status: DISMISSED) { dismissReason } }")["insights"]
    assert dismissed == [{"dismissReason": "partner upgrades in May"}]


def test_empty_state(server: str, browser: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-empty-{uuid.uuid4().hex[:8]}")
    browser.execute_script("sessionStorage.clear()")
    browser.get("about:blank")  # only the #fragment would change: load the page anew
    browser.get(f"{server}/#key={token}")
    empty = wait_for(
        browser, lambda d: d.find_element(By.ID, "empty") if d.find_element(By.ID, "empty").is_displayed() else None
    )
    assert "No mail flow yet" in empty.text
    assert "mailflow ingest" in empty.text
    assert not browser.find_element(By.ID, "widget").is_displayed()


def test_a_missing_key_asks_for_one(server: str, browser: Any) -> None:
    browser.get(server)
    browser.execute_script("sessionStorage.clear()")
    browser.get("about:blank")
    browser.get(server)
    form = wait_for(
        browser,
        lambda d: d.find_element(By.ID, "key-form") if d.find_element(By.ID, "key-form").is_displayed() else None,
    )
    assert form.find_element(By.TAG_NAME, "label").text == "API key"


def test_updates_without_a_reload_and_no_dismiss_for_a_reader(server: str, browser: Any, dsn: str) -> None:
    org = f"browser-poll-{uuid.uuid4().hex[:8]}"
    admin = new_key(dsn, org)
    seed(server, admin)
    reader = new_key(dsn, org, "reader")
    browser.get("about:blank")
    browser.get(f"{server}/?poll=1#key={reader}")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "150")
    item = wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#insight-list li.active"))
    assert not item.find_elements(By.TAG_NAME, "button")  # a reader's key may not dismiss
    more = [message(900 + n, "none") for n in range(5)]
    response = httpx.post(f"{server}/api/v1/messages", json=more, headers={"authorization": f"Bearer {admin}"})
    assert response.status_code == 200
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#card-inbound [data-total]").text == "155")


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
        browser.get("about:blank")
        browser.get(f"{server}/#key={token}")
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
    finally:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})
