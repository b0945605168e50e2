"""GraphQL subscriptions over WebSocket (`graphql-transport-ws` at /graphql): who a connection acts for.

The API key comes in `connection_init`'s payload (`{"authorization": "Bearer …"}`). A subscription (api/schema.py)
sends again when its organization's data changes (api/watcher.py), from any server process.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from strawberry.exceptions import ConnectionRejectionError

from api.context import AppState
from db.keys import find_key
from services import insights

EVENTS_PAGE = 100
# Events are numbered in commit order (db/migrations/0016): none is ever held back behind an older transaction,
# so a subscriber reads at each change of its organization's data, and every EVENTS_IDLE_SECONDS anyway.
EVENTS_IDLE_SECONDS = 5.0


async def authorize(shared: AppState, params: Any) -> AppState:
    """The state a WebSocket connection acts with: its key's, from `connection_init`'s payload (or, with
    MAILFLOW_AUTH=off, the server's organization as admin). A missing or unknown key closes the
    connection (4403 Forbidden, as graphql-transport-ws does)."""
    if not shared.settings.auth:
        return shared.for_key(shared.org_id, "admin")
    given = params.get("authorization") if isinstance(params, dict) else None
    token = given[7:].strip() if isinstance(given, str) and given[:7].lower() == "bearer " else ""
    key = await find_key(shared.db.system, token) if token else None
    if key is None:
        raise ConnectionRejectionError({"message": 'an API key is required: {"authorization": "Bearer <token>"}'})
    return shared.for_key(key.org_id, key.role)


async def new_events(app: AppState, cursor: str) -> AsyncGenerator[dict[str, Any], None]:
    """Each insight event after `cursor`, in the feed's order, as soon as the feed gives it: read again at
    every change of the organization's data (api/watcher.py)."""
    assert app.watcher is not None
    async for _ in app.watcher.changes(app.org_id, idle=EVENTS_IDLE_SECONDS):
        while True:
            page = await insights.events_page(app.pool, app.org_id, cursor, None, EVENTS_PAGE)
            for event in page.events:
                yield event
            cursor = page.next
            if len(page.events) < EVENTS_PAGE:
                break
