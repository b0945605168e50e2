"""The feed's end (where insightEvents starts without a cursor): one statement however many events are
stored, the cursor paging through all of them reaches, and what follows it is only what is new."""

from __future__ import annotations

import asyncio

import httpx

from api.context import AppState
from db.sql import count_statements
from services import insights
from tests.factories import add_connector
from tests.insights.helpers import feed, records


async def visible(state: AppState, after: str | None, count: int) -> insights.EventPage:
    """A page once it holds `count` events (an event is held back while an older transaction on the server
    is open: on a busy shared server, for a moment)."""
    for _ in range(1200):  # a minute at most
        page = await insights.events_page(state.pool, state.org_id, after, None, 1000)
        if len(page.events) >= count:
            return page
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} events after {after}")


async def test_the_end_is_one_statement_and_only_new_events_follow_it(
    client: httpx.AsyncClient, state: AppState
) -> None:
    assert await insights.feed_end(state.pool, state.org_id) == "0-0"  # no event yet: from the start
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await feed(client, records({"TLS1.0": 100}, "inbound", "Fabrikam"))  # created
    for n in range(3):
        await feed(client, records({"TLS1.0": 1 + n}, "inbound", "Fabrikam"))  # updated
    paged = await visible(state, None, 4)
    with count_statements() as statements:
        end = await insights.feed_end(state.pool, state.org_id)
    assert statements == ["insights/insight_events_end"]
    assert end == paged.next == paged.events[-1]["cursor"]
    await feed(client, records({"TLS1.0": 7}, "inbound", "Fabrikam"))
    (new,) = (await visible(state, end, 1)).events
    assert new["type"] == "updated"
    assert insights.parse_cursor(new["cursor"]) > insights.parse_cursor(end)
