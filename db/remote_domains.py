"""Who is at the other end: remote domains over the remote-party daily rollup, remote servers over the
messages of a window. Each one statement; Python only reshapes its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from db import sql
from db.traffic_counts import COLUMNS, Counts

PARTY = "party"  # the sender's domain (inbound) or the recipient's (outbound)
SERVER = "server"  # the remote server's registrable domain


def _counts(row: asyncpg.Record) -> Counts:
    return Counts(row["messages"], {bucket: row[column] for bucket, column in COLUMNS.items()})


def _known(text: str) -> str | None:
    return text or None  # '' is "not known"


@dataclass(frozen=True)
class RemoteQuery:
    """What a remote-domains or remote-hosts page asks for (checked by api/remote_domains.py)."""

    direction: str
    by: str  # PARTY or SERVER
    connector_id: int | None
    bucket: str | None  # only the rows with messages in this TLS bucket
    sort: str  # "volume" or a TLS bucket
    limit: int


@dataclass
class RemoteDomain:
    domain: str | None  # None: not known (a null sender, a server without a name)
    counts: Counts
    first_day: date
    last_day: date
    sort_count: int


@dataclass
class RemoteDomainPage:
    total: int  # domains on every page
    rows: list[RemoteDomain]
    next: tuple[int, str] | None  # (sort count, domain) of the last row; None: the last page


async def remote_domains(
    db: sql.Executor, org_id: int, query: RemoteQuery, days: tuple[date, date], after: tuple[int, str] | None
) -> RemoteDomainPage:
    after_count, after_domain = after or (None, None)
    rows = await sql.fetch(
        db, "remote_domains/remote_domains", org_id, query.direction, query.by, query.connector_id, *days,
        query.bucket, query.sort, query.limit + 1, after_count, after_domain,
    )  # fmt: skip
    found = [
        RemoteDomain(_known(r["domain"]), _counts(r), r["first_day"], r["last_day"], r["sort_count"])
        for r in rows
        if r["domain"] is not None
    ]
    more = len(found) > query.limit
    shown = found[: query.limit]
    last = shown[-1] if more else None
    return RemoteDomainPage(rows[0]["total"], shown, (last.sort_count, last.domain or "") if last else None)


@dataclass
class RemoteHost:
    host: str | None  # the name as logged
    ip: str | None
    server_domain: str | None
    counts: Counts
    first_seen: datetime
    last_seen: datetime
    sort_count: int


def _host(r: asyncpg.Record) -> RemoteHost:
    known = _known
    return RemoteHost(
        known(r["host"]),
        known(r["ip"]),
        known(r["server_domain"]),
        _counts(r),
        r["first_seen"],
        r["last_seen"],
        r["sort_count"],
    )


HostCursor = tuple[int, str, str]  # (sort count, host, ip) of the last row of a page


@dataclass
class RemoteHostPage:
    total: int
    rows: list[RemoteHost]
    next: HostCursor | None


async def remote_hosts(
    db: sql.Executor,
    org_id: int,
    query: RemoteQuery,
    window: tuple[datetime, datetime],
    domain: str | None,
    after: HostCursor | None,
) -> RemoteHostPage:
    after_count, after_host, after_ip = after or (None, None, None)
    rows = await sql.fetch(
        db, "remote_domains/remote_hosts", org_id, query.direction, *window, query.connector_id, query.by, domain,
        query.bucket, query.sort, query.limit + 1, after_count, after_host, after_ip,
    )  # fmt: skip
    found = [_host(r) for r in rows if r["host"] is not None]
    more = len(found) > query.limit
    shown = found[: query.limit]
    last = shown[-1] if more else None
    return RemoteHostPage(rows[0]["total"], shown, (last.sort_count, last.host or "", last.ip or "") if last else None)
