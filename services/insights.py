"""Insights: listing, dismissing, the settings of the rules, the event feed's pages and cursor. Evaluating
the rules is the engine's (api/insights/evaluate.py), which a settings change runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.arguments import digits_up_to
from core.errors import BadArgument, Conflict, Invalid, NotFound
from core.insights import InsightSettings, check_update, merge_settings
from db import insights as store
from db import sql
from db.insight_documents import Insight
from db.insights import InsightEvent
from db.pool import TenantPool
from services.wake import nudge

STATUSES = {
    "active": ["active"],
    "resolved": ["resolved"],
    "dismissed": ["dismissed"],
    "all": ["active", "resolved", "dismissed"],
}
# the event's number in its organization (db/migrations/0016; bigint), its event id (bigint)
_CURSOR = re.compile(r"([0-9]{1,19})-([0-9]{1,19})")
CURSOR = f"^{digits_up_to(2**63 - 1, 19)}-{digits_up_to(2**63 - 1, 19)}$"  # what parse_cursor takes, as a pattern
MAX_LIMIT = 5000


async def list_insights(
    pool: TenantPool, org_id: int, status: str | None, connector_id: int | None, direction: str | None = None
) -> list[Insight]:
    statuses = STATUSES.get(("active" if status is None else status).lower())
    if statuses is None:
        raise BadArgument("status", f"{status!r} is not active, resolved, dismissed or all")
    if direction is not None and direction not in ("inbound", "outbound"):
        raise BadArgument("direction", f"{direction!r} is not inbound or outbound")
    return await store.list_insights(pool, org_id, statuses, connector_id, direction)


async def dismiss(pool: TenantPool, org_id: int, insight_id: int, reason: Any) -> Insight:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 1000:
        raise Invalid(
            "a dismissal needs a reason",
            [{"field": "reason", "message": "is required: 1 to 1000 characters"}],
        )
    async with pool.acquire() as conn, conn.transaction():
        await store.lock_organization(conn, org_id)
        if not await store.dismiss(conn, org_id, insight_id, reason.strip()):
            found = await store.insight_by_id(conn, org_id, insight_id)
            if found is None:
                raise NotFound(f"there is no insight {insight_id}")
            raise Conflict(f"insight {insight_id} is {found.status}: only an active insight can be dismissed")
        await store.insert_events(conn, org_id, [(insight_id, "dismissed")])
        dismissed = await store.insight_by_id(conn, org_id, insight_id)
    assert dismissed is not None
    nudge()  # the event may have queued webhook deliveries
    return dismissed


async def load_settings(db: sql.Executor, org_id: int) -> InsightSettings:
    """The rules' defaults overlaid with the organization's settings."""
    return merge_settings(await store.settings_rows(db, org_id))


async def save_settings(pool: TenantPool, org_id: int, body: Any) -> None:
    """Check a settings update (core/insights.py: check_update) and store it (api/insights/evaluate.py:
    update_settings evaluates the rules again then, so that new thresholds apply at once)."""
    window, updates = check_update(body)
    await store.save_settings(pool, org_id, window, updates)


def parse_cursor(text: str | None) -> tuple[int, int]:
    if text is None:
        return 0, 0
    match = _CURSOR.fullmatch(text)
    if not match or int(match.group(1)) >= 2**63 or int(match.group(2)) >= 2**63:
        raise BadArgument("after", f"{text!r} is not a cursor (pass the `next` value of the previous page)")
    return int(match.group(1)), int(match.group(2))


def parse_limit(text: str | None) -> int:
    if text is None:
        return 1000
    # the length first: int() refuses (ValueError) a string of more than 4,300 digits
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not 1 <= int(text) <= MAX_LIMIT:
        raise BadArgument("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


@dataclass
class EventPage:
    events: list[dict[str, Any]]
    next: str


def event_json(event: InsightEvent) -> dict[str, Any]:
    """An insight event as the SIEM feed and webhooks give it."""
    return {
        "event_id": event.event_id,
        "cursor": f"{event.seq}-{event.event_id}",
        "type": event.kind,
        "at": event.at.isoformat(),
        "insight": event.state,
    }


async def feed_end(pool: TenantPool, org_id: int) -> str:
    """The cursor of the feed's end now (one statement): from it, only what happens from now on."""
    seq, event_id = await store.events_end(pool, org_id)
    return f"{seq}-{event_id}"


async def events_page(
    pool: TenantPool, org_id: int, after: str | None, since: datetime | None, limit: int
) -> EventPage:
    seq, event_id = parse_cursor(after)
    events = [event_json(e) for e in await store.events_after(pool, org_id, seq, event_id, since, limit)]
    return EventPage(events, events[-1]["cursor"] if events else f"{seq}-{event_id}")
