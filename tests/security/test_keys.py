"""Keys and roles: no key 401, wrong role 403, revoked 401; only the health checks are open."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from starlette.routing import Route

from api.context import AppState
from api.rest.routes import ROUTES
from db.keys import create_key, digest, find_key, revoke_key
from tests.conftest import make_client
from tests.graphql.helpers import gql
from tests.insights.helpers import records

OPEN = {"/healthz", "/readyz"}


async def test_every_endpoint_but_health_needs_a_key(state: AppState) -> None:
    async with make_client(state, None) as anonymous:
        for route in ROUTES:
            assert isinstance(route, Route)
            path = route.path.replace("{insight_id:id}", "1")
            for method in route.methods or ():
                if method == "HEAD":
                    continue
                response = await anonymous.request(method, path)
                if route.path in OPEN:
                    assert response.status_code in (200, 503), path
                else:
                    assert response.status_code == 401, (method, path)
                    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
                    assert response.headers["www-authenticate"].startswith("Bearer")
        graphql = await anonymous.post("/graphql", json={"query": "{ connectors { id } }"})
        assert graphql.status_code == 401
        assert graphql.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        page = await anonymous.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200  # GraphiQL itself; its queries carry the key


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer mf_1_1_" + "x" * 43, "Basic abc", "Bearer "])
async def test_a_bad_token_is_401(state: AppState, header: str) -> None:
    async with make_client(state, None) as c:
        response = await c.get("/api/v1/summary", headers={"authorization": header})
        assert response.status_code == 401


async def test_roles(state: AppState) -> None:
    reader = await create_key(state.db.system, state.org_id, "reader", "r")
    ingest = await create_key(state.db.system, state.org_id, "ingest", "i")
    async with make_client(state, reader) as r, make_client(state, ingest) as i:
        assert (await r.get("/api/v1/summary")).status_code == 200
        denied = await r.post("/api/v1/messages", json=records({"TLS1.2": 1}))
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == "FORBIDDEN"
        assert (await i.post("/api/v1/messages", json=records({"TLS1.2": 1}))).status_code == 200
        assert (
            await i.post("/api/v1/connectors", json={"name": "x", "direction": "inbound", "type": "partner"})
        ).status_code == 403
        assert (await i.put("/api/v1/insight-settings", json={})).status_code == 403
        assert (await i.post("/api/v1/insights/1/dismiss", json={"reason": "x"})).status_code == 403
        body = await gql(
            r, 'mutation { createConnector(connector: {name: "x", direction: INBOUND, type: PARTNER}) { id } }'
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = await gql(r, "{ connectors { id } insights { id } }")
        assert "errors" not in body


async def test_tokens_are_hashed_and_revocable(state: AppState) -> None:
    token = await create_key(state.db.system, state.org_id, "reader", "to revoke")
    assert token.startswith(f"mf_{state.org_id}_")
    assert len(token) > 50
    stored = await state.db.system.fetchval(
        "select token_sha256 from api_keys where org_id = $1 and label = 'to revoke'", state.org_id
    )
    assert bytes(stored) == digest(token)
    assert token.encode() not in bytes(stored)
    key = await find_key(state.db.system, token)
    assert key is not None
    assert key.role == "reader"
    assert await find_key(state.db.system, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    async with make_client(state, token) as c:
        assert (await c.get("/api/v1/summary")).status_code == 200
        assert await revoke_key(state.db.system, key.key_id)
        assert (await c.get("/api/v1/summary")).status_code == 401


async def test_rate_limit_answers_429_with_retry_after(state: AppState, admin_token: str) -> None:
    limited = dataclasses.replace(state, settings=dataclasses.replace(state.settings, rate_limit=1, rate_burst=3))
    async with make_client(limited, admin_token) as c:
        statuses = [(await c.get("/api/v1/connectors")).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3:] == [429, 429]
        response = await c.get("/api/v1/connectors")
        assert response.json()["error"]["code"] == "RATE_LIMITED"
        assert int(response.headers["retry-after"]) >= 1


async def test_auth_off_acts_as_admin_of_the_default_organization(state: AppState) -> None:
    off = dataclasses.replace(state, settings=dataclasses.replace(state.settings, auth=False))
    async with make_client(off, None) as c:
        assert (await c.get("/api/v1/connectors")).status_code == 200
        assert (
            await c.post("/api/v1/connectors", json={"name": "x", "direction": "inbound", "type": "partner"})
        ).status_code == 201
    assert httpx  # the client above is httpx's
