"""insightEvents and an unrelated transaction left open: events are numbered in commit order
(db/migrations/0016), so a new event is sent at once, not held back until that transaction ends."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from api import subscriptions
from api.context import AppState
from services import insights
from tests.factories import add_connector
from tests.insights.helpers import feed, records


async def test_an_event_is_sent_while_an_older_transaction_is_open(
    client: httpx.AsyncClient, state: AppState, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscriptions, "EVENTS_IDLE_SECONDS", 60)  # only a change may wake the reader
    await add_connector(client, "Fabrikam", "inbound", "partner")
    events = subscriptions.new_events(state, await insights.feed_end(state.pool, state.org_id))
    older = await pool.acquire()
    try:
        async with older.transaction():
            await older.fetchval("select pg_current_xact_id()")  # an open transaction with an id, older
            first = asyncio.create_task(anext(events))
            await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))  # an insight's `created`
            event = await asyncio.wait_for(first, 30)  # sent while the older one is still open
            assert event["type"] == "created"
            assert event["cursor"] == await insights.feed_end(state.pool, state.org_id)
    finally:
        await pool.release(older)
        await events.aclose()
