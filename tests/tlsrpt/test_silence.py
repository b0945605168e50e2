"""tlsrpt_silent: a domain that used to report and has been silent for three days, per organization and domain;
on the application's clock; through REST, GraphQL, the SIEM feed and webhooks like every insight; evaluated by
the server's poller and by `mailflow reports fetch --once`."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from api.context import AppState
from api.tlsrpt import poller
from api.tlsrpt.silence import evaluate_silence
from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, mailflow
from tests.graphql.helpers import gql
from tests.webhooks.conftest import running, webhook_settings
from tests.webhooks.helpers import subscribe
from tests.webhooks.receiver import receiver

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
_ids = itertools.count()


def report(domain: str, ended: datetime) -> bytes:
    """A day's report for `domain` whose range ends at `ended`."""
    return orjson.dumps(
        {
            "organization-name": "Sender",
            "report-id": f"s{next(_ids)}-{uuid.uuid4().hex[:6]}",
            "date-range": {
                "start-datetime": (ended - timedelta(days=1)).isoformat(),
                "end-datetime": ended.isoformat(),
            },
            "policies": [
                {
                    "policy": {"policy-type": "sts", "policy-domain": domain},
                    "summary": {"total-successful-session-count": 10, "total-failure-session-count": 0},
                }
            ],
        }
    )


async def _post(client: httpx.AsyncClient, domain: str, ended: datetime) -> None:
    response = await client.post("/api/v1/tls-reports", content=report(domain, ended))
    assert response.status_code == 201, response.text


async def _silent(client: httpx.AsyncClient, status: str = "active") -> dict[str, dict[str, Any]]:
    body = (await client.get("/api/v1/insights", params={"status": status})).json()
    return {i["subject"]: i for i in body["insights"] if i["rule"] == "tlsrpt_silent"}


async def _events(client: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60  # events show once every older transaction of the server has ended
    while len(events := (await client.get("/api/v1/insights/events")).json()["events"]) < count:
        assert time.monotonic() < deadline, events
        await asyncio.sleep(0.2)
    return [e for e in events if e["insight"]["rule"] == "tlsrpt_silent"]


async def test_opens_after_three_silent_days_and_resolves_when_reports_resume(
    state: AppState, client: httpx.AsyncClient
) -> None:
    await _post(client, "contoso.com", NOW - timedelta(days=10))
    await _post(client, "contoso.com", NOW - timedelta(days=4))  # its last report: 4 days ago
    await _post(client, "fabrikam.com", NOW - timedelta(days=2, hours=23))  # just under three days: not silent
    await _post(client, "tailspin.com", NOW - timedelta(days=31))  # reported, but not in the last 30 days
    assert await evaluate_silence(state.pool, state.org_id, NOW) == {"created": 1, "resolved": 0}
    (insight,) = (await _silent(client)).values()
    assert insight["subject"] == "contoso.com"
    assert insight["title"] == "TLS reports for contoso.com have stopped"
    assert "4 days ago" in insight["description"]
    assert "_smtp._tls.contoso.com" in insight["recommended_action"]
    assert await evaluate_silence(state.pool, state.org_id, NOW) == {"created": 0, "resolved": 0}  # once
    # the same through GraphQL
    found = await gql(client, "{ insights { rule subject } }")
    assert {"rule": "tlsrpt_silent", "subject": "contoso.com"} in found["data"]["insights"]
    # a day later fabrikam.com is silent too; still one insight per domain
    later = NOW + timedelta(days=1)
    assert await evaluate_silence(state.pool, state.org_id, later) == {"created": 1, "resolved": 0}
    assert set(await _silent(client)) == {"contoso.com", "fabrikam.com"}
    # contoso.com reports again: its insight resolves; the other stays
    await _post(client, "contoso.com", later - timedelta(hours=2))
    assert await evaluate_silence(state.pool, state.org_id, later) == {"created": 0, "resolved": 1}
    assert set(await _silent(client)) == {"fabrikam.com"}
    assert "contoso.com" in await _silent(client, "resolved")
    # the SIEM feed has each change, in order
    events = await _events(client, 3)
    assert [(e["type"], e["insight"]["subject"]) for e in events] == [
        ("created", "contoso.com"),
        ("created", "fabrikam.com"),
        ("resolved", "contoso.com"),
    ]


async def test_an_open_insight_stays_open_past_thirty_days_of_silence(
    state: AppState, client: httpx.AsyncClient
) -> None:
    await _post(client, "contoso.com", NOW - timedelta(days=5))
    await evaluate_silence(state.pool, state.org_id, NOW)
    much_later = NOW + timedelta(days=60)
    assert await evaluate_silence(state.pool, state.org_id, much_later) == {"created": 0, "resolved": 0}
    assert set(await _silent(client)) == {"contoso.com"}


async def test_only_accepted_domains_and_organizations_apart(state: AppState, client: httpx.AsyncClient) -> None:
    await _post(client, "contoso.com", NOW - timedelta(days=5))
    await _post(client, "fabrikam.net", NOW - timedelta(days=5))
    other_org = await ensure_organization(state.db.system, f"test-{uuid.uuid4().hex[:12]}")
    assert await evaluate_silence(state.db.for_org(other_org), other_org, NOW) == {"created": 0, "resolved": 0}
    assert (await client.post("/api/v1/accepted-domains", json={"domain": "contoso.com"})).status_code == 201
    assert await evaluate_silence(state.pool, state.org_id, NOW) == {"created": 1, "resolved": 0}
    assert set(await _silent(client)) == {"contoso.com"}  # fabrikam.net is not one of the organization's
    # a domain that leaves the list is no longer watched
    await client.post("/api/v1/accepted-domains", json={"domain": "tailspin.com"})
    await client.delete("/api/v1/accepted-domains/contoso.com")
    assert await evaluate_silence(state.pool, state.org_id, NOW) == {"created": 0, "resolved": 1}


@pytest.fixture
def settings() -> Any:
    return webhook_settings()


async def test_a_webhook_gets_the_insight(state: AppState, client: httpx.AsyncClient) -> None:
    async with running(state.db, state.settings):
        with receiver() as hook:
            await subscribe(client, hook.url, ["insight.created"])
            await _post(client, "contoso.com", NOW - timedelta(days=5))
            await evaluate_silence(state.pool, state.org_id, NOW)
            (got,) = await hook.arrived(1, seconds=10)
    body = got.json()
    assert body["type"] == "insight.created"
    assert (body["data"]["insight"]["rule"], body["data"]["insight"]["subject"]) == ("tlsrpt_silent", "contoso.com")


async def test_the_server_poller_evaluates_it(state: AppState, client: httpx.AsyncClient) -> None:
    await _post(client, "contoso.com", datetime.now(UTC) - timedelta(days=5))
    quick = dataclasses.replace(state.settings, insights_every_seconds=0)
    task = asyncio.create_task(poller.run(state.db, quick))
    try:
        deadline = time.monotonic() + 60
        while "contoso.com" not in await _silent(client):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_reports_fetch_once_evaluates_it(dsn: str, pool: asyncpg.Pool, tmp_path: Any) -> None:
    org = f"cli-{uuid.uuid4().hex[:8]}"
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)
    path = tmp_path / "report.json"
    path.write_bytes(report("contoso.com", datetime.now(UTC) - timedelta(days=5)))
    stored = mailflow("ingest", "--format", "tlsrpt", str(path), env=env)
    assert stored.returncode == 0, stored.stderr
    fetched = mailflow("reports", "fetch", "--once", env=env)
    assert fetched.returncode == 0, fetched.stderr
    org_id = await ensure_organization(pool, org)
    subjects = await pool.fetch(
        "select subject from insights where org_id = $1 and rule = 'tlsrpt_silent' and resolved_at is null", org_id
    )
    assert [r["subject"] for r in subjects] == ["contoso.com"]
