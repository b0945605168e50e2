"""GraphQL subscriptions over WebSocket (graphql-transport-ws): the key in connection_init, insightEvents
and mailFlowSummary sent after an ingest through another server process, a reconnect with a cursor that
misses nothing. The servers poll once a minute only, so what reaches a subscriber within WAIT came by the
ingesting process's NOTIFY."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.cli.helpers import api_server, new_key
from tests.insights.helpers import records

EVENTS = (
    "subscription($after: String) { insightEvents(after: $after) { cursor type insight { rule connector { name } } } }"
)
SUMMARY = "subscription { mailFlowSummary { inbound { total } } }"
WAIT = 10  # seconds: changes are notified at once
POLL_SECONDS = "60"  # the fallback poll, too slow to pass for a notification


@pytest.fixture
def two_servers(dsn: str) -> Iterator[tuple[str, str, str]]:
    org = f"subs-{uuid.uuid4().hex[:8]}"
    with (
        api_server(dsn, org, MAILFLOW_POLL_SECONDS=POLL_SECONDS) as one,
        api_server(dsn, org, MAILFLOW_POLL_SECONDS=POLL_SECONDS) as two,
    ):
        yield one, two, new_key(dsn, org)


@asynccontextmanager
async def session(server: str, token: str | None) -> AsyncIterator[ClientConnection]:
    url = server.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())
        yield ws


async def subscribe(ws: ClientConnection, query: str, **variables: Any) -> None:
    ack = orjson.loads(await asyncio.wait_for(ws.recv(), WAIT))
    assert ack["type"] == "connection_ack"
    message = {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
    await ws.send(orjson.dumps(message).decode())


async def next_data(ws: ClientConnection) -> dict[str, Any]:
    frame = await asyncio.wait_for(ws.recv(), WAIT)
    assert isinstance(frame, str)  # text frames, as graphql-transport-ws clients expect
    message = orjson.loads(frame)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    data: dict[str, Any] = message["payload"]["data"]
    return data


async def ingest(server: str, token: str, recs: list[dict[str, Any]]) -> None:
    # a fresh server's first ingest on a loaded Citus cluster took 3-8 s (its connections' first statements)
    async with httpx.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=60) as client:
        response = await client.post(f"{server}/api/v1/messages", json=recs)
        assert response.status_code == 200, response.text


async def fabrikam(server: str, token: str) -> None:
    async with httpx.AsyncClient(headers={"authorization": f"Bearer {token}"}) as client:
        body = {"name": "Fabrikam", "direction": "inbound", "type": "partner"}
        assert (await client.post(f"{server}/api/v1/connectors", json=body)).status_code == 201


async def test_summary_is_sent_again_after_an_ingest_through_another_process(
    two_servers: tuple[str, str, str],
) -> None:
    one, two, token = two_servers
    async with session(one, token) as ws:
        await subscribe(ws, SUMMARY)
        assert (await next_data(ws))["mailFlowSummary"]["inbound"]["total"] == 0
        await ingest(two, token, records({"TLS1.2": 7}))
        assert (await next_data(ws))["mailFlowSummary"]["inbound"]["total"] == 7
        await ingest(two, token, records({"TLS1.3": 3}))
        assert (await next_data(ws))["mailFlowSummary"]["inbound"]["total"] == 10


async def test_insight_events_and_a_reconnect_that_misses_nothing(two_servers: tuple[str, str, str]) -> None:
    one, two, token = two_servers
    await fabrikam(two, token)
    async with session(one, token) as ws:
        await subscribe(ws, EVENTS)
        await ingest(two, token, records({"TLS1.0": 100}, "inbound", "Fabrikam"))  # opens an insight
        created = (await next_data(ws))["insightEvents"]
        assert created["type"] == "created"
        assert created["insight"]["connector"]["name"] == "Fabrikam"
    # while nobody listens: two more events (updated, then resolved by TLS 1.3 mail)
    await ingest(two, token, records({"TLS1.0": 50}, "inbound", "Fabrikam"))
    await ingest(two, token, records({"TLS1.3": 100_000 // 20}, "inbound", "Fabrikam"))
    async with session(one, token) as ws:
        await subscribe(ws, EVENTS, after=created["cursor"])
        missed = [(await next_data(ws))["insightEvents"] for _ in range(2)]
        assert [e["type"] for e in missed] == ["updated", "resolved"]


async def test_a_connection_without_a_valid_key_is_refused(two_servers: tuple[str, str, str]) -> None:
    one, _, _ = two_servers
    for token in (None, "mf_1_1_not-a-real-key"):
        async with session(one, token) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), WAIT)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4403


async def test_a_bad_cursor_is_an_error_not_a_silent_stream(two_servers: tuple[str, str, str]) -> None:
    one, _, token = two_servers
    async with session(one, token) as ws:
        await subscribe(ws, EVENTS, after="not-a-cursor")
        message = orjson.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert message["type"] in ("error", "next")
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert "is not a cursor" in errors[0]["message"]
