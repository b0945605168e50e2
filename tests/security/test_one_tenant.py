"""One tenant's data cannot stop another's insights, and an answer that says nothing was stored is true
(issue 20): session counts are bounded where a report comes in, sums over them cannot overflow, the
periodic evaluation skips an organization that fails, and a report stays stored when evaluating fails."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson
import pytest

from api.context import AppState
from api.importers.tlsrpt import MAX_SESSIONS
from api.insights.evaluate import evaluate_all
from db.organizations import ensure_organization
from db.pool import Database, open_database
from tests.conftest import make_client
from tests.insights.helpers import active, evaluate_at
from tests.insights.test_tls_report_rule import report

BIGINT_MAX = 2**63 - 1
SUCCESSFUL = "policies[0].summary.total-successful-session-count"


def with_counts(summary: dict[str, Any], details: list[Any] | None = None) -> bytes:
    body = orjson.loads(report("contoso.com", 1, 1))
    body["policies"][0]["summary"] = summary
    if details is not None:
        body["policies"][0]["failure-details"] = [{"result-type": "x", "failed-session-count": n} for n in details]
    return orjson.dumps(body)


@pytest.mark.parametrize(
    ("summary", "details", "field"),
    [
        ({"total-successful-session-count": BIGINT_MAX}, None, SUCCESSFUL),
        ({"total-successful-session-count": MAX_SESSIONS + 1}, None, SUCCESSFUL),
        (
            {"total-failure-session-count": str(MAX_SESSIONS + 1)},
            None,
            "policies[0].summary.total-failure-session-count",
        ),
        ({"total-successful-session-count": "²"}, None, SUCCESSFUL),
        ({"total-successful-session-count": "\u0661\u0660"}, None, SUCCESSFUL),
        ({"total-successful-session-count": "9" * 5000}, None, SUCCESSFUL),
        ({"total-successful-session-count": 1e20}, None, SUCCESSFUL),  # JSON's 1e20 is a float: it was 0
        ({}, [1, MAX_SESSIONS + 1], "policies[0].failure-details[1].failed-session-count"),
        ({}, [MAX_SESSIONS, MAX_SESSIONS], "policies[0].failure-details"),
        ({"total-successful-session-count": MAX_SESSIONS // 2 + 1}, None, "policies"),
    ],
)
async def test_a_count_beyond_the_cap_is_422_naming_it_and_nothing_is_stored(
    state: AppState, admin_token: str, summary: dict[str, Any], details: list[int] | None, field: str
) -> None:
    body = with_counts(summary, details)
    if field == "policies":  # two policies, each within the cap, more than it together
        parsed = orjson.loads(body)
        parsed["policies"].append(parsed["policies"][0])
        body = orjson.dumps(parsed)
    async with make_client(state, admin_token) as c:
        for _ in range(2):  # and again: still nothing stored, so still refused
            response = await c.post("/api/v1/tls-reports", content=body)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["details"][0]["field"] == field
        assert (await c.get("/api/v1/tls-reports", params={"to": "2100-01-01"})).json()["days"] == []
        assert (await c.put("/api/v1/insight-settings", json={})).status_code == 200


async def test_a_count_at_the_cap_is_stored(client: Any) -> None:
    response = await client.post(
        "/api/v1/tls-reports", content=with_counts({"total-successful-session-count": MAX_SESSIONS})
    )
    assert response.status_code == 201, response.text
    assert response.json()["reports"][0]["policies"][0]["successful"] == MAX_SESSIONS


async def _store_sessions(pool: asyncpg.Pool, org_id: int, reports: int, successful: int, failed: int) -> None:
    """Reports stored straight into the tables: what a store holds after many reports at the cap, or
    from before the cap (a count up to a bigint's maximum)."""
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    async with pool.acquire() as conn, conn.transaction():
        keys = await conn.fetch(
            "insert into tls_reports (org_id, organization_name, report_id, start_at, end_at) "
            "select $1, 'Sender', 'big-' || n, $2, $3 from generate_series(1, $4) n returning report_key",
            org_id, start, start + timedelta(days=1), reports,
        )  # fmt: skip
        await conn.execute(
            "insert into tls_report_policies (org_id, report_key, policy_no, policy_type, policy_domain, "
            "successful_sessions, failed_sessions, detailed_failures, details_mismatch) "
            "select $1, k, 0, 'sts', 'contoso.com', $3, $4, 0, false from unnest($2::bigint[]) k",
            org_id, [k["report_key"] for k in keys], successful, failed,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("reports", "successful", "failed"),
    [
        (1, BIGINT_MAX, BIGINT_MAX),  # stored before the cap: each count a bigint's maximum
        (1100, MAX_SESSIONS, MAX_SESSIONS),  # at the cap, but their sum is beyond a bigint
    ],
)
async def test_sums_beyond_a_bigint_neither_overflow_nor_stop_evaluation(
    state: AppState, admin_token: str, pool: asyncpg.Pool, reports: int, successful: int, failed: int
) -> None:
    await _store_sessions(pool, state.org_id, reports, successful, failed)
    async with make_client(state, admin_token) as c:
        response = await c.put("/api/v1/insight-settings", json={})
        assert response.status_code == 200, response.text
        (insight,) = [i for i in await active(c) if i["rule"] == "tlsrpt_failures"]
        assert insight["share"] == 50
        assert insight["volume"] == BIGINT_MAX  # a figure beyond a bigint is shown as its maximum
        days = await c.get("/api/v1/tls-reports")
        assert days.status_code == 200, days.text
        (day,) = days.json()["days"]
        assert (day["successful"], day["failed"]) == (reports * successful, reports * failed)


@pytest.fixture
async def impatient(dsn: str) -> AsyncIterator[Database]:
    """A database whose statements give up after 6 s: a wait for a held lock fails, a statement that runs never
    does (on a loaded machine a Citus coordinator's statements, which open connections to the workers, took
    over 300 ms, and a new connection's type introspection over 2 s at load 8)."""
    db = await open_database(dsn, 2, statement_timeout_ms=6000)
    yield db
    await db.close()


@contextlib.asynccontextmanager
async def insight_lock_held(pool: asyncpg.Pool, org_id: int) -> AsyncIterator[None]:
    """The organization's insight lock held by another connection, as a long evaluation would."""
    async with pool.acquire() as conn:
        await conn.execute("select pg_advisory_lock(hashtext('mailflow.insights'), $1::integer)", org_id)
        try:
            yield
        finally:
            await conn.execute("select pg_advisory_unlock(hashtext('mailflow.insights'), $1::integer)", org_id)


async def test_the_periodic_evaluation_skips_an_organization_that_fails(
    database: Database, impatient: Database, pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    stuck = await ensure_organization(pool, f"stuck-{uuid.uuid4().hex[:8]}")
    after = await ensure_organization(pool, f"after-{uuid.uuid4().hex[:8]}")
    await _store_sessions(pool, after, 1, 50, 50)
    async with insight_lock_held(pool, stuck):
        await evaluate_all(impatient)  # the stuck organization's evaluation times out
    rows = await pool.fetch("select rule, subject from insights where org_id = $1", after)
    assert [(r["rule"], r["subject"]) for r in rows] == [("tlsrpt_failures", "contoso.com")]
    assert any(getattr(r, "fields", {}).get("org_id") == stuck for r in caplog.records)


async def test_a_stored_report_stays_stored_when_evaluating_it_fails(
    state: AppState, admin_token: str, impatient: Database, pool: asyncpg.Pool
) -> None:
    slow = AppState(state.settings, impatient, state.org_id)
    body = report("contoso.com", 50, 50)
    async with insight_lock_held(pool, state.org_id), make_client(slow, admin_token) as c:
        first = await c.post("/api/v1/tls-reports", content=body)  # stored; its evaluation times out
    assert first.status_code == 201, first.text
    assert first.json()["reports"][0]["stored"] is True
    async with make_client(state, admin_token) as c:
        again = await c.post("/api/v1/tls-reports", content=body)
        assert again.json()["reports"][0]["stored"] is False
        await evaluate_at(state, datetime.now(UTC))  # the next evaluation catches up
        assert [i["subject"] for i in await active(c)] == ["contoso.com"]


async def test_stored_messages_stay_stored_when_evaluating_them_fails(
    state: AppState, admin_token: str, impatient: Database, pool: asyncpg.Pool
) -> None:
    slow = AppState(state.settings, impatient, state.org_id)
    at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    records = [{"message_id": "<m@x>", "received_at": at, "direction": "inbound", "tls_version": "TLSv1.2"}]
    async with insight_lock_held(pool, state.org_id), make_client(slow, admin_token) as c:
        response = await c.post("/api/v1/messages", json=records)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
