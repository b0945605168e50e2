"""GraphiQL (/graphql) and the REST API reference (/docs) in headless Chromium with every other site out of
reach: both come whole from the server's own files, and carry the tab's API key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.chromium import OFFLINE, require_chromium, start_chromium
from tests.cli.helpers import api_server, new_key

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[str]:
    with api_server(dsn, "browser-tools-default") as base:
        yield base


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = start_chromium(
        tmp_path_factory.mktemp("profile"), tmp_path_factory.mktemp("downloads"), *OFFLINE, height=1000
    )
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, condition: Any, seconds: float = 20) -> Any:
    return WebDriverWait(driver, seconds).until(lambda d: condition(d))


def only_this_server(driver: Any, base: str) -> list[str]:
    """Every resource the page asked for that is not on `base` (none may be)."""
    entries = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [name for name in entries if not name.startswith(base)]


def test_the_internet_is_out_of_reach(server: str, offline: Any) -> None:
    """The premise of the tests below: a page on a CDN does not load."""
    offline.get(f"{server}/healthz")
    loaded = offline.execute_script(
        "return fetch('https://unpkg.com/react@18/umd/react.production.min.js').then(() => true, () => false)"
    )
    assert loaded is False


def test_graphiql_works_offline_with_the_tabs_key(server: str, offline: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-graphiql-{uuid.uuid4().hex[:8]}", "reader")
    offline.get("about:blank")
    offline.get(f"{server}/graphql#key={token}")
    wait_for(offline, lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-container .graphiql-query-editor"))
    assert "reader key" in offline.find_element(By.ID, "who").text
    assert "#key=" not in offline.current_url

    offline.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    response = wait_for(
        offline,
        lambda d: "organizationName" in (t := d.find_element(By.CSS_SELECTOR, ".graphiql-response").text) and t,
    )
    assert '"role": "reader"' in response  # the query went out with the key
    assert only_this_server(offline, server) == []


def test_graphiql_asks_for_a_key_instead_of_failing(server: str, offline: Any) -> None:
    offline.get(f"{server}/healthz")
    offline.execute_script("sessionStorage.setItem('mailflow-key', 'mf_1_1_wrong')")
    offline.get(f"{server}/graphql")
    form = wait_for(offline, lambda d: (f := d.find_element(By.ID, "key-form")).is_displayed() and f)
    assert "not accepted" in form.text
    assert not offline.find_element(By.ID, "graphiql").is_displayed()


def test_the_api_reference_works_offline(server: str, offline: Any, dsn: str) -> None:
    token = new_key(dsn, f"browser-docs-{uuid.uuid4().hex[:8]}", "reader")
    offline.get("about:blank")
    offline.get(f"{server}/docs#key={token}")
    wait_for(offline, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#swagger-ui .opblock")) > 10)
    paths = [e.text for e in offline.find_elements(By.CSS_SELECTOR, "#swagger-ui .opblock-summary-path")]
    assert "/api/v1/connector-report" in paths
    assert "/api/v1/tls-reports" in paths
    assert only_this_server(offline, server) == []

    # "Try it out" sends the key: the summary answers 200
    summary = next(
        e for e in offline.find_elements(By.CSS_SELECTOR, "#swagger-ui .opblock") if "/api/v1/summary" in e.text
    )
    summary.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait_for(offline, lambda d: summary.find_element(By.CSS_SELECTOR, ".try-out__btn")).click()
    wait_for(offline, lambda d: summary.find_element(By.CSS_SELECTOR, ".execute")).click()
    live = ".live-responses-table tbody .response-col_status"
    status = wait_for(offline, lambda d: (e := summary.find_elements(By.CSS_SELECTOR, live)) and e[0].text)
    assert status.startswith("200")


def test_the_api_reference_asks_for_a_key(server: str, offline: Any) -> None:
    offline.get(f"{server}/healthz")
    offline.execute_script("sessionStorage.clear()")
    offline.get(f"{server}/docs")
    form = wait_for(offline, lambda d: (f := d.find_element(By.ID, "key-form")).is_displayed() and f)
    assert form.find_element(By.TAG_NAME, "label").text == "API key"
