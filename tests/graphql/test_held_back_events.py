"""insightEvents and an event the feed holds back (an older transaction still running): it is sent soon
after that transaction ends, though nothing changes then (not at the next idle read, a minute here)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
import httpx
import pytest

from api import subscriptions
from api.context import AppState
from api.insights import service as insights
from tests.factories import add_connector
from tests.insights.helpers import feed, records


async def next_event(events: AsyncGenerator[dict[str, Any], None]) -> dict[str, Any]:
    return await anext(events)


async def test_a_held_back_event_is_sent_when_the_older_transaction_ends(
    client: httpx.AsyncClient, state: AppState, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscriptions, "EVENTS_IDLE_SECONDS", 60)
    await add_connector(client, "Fabrikam", "inbound", "partner")
    events = subscriptions.new_events(state, await insights.feed_end(state))
    older = await pool.acquire()
    try:
        transaction = older.transaction()
        await transaction.start()
        await older.fetchval("select pg_current_xact_id()")  # it has an id: later ones wait for it
        await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))  # an insight's `created`
        first = asyncio.create_task(next_event(events))
        await asyncio.sleep(1)
        assert not first.done(), "sent while an older transaction was running"
        assert await insights.held_back(state, await insights.feed_end(state))
        await transaction.commit()
        event = await asyncio.wait_for(first, 30)
        assert event["type"] == "created"
    finally:
        await pool.release(older)
        await events.aclose()
