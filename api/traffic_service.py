"""The traffic reports (the summary, the TLS breakdown, the connector table) as REST and GraphQL ask for them:
arguments checked, then one db call each (db/traffic_counts.py); the retention a report window is told of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.context import AppState
from api.errors import bad_argument
from api.window import directions, last_days, make_window
from core.errors import UnknownTimeZone
from core.window import Window
from db.connectors import connectors_by_id
from db.messages import retained_from
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


def retention(app: AppState) -> Retention:
    return Retention(retained_from(app.settings.retention_days), app.settings.retention_days)


async def summary(app: AppState) -> tuple[Window, dict[str, Counts]]:
    window = last_days()
    return window, await count_messages_by_direction(app.pool, app.org_id, window)


def _id_argument(value: str | int, name: str, what: str) -> int:
    # ASCII digits only: int() also takes " 1", "1_0", and digits of other scripts
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) >= 2**63:  # ids are bigints
        raise bad_argument(name, f"{value!r} is not {what}")
    return int(text)


def text_argument(value: str | None, name: str) -> str | None:
    """A free-text filter: empty is none; a NUL (which PostgreSQL cannot hold) is refused, naming the argument."""
    if value is not None and "\x00" in value:
        raise bad_argument(name, "contains a NUL character")
    return value or None


def connector_id_argument(value: str | int | None, name: str = "connector") -> int | None:
    return None if value is None else _id_argument(value, name, "a connector id")


def insight_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "an insight id")


def webhook_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "a webhook id")


def endpoint_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "a reporting endpoint id")


def mailbox_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "a mailbox id")


async def tls_breakdown(
    app: AppState,
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
        raise bad_argument(connector_argument, "client submissions come over no connector")
    if connector_id:  # 0 is the internet without a connector
        (found,) = await connectors_by_id(app.pool, app.org_id, [connector_id])
        if found is None:
            raise bad_argument(connector_argument, f"there is no connector {connector_id}")
    try:
        return await count_messages_by_day(app.pool, app.org_id, window, chosen, connector_id)
    except UnknownTimeZone as exc:
        raise bad_argument("time_zone", str(exc)) from None


async def connector_table(
    app: AppState,
    direction: str | None,
    connector_type: str | None,
    connector_name: str | None,
    start: datetime | None,
    end: datetime | None,
    time_zone: str | None,
) -> ConnectorReport:
    chosen = directions(direction)
    if chosen == ("submission",):
        raise bad_argument(
            "direction",
            "client submissions come over no connector: their TLS breakdown is /api/v1/client-submissions "
            "(GraphQL clientSubmissions)",
        )
    if connector_type is not None and connector_type not in CONNECTOR_TYPES:
        raise bad_argument("connector_type", f"{connector_type!r} is not partner, on_premises or internet")
    name = text_argument(connector_name, "connector_name")
    window = make_window(start, end, time_zone)
    try:
        return await connector_report(app.pool, app.org_id, window, chosen, connector_type, name)
    except UnknownTimeZone as exc:
        raise bad_argument("time_zone", str(exc)) from None
