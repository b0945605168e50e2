"""Failed authentications are limited per client address (issue 20): a stream of random tokens cannot
cost a database lookup each; once an address has spent its failures it gets 429 with Retry-After, without
a lookup, while other addresses and keys it already proved go on."""

from __future__ import annotations

import dataclasses
import secrets

import httpx

from api.app import create_app
from api.auth import client_address
from api.context import AppState
from tests.graphql.helpers import gql


def random_token(state: AppState) -> str:
    return f"mf_{state.org_id}_1_{secrets.token_urlsafe(32)}"


async def test_failed_authentications_are_limited_per_address(state: AppState, admin_token: str) -> None:
    limited = dataclasses.replace(
        state, settings=dataclasses.replace(state.settings, auth_failures_per_minute=3, key_cache_seconds=60)
    )
    app = create_app(limited.settings, state=limited)

    def client(address: str, token: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
        return httpx.AsyncClient(
            transport=transport, base_url="http://mailflow.test", headers={"authorization": f"Bearer {token}"}
        )

    async with client("192.0.2.7", admin_token) as proven:
        assert (await proven.get("/api/v1/summary")).status_code == 200  # a key this address proved
    for _ in range(3):
        async with client("192.0.2.7", random_token(limited)) as guess:
            assert (await guess.get("/api/v1/summary")).status_code == 401
    async with client("192.0.2.7", random_token(limited)) as guess:
        refused = await guess.get("/api/v1/summary")
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert set(refused.json()["error"]) == {"code", "message", "details"}
        graphql = await guess.post("/graphql", json={"query": "{ viewer { role } }"})
        assert graphql.status_code == 429
        assert graphql.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    async with client("192.0.2.7", admin_token) as proven:
        assert (await proven.get("/api/v1/summary")).status_code == 200  # remembered: no lookup needed
    async with client("192.0.2.8", random_token(limited)) as other:
        assert (await other.get("/api/v1/summary")).status_code == 401  # another address has its own
    async with client("192.0.2.8", admin_token) as other:
        assert (await gql(other, "{ viewer { role } }"))["data"]["viewer"]["role"] == "admin"


def test_an_ipv6_client_is_counted_by_its_64_bit_prefix() -> None:
    assert client_address({"client": ("2001:db8:1:2:aaaa::1", 1)}) == client_address(
        {"client": ("2001:db8:1:2:bbbb::9", 2)}
    )
    assert client_address({"client": ("2001:db8:1:3::1", 1)}) != client_address({"client": ("2001:db8:1:2::1", 1)})
    assert client_address({"client": ("192.0.2.1", 1)}) != client_address({"client": ("192.0.2.2", 1)})
    assert client_address({}) == client_address({"client": None})
