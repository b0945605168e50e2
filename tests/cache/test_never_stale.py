"""The response cache: every answer reflects every change committed before the request, in every
process; entries never cross organizations; memory stays bounded; relative windows roll forward."""

from __future__ import annotations

import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import orjson
import pytest

import api.cache
import core.window
from api.cache import Entry, ResponseCache, cost
from api.context import AppState
from db.keys import create_key
from db.organizations import ensure_organization
from tests.cli.helpers import api_server, new_key
from tests.factories import add_connector
from tests.graphql.helpers import gql
from tests.insights.helpers import feed, records

SUMMARY = "{ mailFlowSummary { inbound { total } } }"


async def totals(client: httpx.AsyncClient) -> tuple[int, int]:
    rest = (await client.get("/api/v1/summary")).json()["inbound"]["total"]
    graph = (await gql(client, SUMMARY))["data"]["mailFlowSummary"]["inbound"]["total"]
    return rest, graph


async def test_ingest_query_ingest_query(client: httpx.AsyncClient, state: AppState) -> None:
    assert state.cache is not None
    await feed(client, records({"TLS1.2": 3}))
    assert await totals(client) == (3, 3)
    assert await totals(client) == (3, 3)  # now from the cache
    assert len(state.cache.entries) >= 2
    await feed(client, records({"TLS1.3": 2}))
    assert await totals(client) == (5, 5)  # the second answer has the new figures at once


async def test_dismissals_and_settings_show_at_once(client: httpx.AsyncClient) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))
    (insight,) = (await client.get("/api/v1/insights")).json()["insights"]
    assert (await client.get("/api/v1/insights")).json()["insights"][0]["id"] == insight["id"]  # cached
    await client.post(f"/api/v1/insights/{insight['id']}/dismiss", json={"reason": "known"})
    assert (await client.get("/api/v1/insights")).json()["insights"] == []
    query = "{ insightSettings { windowDays } }"
    assert (await gql(client, query))["data"]["insightSettings"]["windowDays"] == 7
    await client.put("/api/v1/insight-settings", json={"window_days": 3})
    assert (await gql(client, query))["data"]["insightSettings"]["windowDays"] == 3


async def test_entries_never_cross_organizations(state: AppState, admin_token: str) -> None:
    from tests.conftest import make_client

    other_org = await ensure_organization(state.db.system, f"cache-{uuid.uuid4().hex[:8]}")
    other_token = await create_key(state.db.system, other_org, "admin", "cache")
    shared = state  # both clients use the same process-wide cache
    async with make_client(shared, admin_token) as a, make_client(shared, other_token) as b:
        await feed(a, records({"TLS1.2": 4}))
        assert await totals(a) == (4, 4)
        assert await totals(b) == (0, 0)  # the same request, another organization: not A's entry
        reader = await create_key(state.db.system, state.org_id, "reader", "cache")
        async with make_client(shared, reader) as r:
            role = (await gql(r, "{ viewer { role } }"))["data"]["viewer"]["role"]
            assert role == "reader"  # not the admin's cached answer to the same query
        assert (await gql(a, "{ viewer { role } }"))["data"]["viewer"]["role"] == "admin"


async def test_only_parsed_queries_are_cached(client: httpx.AsyncClient, state: AppState) -> None:
    """The cache decides on the parsed operation, not on the body's bytes: a mutation whose keyword is
    spelled with a JSON escape runs every time and is never stored; a query that mentions `mutation` in a
    string or a comment is cached like any other."""
    assert state.cache is not None
    escaped = (
        b'{"query": "\\u006dutation { createConnector(connector: {name: \\"Escaped\\", direction: INBOUND, '
        b'type: PARTNER}) { name } }"}'
    )
    headers = {"content-type": "application/json"}
    first = (await client.post("/graphql", content=escaped, headers=headers)).json()
    assert first == {"data": {"createConnector": {"name": "Escaped"}}}
    entries = len(state.cache.entries)
    second = (await client.post("/graphql", content=escaped, headers=headers)).json()
    assert second["errors"][0]["extensions"]["code"] == "CONFLICT"  # it ran again: the name is now taken
    assert len(state.cache.entries) == entries
    query = "{ viewer { role } } # no mutation here"
    assert (await gql(client, query))["data"]["viewer"]["role"] == "admin"
    assert len(state.cache.entries) == entries + 1


def test_memory_stays_bounded() -> None:
    cache = ResponseCache(max_bytes=10_000)
    for n in range(5_000):
        cache.put(("org", n), Entry(200, "application/json", (), b"x" * 700))
        assert cache.size <= 10_000
    assert len(cache.entries) == 10_000 // cost(("org", 4999), Entry(200, "application/json", (), b"x" * 700))
    assert cache.get(("org", 4999)) is not None
    assert cache.get(("org", 0)) is None
    cache.put(("big",), Entry(200, "application/json", (), b"x" * 5_000))  # over an eighth: not kept
    assert cache.get(("big",)) is None


def fresh(text: str) -> str:
    """`text` as a new string, as each request decodes its own."""
    return text.encode().decode()


def test_what_the_cache_counts_is_what_it_holds() -> None:
    """Small answers as the handlers make them (orjson), whose keys and objects cost more than their
    bodies: the count is never below what tracemalloc sees the cache hold, nor more than 20% above it, and
    stays within the setting."""
    max_bytes = 2 * 1024 * 1024
    tracemalloc.start()
    try:
        cache = ResponseCache(max_bytes)
        for n in range(30_000):  # as api/cache.cache_key and api/rest/http.cached make them: a request's parts anew
            query = ((fresh("from"), f"2026-11-{1 + n % 28:02d}"), (fresh("to"), fresh("2026-11-29")))
            key = (1000 + n % 50, 1000 + n, 493_000 + n % 2, "rest", fresh("/api/v1/summary"), query, fresh("*/*"))
            body = orjson.dumps({"inbound": {"total": n, "versions": [{"tlsVersion": "TLS1.3", "messages": n}] * 5}})
            cache.put(key, Entry(200, "application/json", ((fresh("x-total"), str(n)),), body))
            assert cache.size <= max_bytes
        del query, key, body
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(cache.entries) < 30_000  # it evicted
    assert held <= cache.size <= 1.2 * held


async def test_relative_windows_roll_forward(
    client: httpx.AsyncClient, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = (await client.get("/api/v1/summary")).json()
    assert (await client.get("/api/v1/summary")).json() == first  # the same hour: from the cache
    an_hour_later = core.window.current_time() + timedelta(hours=1)
    monkeypatch.setattr(core.window, "current_time", lambda: an_hour_later)
    monkeypatch.setattr(api.cache, "clock", lambda: an_hour_later.timestamp())
    second = (await client.get("/api/v1/summary")).json()
    assert datetime.fromisoformat(second["to"]) - datetime.fromisoformat(first["to"]) == timedelta(hours=1)


@pytest.fixture
def two_servers(dsn: str) -> Iterator[tuple[str, str, str]]:
    org = f"cache-{uuid.uuid4().hex[:8]}"
    with api_server(dsn, org) as one, api_server(dsn, org) as two:
        yield one, two, new_key(dsn, org)


def test_a_change_through_one_process_shows_in_the_other(two_servers: tuple[str, str, str]) -> None:
    one, two, token = two_servers
    headers = {"authorization": f"Bearer {token}"}
    for n in range(3):
        assert httpx.get(f"{one}/api/v1/summary", headers=headers).json()["inbound"]["total"] == n * 10
        body = {"query": SUMMARY}
        assert httpx.post(f"{one}/graphql", json=body, headers=headers).json()["data"]["mailFlowSummary"]["inbound"][
            "total"
        ] == n * 10  # fmt: skip
        response = httpx.post(f"{two}/api/v1/messages", json=records({"TLS1.2": 10}), headers=headers)
        assert response.json()["accepted"] == 10
