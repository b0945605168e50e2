"""The report reads: each one statement over the hourly rollups, shaped into a few Python objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import asyncpg

from api.errors import bad_argument
from api.window import Window
from db import sql
from db.connectors import Connector


def share(part: int, total: int) -> float:
    """A percentage rounded half up to one decimal; 0 when there is no traffic."""
    if not total:
        return 0.0
    return float((Decimal(100 * part) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Counts:
    """Messages per TLS bucket, and their total (both counted by the database)."""

    total: int = 0
    by_bucket: dict[str, int] = field(default_factory=dict)

    def messages(self, bucket: str) -> int:
        return self.by_bucket.get(bucket, 0)

    def share(self, bucket: str) -> float:
        return share(self.messages(bucket), self.total)

    def add(self, bucket: str | None, messages: int) -> None:
        if bucket is None:
            self.total = messages
        else:
            self.by_bucket[bucket] = messages


async def _fetch_in_zone(db: sql.Executor, name: str, *args: object) -> list[asyncpg.Record]:
    try:
        return await sql.fetch(db, name, *args)
    except asyncpg.InvalidParameterValueError:  # a zone Python knows but this PostgreSQL does not
        raise bad_argument("time_zone", "is not a time zone this database knows") from None


async def count_messages_by_direction(db: sql.Executor, org_id: int, window: Window) -> dict[str, Counts]:
    rows = await sql.fetch(db, "reports/count_messages_by_direction", org_id, window.start, window.end)
    result = {"inbound": Counts(), "outbound": Counts()}
    for r in rows:
        result[r["direction"]].add(r["tls_bucket"], r["messages"])
    return result


@dataclass
class Breakdown:
    window: Window
    total: Counts
    daily: dict[date, Counts]


async def count_messages_by_day(
    db: sql.Executor, org_id: int, window: Window, directions: tuple[str, ...], connector_id: int | None
) -> Breakdown:
    rows = await _fetch_in_zone(
        db,
        "reports/count_messages_by_day",
        org_id,
        window.start,
        window.end,
        window.time_zone,
        list(directions),
        connector_id,
    )
    total = Counts()
    daily: dict[date, Counts] = {}
    for r in rows:
        day = r["day"]
        if day is None:
            total.add(r["tls_bucket"], r["messages"])
        else:
            daily.setdefault(day, Counts()).add(r["tls_bucket"], r["messages"])
    return Breakdown(window, total, dict(sorted(daily.items())))


@dataclass
class ConnectorRow:
    day: date | None
    connector: Connector
    counts: Counts


@dataclass
class ConnectorReport:
    window: Window
    rows: list[ConnectorRow]
    totals: list[ConnectorRow]


async def connector_report(
    db: sql.Executor,
    org_id: int,
    window: Window,
    directions: tuple[str, ...],
    connector_type: str | None,
    name_prefix: str | None,
) -> ConnectorReport:
    rows = await _fetch_in_zone(
        db,
        "reports/connector_report",
        org_id,
        window.start,
        window.end,
        window.time_zone,
        list(directions),
        connector_type,
        name_prefix,
    )
    groups: dict[tuple[date | None, str, int], ConnectorRow] = {}
    for r in rows:
        key = (r["day"], r["direction"], r["connector_id"])
        row = groups.get(key)
        if row is None:
            connector = Connector(r["connector_id"], r["name"], r["direction"], r["type"], r["forced_tls"])
            row = groups[key] = ConnectorRow(r["day"], connector, Counts())
        row.counts.add(r["tls_bucket"], r["messages"])
    daily = [g for g in groups.values() if g.day is not None]
    totals = [g for g in groups.values() if g.day is None]
    return ConnectorReport(window, daily, totals)


async def traffic_by_connector(
    db: sql.Executor, org_id: int, window: Window, keys: list[tuple[int, str]]
) -> list[Counts]:
    """Counts for each (connector_id, direction) key, in key order."""
    ids = [k[0] for k in keys]
    directions = [k[1] for k in keys]
    rows = await sql.fetch(
        db, "reports/traffic_by_connector", org_id, window.start, window.end, ids, directions
    )
    result = {k: Counts() for k in keys}
    for r in rows:
        result[(r["connector_id"], r["direction"])].add(r["tls_bucket"], r["messages"])
    return [result[k] for k in keys]
