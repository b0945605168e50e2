"""Message counts per TLS bucket for the traffic reports: each one statement over the rollups
(db/queries/traffic_counts/), shaped into a few Python objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import asyncpg

from core.errors import UnknownTimeZone
from core.window import Window
from db import sql
from db.connectors import Connector


def share(part: int, total: int) -> float:
    """A percentage rounded half up to one decimal; 0 when there is no traffic."""
    if not total:
        return 0.0
    # tenths of a percent, rounded half up, in exact integer arithmetic
    return ((2000 * part + total) // (2 * total)) / 10


# rollup column for each TLS bucket
COLUMNS = {
    "none": "no_tls",
    "TLS1.0": "tls10",
    "TLS1.1": "tls11",
    "TLS1.2": "tls12",
    "TLS1.3": "tls13",
    "unknown": "unknown",
}


@dataclass
class Counts:
    """Messages per TLS bucket, and their total (all counted by the database)."""

    total: int = 0
    by_bucket: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, row: asyncpg.Record) -> Counts:
        return cls(row["messages"] or 0, {b: row[c] or 0 for b, c in COLUMNS.items()})

    def messages(self, bucket: str) -> int:
        return self.by_bucket.get(bucket, 0)

    def share(self, bucket: str) -> float:
        return share(self.messages(bucket), self.total)

    def shares(self) -> dict[str, float]:
        """Every bucket's share, in bucket order."""
        total, counts = self.total, self.by_bucket
        return {b: share(counts.get(b, 0), total) for b in COLUMNS}


async def _fetch_in_zone(db: sql.Executor, name: str, *args: object) -> list[asyncpg.Record]:
    try:
        return await sql.fetch(db, name, *args)
    except asyncpg.InvalidParameterValueError:  # a zone Python knows but this PostgreSQL does not
        raise UnknownTimeZone("is not a time zone this database knows") from None


async def count_messages_by_direction(db: sql.Executor, org_id: int, window: Window) -> dict[str, Counts]:
    rows = await sql.fetch(
        db, "traffic_counts/count_messages_by_direction", org_id, window.start, window.end, *window.utc_days()
    )
    result = {"inbound": Counts(), "outbound": Counts(), "submission": Counts()}
    result.update((r["direction"], Counts.of(r)) for r in rows)
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
        "traffic_counts/count_messages_by_day",
        org_id,
        window.start,
        window.end,
        window.time_zone,
        list(directions),
        connector_id,
        *window.utc_days(),
    )
    daily = {r["day"]: Counts.of(r) for r in rows[:-1]}
    return Breakdown(window, Counts.of(rows[-1]), daily)  # the last row is the window's total


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
        "traffic_counts/connector_report",
        org_id,
        window.start,
        window.end,
        window.time_zone,
        list(directions),
        connector_type,
        name_prefix,
        *window.zone_days(),
    )
    connectors: dict[tuple[str, int], Connector] = {}  # one object per connector, shared by its rows
    shaped = []
    for r in rows:  # columns in the order connector_report.sql selects them
        day, direction, connector_id, name, type_, forced_tls, messages, none, tls10, tls11, tls12, tls13, unknown = r
        connector = connectors.get((direction, connector_id))
        if connector is None:
            connector = connectors[(direction, connector_id)] = Connector(
                connector_id, name, direction, type_, forced_tls
            )
        buckets = {"none": none, "TLS1.0": tls10, "TLS1.1": tls11, "TLS1.2": tls12, "TLS1.3": tls13, "unknown": unknown}
        shaped.append(ConnectorRow(day, connector, Counts(messages, buckets)))
    return ConnectorReport(window, [r for r in shaped if r.day is not None], [r for r in shaped if r.day is None])


async def traffic_by_connector(
    db: sql.Executor, org_id: int, window: Window, keys: list[tuple[int, str]]
) -> list[Counts]:
    """Counts for each (connector_id, direction) key, in key order."""
    ids = [k[0] for k in keys]
    directions = [k[1] for k in keys]
    rows = await sql.fetch(
        db, "traffic_counts/traffic_by_connector", org_id, window.start, window.end, ids, directions, *window.utc_days()
    )
    found = {(r["connector_id"], r["direction"]): Counts.of(r) for r in rows}
    return [found.get(k, Counts()) for k in keys]
