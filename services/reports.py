"""The traffic reports (the summary, the TLS breakdown, the connector table): arguments checked, then one db
call each (db/traffic_counts.py); the retention a report window is told of, and what is pruned past it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from core.arguments import connector_id_argument, text_argument
from core.errors import BadArgument, UnknownTimeZone
from core.window import Window, directions, last_days, make_window
from db.connectors import connectors_by_id
from db.messages import Pruned, retained_from
from db.messages import prune as prune_store
from db.pool import TenantPool
from db.traffic_counts import (
    Breakdown,
    ConnectorReport,
    Counts,
    connector_report,
    count_messages_by_day,
    count_messages_by_direction,
)

CONNECTOR_TYPES = ("partner", "on_premises", "internet")


@dataclass(frozen=True)
class Retention:
    """What the store keeps: from midnight (UTC) `days` days ago."""

    retained_from: datetime
    days: int

    def warnings(self, window: Window) -> list[str]:
        if window.start >= self.retained_from:
            return []
        return [
            f"the window starts before {self.retained_from.isoformat()}, the oldest data kept "
            f"(MAILFLOW_RETENTION_DAYS={self.days}): the time before it shows no messages because none are kept"
        ]


def retention(days: int) -> Retention:
    """The retention of MAILFLOW_RETENTION_DAYS=`days`: kept from midnight (UTC) that many days ago."""
    return Retention(retained_from(days), days)


async def prune(system: asyncpg.Pool, retention_days: int) -> Pruned:
    """Remove what is older than MAILFLOW_RETENTION_DAYS=`retention_days`, for every organization (the
    server daily, `mailflow prune` at once)."""
    return await prune_store(system, retention_days)


async def summary(pool: TenantPool, org_id: int) -> tuple[Window, dict[str, Counts]]:
    """The last seven days' counts per direction."""
    window = last_days()
    return window, await count_messages_by_direction(pool, org_id, window)


async def tls_breakdown(
    pool: TenantPool,
    org_id: int,
    direction: str | None,
    start: datetime | None,
    end: datetime | None,
    time_zone: str | None,
    connector: str | int | None,
    connector_argument: str = "connector",
) -> Breakdown:
    chosen = directions(direction)
    window = make_window(start, end, time_zone)
    connector_id = connector_id_argument(connector, connector_argument)
    if connector_id is not None and chosen == ("submission",):
        raise BadArgument(connector_argument, "client submissions come over no connector")
    if connector_id:  # 0 is the internet without a connector
        (found,) = await connectors_by_id(pool, org_id, [connector_id])
        if found is None:
            raise BadArgument(connector_argument, f"there is no connector {connector_id}")
    try:
        return await count_messages_by_day(pool, org_id, window, chosen, connector_id)
    except UnknownTimeZone as exc:
        raise BadArgument("time_zone", str(exc)) from None


async def connector_table(
    pool: TenantPool,
    org_id: int,
    direction: str | None,
    connector_type: str | None,
    connector_name: str | None,
    start: datetime | None,
    end: datetime | None,
    time_zone: str | None,
) -> ConnectorReport:
    chosen = directions(direction)
    if chosen == ("submission",):
        raise BadArgument(
            "direction",
            "client submissions come over no connector: their TLS breakdown is /api/v1/client-submissions "
            "(GraphQL clientSubmissions)",
        )
    if connector_type is not None and connector_type not in CONNECTOR_TYPES:
        raise BadArgument("connector_type", f"{connector_type!r} is not partner, on_premises or internet")
    name = text_argument(connector_name, "connector_name")
    window = make_window(start, end, time_zone)
    try:
        return await connector_report(pool, org_id, window, chosen, connector_type, name)
    except UnknownTimeZone as exc:
        raise BadArgument("time_zone", str(exc)) from None
