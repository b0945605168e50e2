"""Abuse limits: GraphQL depth, aliases, fields, size, introspection; body size; statement timeout."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import create_app
from api.context import AppState
from api.rest.http import requires
from api.rest.http import state as state_of
from db.pool import open_database
from tests.conftest import make_client
from tests.graphql.helpers import gql


def limited(state: AppState, **changes: Any) -> AppState:
    return dataclasses.replace(state, settings=dataclasses.replace(state.settings, **changes))


async def test_graphql_limits(state: AppState, admin_token: str) -> None:
    async with make_client(
        limited(state, graphql_max_depth=2, graphql_max_aliases=2, graphql_max_fields=5), admin_token
    ) as c:
        deep = await gql(c, "{ connectorReport { rows { connector { name } } } }")
        assert "exceeds maximum operation depth" in deep["errors"][0]["message"]
        aliases = await gql(c, "{ a: connectors { id } b: connectors { id } c: connectors { id } }")
        assert "aliases" in aliases["errors"][0]["message"]
        fields = await gql(c, "{ connectors { id name direction type forcedTls } mailFlowSummary { from } }")
        assert "more than 5 fields" in fields["errors"][0]["message"]
        fine = await gql(c, "{ connectors { id } }")
        assert "errors" not in fine


async def test_graphql_size_and_introspection(state: AppState, admin_token: str) -> None:
    async with make_client(limited(state, graphql_max_query_bytes=200, graphql_introspection=False), admin_token) as c:
        big = await c.post("/graphql", json={"query": "{ connectors { id } }" + " " * 300})
        assert big.status_code == 413
        assert big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        intro = await gql(c, "{ __schema { types { name } } }")
        assert "introspection" in intro["errors"][0]["message"].lower()
    async with make_client(state, admin_token) as c:
        intro = await gql(c, "{ __schema { queryType { name } } }")
        assert intro["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_body_limit_on_every_write(state: AppState, admin_token: str) -> None:
    async with make_client(limited(state, max_body_bytes=100), admin_token) as c:
        for method, path in (
            ("POST", "/api/v1/messages"),
            ("POST", "/api/v1/connectors"),
            ("PUT", "/api/v1/insight-settings"),
            ("POST", "/api/v1/insights/1/dismiss"),
        ):
            response = await c.request(method, path, content=b"[" + b" " * 200 + b"]")
            assert response.status_code == 413, path


async def test_statement_timeout_answers_503(state: AppState, admin_token: str, dsn: str) -> None:
    db = await open_database(dsn, 2, statement_timeout_ms=50)
    try:
        async with db.tenant.acquire() as conn:
            assert await conn.fetchval("show statement_timeout") == "50ms"
        slow_state = AppState(state.settings, db, state.org_id)
        app = create_app(state.settings, state=slow_state)

        async def slow(request: Request) -> Response:  # a statement that outlives the timeout
            await state_of(request).pool.fetchval("select pg_sleep(1)")
            return Response("never")

        app.router.routes.append(Route("/slow", requires("reader", slow)))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        headers = {"authorization": f"Bearer {admin_token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
            response = await c.get("/slow")
            assert response.status_code == 503
            assert "took longer than" in response.json()["error"]["message"]
    finally:
        await db.close()
