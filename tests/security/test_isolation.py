"""Two organizations with data and connectors of the same names: A's key never reaches B."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from api.context import AppState
from db.keys import create_key
from db.organizations import ensure_organization
from db.pool import Database, open_database
from tests.conftest import make_client
from tests.factories import add_connector
from tests.graphql.helpers import gql
from tests.importers.test_tlsrpt import REPORT
from tests.insights.helpers import active, feed, records


@dataclass
class Tenant:
    client: httpx.AsyncClient
    org_id: int
    connector_id: int
    insight_id: int


async def _tenant(state: AppState, tls10: int) -> AsyncIterator[Tenant]:
    token = await create_key(state.db.system, state.org_id, "admin", "isolation")
    async with make_client(state, token) as client:
        fab = await add_connector(client, "Fabrikam", "inbound", "partner")
        await feed(client, records({"TLS1.0": tls10, "TLS1.2": 50}, "inbound", "Fabrikam"))
        (insight,) = await active(client)
        yield Tenant(client, state.org_id, fab["id"], insight["id"])


@pytest.fixture
async def a(state: AppState) -> AsyncIterator[Tenant]:
    async for tenant in _tenant(state, 100):
        yield tenant


@pytest.fixture
async def b(database: Database, settings: Any) -> AsyncIterator[Tenant]:
    org_id = await ensure_organization(database.system, f"other-{uuid.uuid4().hex[:10]}")
    async for tenant in _tenant(AppState(settings, database, org_id), 300):
        yield tenant


async def counts(pool: asyncpg.Pool, org_id: int) -> tuple[Any, ...]:
    row = await pool.fetchrow(
        """select (select count(*) from messages where org_id = $1),
                  (select sum(messages) from hourly_rollups where org_id = $1),
                  (select count(*) from connectors where org_id = $1),
                  (select count(*) from insights where org_id = $1 and status = 'active'),
                  (select count(*) from insight_events where org_id = $1),
                  (select count(*) from insight_settings where org_id = $1)""",
        org_id,
    )
    assert row is not None
    return tuple(row)


async def test_rest_with_a_key_of_a_and_ids_of_b(a: Tenant, b: Tenant, pool: asyncpg.Pool) -> None:
    before = await counts(pool, b.org_id)
    c = a.client
    connectors = (await c.get("/api/v1/connectors")).json()["connectors"]
    assert [x["id"] for x in connectors] == [a.connector_id]
    assert (await c.get("/api/v1/tls-breakdown", params={"connector": b.connector_id})).status_code == 400
    assert (await c.get("/api/v1/tls-breakdown")).json()["total"] == 150
    assert (await c.get("/api/v1/summary")).json()["inbound"]["total"] == 150
    report = (await c.get("/api/v1/connector-report")).json()
    assert {t["connector"]["id"] for t in report["totals"] if t["volume"]} == {a.connector_id}
    assert sum(t["volume"] for t in report["totals"]) == 150
    assert (await c.get("/api/v1/insights", params={"connector": b.connector_id, "status": "all"})).json() == {
        "insights": []
    }
    assert [i["id"] for i in (await c.get("/api/v1/insights", params={"status": "all"})).json()["insights"]] == [
        a.insight_id
    ]
    events = (await c.get("/api/v1/insights/events")).json()["events"]
    assert {e["insight"]["id"] for e in events} == {a.insight_id}
    response = await c.post(f"/api/v1/insights/{b.insight_id}/dismiss", json={"reason": "not mine"})
    assert response.status_code == 404
    # A's writes land in A, even with a connector name B also has
    await feed(c, records({"TLS1.0": 5}, "inbound", "Fabrikam"))
    assert (await c.put("/api/v1/insight-settings", json={"window_days": 3})).status_code == 200
    assert (
        await c.post("/api/v1/connectors", json={"name": "New", "direction": "inbound", "type": "partner"})
    ).status_code == 201
    assert await counts(pool, b.org_id) == before
    assert (await b.client.get("/api/v1/insight-settings")).json()["window_days"] == 7


async def test_graphql_with_a_key_of_a_and_ids_of_b(a: Tenant, b: Tenant, pool: asyncpg.Pool) -> None:
    before = await counts(pool, b.org_id)
    c = a.client
    body = await gql(
        c, "{ connectors { id } mailFlowSummary { inbound { total } } connectorReport { totals { volume } } }"
    )
    assert body["data"]["connectors"] == [{"id": str(a.connector_id)}]
    assert body["data"]["mailFlowSummary"]["inbound"]["total"] == 150
    assert sum(t["volume"] for t in body["data"]["connectorReport"]["totals"]) == 150
    breakdown = await gql(c, "query ($c: ID) { tlsBreakdown(connectorId: $c) { total } }", c=str(b.connector_id))
    assert breakdown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    insights = await gql(c, "query ($c: ID) { insights(status: ALL, connectorId: $c) { id } }", c=str(b.connector_id))
    assert insights["data"]["insights"] == []
    dismissed = await gql(
        c, 'mutation ($id: ID!) { dismissInsight(id: $id, reason: "x") { id } }', id=str(b.insight_id)
    )
    assert dismissed["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    updated = await gql(c, "mutation { updateInsightThresholds(windowDays: 2) { windowDays } }")
    assert updated["data"]["updateInsightThresholds"]["windowDays"] == 2
    ingest = """mutation ($r: [MessageInput!]!) { ingestMessages(records: $r) { accepted } }"""
    record = {"messageId": "<x@y>", "receivedAt": "2026-11-20T10:00:00Z", "direction": "INBOUND", "tlsVersion": "1.0",
              "connector": "Fabrikam"}  # fmt: skip
    assert (await gql(c, ingest, r=[record]))["data"]["ingestMessages"]["accepted"] == 1
    created = await gql(
        c, 'mutation { createConnector(connector: {name: "Z", direction: INBOUND, type: PARTNER}) { id } }'
    )
    assert created["data"]["createConnector"]["id"]
    assert await counts(pool, b.org_id) == before


async def test_row_level_security_holds_without_a_where_clause(
    a: Tenant, b: Tenant, database: Database, dsn: str
) -> None:
    unscoped = "select count(distinct org_id) from messages"
    assert await database.for_org(a.org_id).fetchval(unscoped) == 1
    assert await database.for_org(a.org_id).fetchval("select min(org_id) from connectors") == a.org_id
    fresh = await asyncpg.connect(dsn)  # the application's role with no organization set: nothing at all
    try:
        await fresh.execute("set role mailflow_app")
        assert await fresh.fetchval("select count(*) from messages") == 0
        assert await fresh.fetchval("select count(*) from insights") == 0
        assert await fresh.fetchval("select current_user") == "mailflow_app"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await fresh.execute("set row_security = off; select count(*) from messages")
    finally:
        await fresh.close()
    async with database.tenant.acquire() as conn:
        assert await conn.fetchval("select current_user") == "mailflow_app"
    async with database.for_org(a.org_id).acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(
                "insert into connectors (org_id, name, direction, type) values ($1, 'sneaky', 'inbound', 'partner')",
                b.org_id,
            )


async def test_one_connection_serving_two_organizations_in_turn(a: Tenant, b: Tenant, dsn: str) -> None:
    db = await open_database(dsn, 1)  # a single tenant connection, reused for every call
    try:
        query = "select array_agg(distinct org_id) from connectors"
        for org in (a.org_id, b.org_id, a.org_id, b.org_id):
            assert await db.for_org(org).fetchval(query) == [org]
        async with db.for_org(a.org_id).acquire() as conn, conn.transaction():
            await conn.execute("select 1")
        assert await db.for_org(b.org_id).fetchval(query) == [b.org_id]
    finally:
        await db.close()


async def test_the_accepted_policies_view_shows_only_the_bound_organization(
    a: Tenant, b: Tenant, database: Database
) -> None:
    """tls_report_policies_accepted (db/migrations/0020) runs as its reader: row-level security holds through it."""
    for tenant in (a, b):
        posted = await tenant.client.post("/api/v1/tls-reports", content=orjson.dumps(REPORT))
        assert posted.status_code == 201, posted.text
    for tenant in (a, b):
        seen = await database.for_org(tenant.org_id).fetch(
            "select distinct org_id, accepted from tls_report_policies_accepted"
        )
        assert [(r["org_id"], r["accepted"]) for r in seen] == [(tenant.org_id, True)]
