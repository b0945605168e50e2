"""The dashboard's "Where TLS reports come from" panel in headless Chromium: every reporting URL and mailbox with
its last success, last error, reports today and in all, and what it skipped, exactly as the GraphQL API answers;
a key that is not an admin's is told that only an admin sees it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import orjson

from tests.browser.chromium import require_chromium
from tests.browser.test_dashboard import graphql, open_dashboard, shown, wait_for
from tests.cli.helpers import new_key
from tests.tlsrpt.helpers import JSON, path_of, report

require_chromium()

from selenium.webdriver.common.by import By  # noqa: E402

STATUS = "lastSuccessAt lastError lastErrorAt reportsToday reportsTotal skipped { reason count }"


async def _mailbox(dsn: str, org: str) -> None:
    """A mailbox with a history (disabled, so that the server's poller leaves its figures alone)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            """insert into mailboxes (org_id, host, port, security, username, password, folder, processed,
                   processed_folder, error_folder, enabled, last_success_at, last_error_at, last_error, reports_total,
                   reports_day, reports_today, skipped)
               select org_id, 'imap.example.com', 993, 'tls', 'tlsrpt@contoso.com', '\\x00', 'INBOX', 'move', 'done',
                   'errors', false, now() - interval '1 hour', now() - interval '2 hours', 'logging in failed', 12,
                   (now() at time zone 'UTC')::date, 3, '{"DMARC aggregate report": 4, "not a report": 1}'
               from organizations where name = $1""",
            org,
        )
    finally:
        await conn.close()


def seed(base: str, token: str, dsn: str, org: str) -> None:
    headers = {"authorization": f"Bearer {token}"}
    made = httpx.post(f"{base}/api/v1/tlsrpt-endpoints", json={"description": "all domains"}, headers=headers).json()
    url = f"{base}{path_of(made['url'])}"
    for body in (report(), report()):
        assert httpx.post(url, content=orjson.dumps(body), headers=JSON).status_code == 201
    assert httpx.post(url, content=b"{}", headers=JSON).status_code == 422  # a last error, skipped: not a report
    assert httpx.post(url, content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    asyncio.run(_mailbox(dsn, org))


def when(iso: str | None) -> str:
    return f"{iso[:16].replace('T', ' ')} UTC" if iso else "never"


def expected(source: dict[str, Any]) -> list[str]:
    error = f"{when(source['lastErrorAt'])}: {source['lastError']}" if source["lastError"] else "none"
    skipped = " · ".join(f"{k['reason']}: {k['count']:,}" for k in source["skipped"]) or "none"
    return [when(source["lastSuccessAt"]), error, f"{source['reportsToday']:,}", f"{source['reportsTotal']:,}", skipped]


def shown_rows(browser: Any) -> dict[str, list[str]]:
    script = """return Object.fromEntries([...document.querySelectorAll("#sources-table tr.source")]
                  .map((tr) => [tr.dataset.source, [...tr.querySelectorAll("td")].map((td) => td.innerText.trim())]))"""
    rows: dict[str, list[str]] = browser.execute_script(script)  # at once: the page redraws meanwhile
    return rows


def test_every_source_and_figure_as_the_api_gives_it(server: str, browser: Any, dsn: str) -> None:
    org = f"browser-sources-{uuid.uuid4().hex[:8]}"
    token = new_key(dsn, org)
    seed(server, token, dsn, org)
    open_dashboard(browser, f"{server}/#key={token}")
    wait_for(browser, lambda d: len(shown_rows(d)) == 2)
    answer = graphql(server, token, f"{{ tlsrptEndpoints {{ id {STATUS} }} mailboxes {{ id {STATUS} }} }}")
    (endpoint,) = answer["tlsrptEndpoints"]
    (mailbox,) = answer["mailboxes"]
    assert (endpoint["reportsToday"], endpoint["reportsTotal"]) == (2, 2)
    assert {k["reason"] for k in endpoint["skipped"]} == {"not a TLS report", "unsupported content type"}
    assert endpoint["lastError"] is not None
    rows = shown_rows(browser)
    assert rows[f"endpoint:{endpoint['id']}"] == ["HTTPS URL all domains", *expected(endpoint)]
    name = "Mailbox tlsrpt@contoso.com at imap.example.com (INBOX)"
    assert rows[f"mailbox:{mailbox['id']}"] == [name, *expected(mailbox)]
    assert rows[f"mailbox:{mailbox['id']}"][3:5] == ["3", "12"]
    assert "DMARC aggregate report: 4 · not a report: 1" in rows[f"mailbox:{mailbox['id']}"][5]


def test_a_reader_key_is_told_an_admin_sees_it(server: str, browser: Any, dsn: str) -> None:
    org = f"browser-sources-{uuid.uuid4().hex[:8]}"
    admin = new_key(dsn, org)
    reader = new_key(dsn, org, "reader")
    seed(server, admin, dsn, org)
    open_dashboard(browser, f"{server}/#key={reader}")
    note = wait_for(browser, lambda d: (p := shown(d, "#sources-body p")) and p)
    assert note.text == "An admin key shows where the TLS reports come from."
    assert not browser.find_elements(By.CSS_SELECTOR, "#sources-table")
