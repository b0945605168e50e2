"""remoteDomains and remoteHosts: who is at the other end of the figures, a page at a time."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Self

import strawberry

from api.types.connector_report import TlsCounts
from db.remote_domains import RemoteDomain as DomainRow
from db.remote_domains import RemoteDomainPage, RemoteHostPage
from db.remote_domains import RemoteHost as HostRow
from db.traffic_counts import Counts
from services.remote_domains import View


@strawberry.enum(
    description="Which remote domain a row is: the sender's (inbound mail), the recipient's (outbound mail), or "
    "the remote server's registrable domain (either direction)."
)
class RemoteParty(Enum):
    SENDER_DOMAIN = "sender_domain"
    RECIPIENT_DOMAIN = "recipient_domain"
    SERVER_DOMAIN = "server_domain"


@strawberry.type(description="Volume and TLS shares (percent) of one remote party.")
class RemoteFigures:
    volume: int
    no_tls: float
    tls10: float
    tls11: float
    tls12: float
    tls13: float
    unknown: float
    tally: strawberry.Private[Counts]

    @strawberry.field(description="messages per TLS bucket")
    def counts(self) -> TlsCounts:
        return TlsCounts.of(self.tally)

    @classmethod
    def figures(cls, c: Counts, **more: Any) -> Self:
        none, tls10, tls11, tls12, tls13, unknown = c.shares().values()  # in bucket order
        return cls(
            volume=c.total, no_tls=none, tls10=tls10, tls11=tls11, tls12=tls12, tls13=tls13, unknown=unknown,
            tally=c, **more,
        )  # fmt: skip


@strawberry.type(description="A remote domain over the window: volume, TLS shares and counts, days seen.")
class RemoteDomain(RemoteFigures):
    domain: str | None = strawberry.field(description="null: not known (a null sender, a server without a name)")
    first_day: date = strawberry.field(description="the first UTC day with mail in the window")
    last_day: date

    @classmethod
    def of(cls, row: DomainRow) -> RemoteDomain:
        return cls.figures(row.counts, domain=row.domain, first_day=row.first_day, last_day=row.last_day)


@strawberry.type(description="A remote server (name as logged and address) over the window's messages.")
class RemoteHost(RemoteFigures):
    host: str | None = strawberry.field(description="null: not logged")
    ip: str | None
    server_domain: str | None = strawberry.field(description="the host's registrable domain; null: none")
    first_seen: datetime
    last_seen: datetime

    @classmethod
    def of(cls, row: HostRow) -> RemoteHost:
        return cls.figures(
            row.counts, host=row.host, ip=row.ip, server_domain=row.server_domain, first_seen=row.first_seen,
            last_seen=row.last_seen,
        )  # fmt: skip


@strawberry.type
class RemotePage:
    direction: str
    by: RemoteParty
    from_: datetime = strawberry.field(name="from")
    to: datetime
    time_zone: str
    sort: str = strawberry.field(description="volume, or the TLS bucket whose count orders the rows")
    total: int = strawberry.field(description="the rows on every page")
    next: str | None = strawberry.field(description="pass as `cursor` for the next page; null: the last page")
    retained_from: datetime = strawberry.field(description="the oldest moment whose data the store keeps")
    warnings: list[str]

    @staticmethod
    def common(view: View, total: int) -> dict[str, Any]:
        return {
            "direction": view.direction,
            "by": RemoteParty(view.by),
            "from_": view.window.start,
            "to": view.window.end,
            "time_zone": view.window.time_zone,
            "sort": view.sort,
            "total": total,
            "next": view.next,
            "retained_from": view.retained_from,
            "warnings": view.warnings,
        }


@strawberry.type(description="Remote domains, most first by the sort count, one page of them.")
class RemoteDomainList(RemotePage):
    counted_from: datetime = strawberry.field(description="the figures count whole UTC days: from this midnight")
    counted_to: datetime
    rows: list[RemoteDomain]

    @classmethod
    def of(cls, view: View, page: RemoteDomainPage) -> RemoteDomainList:
        assert view.counted is not None
        return cls(
            **cls.common(view, page.total),
            counted_from=view.counted[0],
            counted_to=view.counted[1],
            rows=[RemoteDomain.of(r) for r in page.rows],
        )


@strawberry.type(description="Remote servers, most first by the sort count, one page of them.")
class RemoteHostList(RemotePage):
    rows: list[RemoteHost]

    @classmethod
    def of(cls, view: View, page: RemoteHostPage) -> RemoteHostList:
        return cls(**cls.common(view, page.total), rows=[RemoteHost.of(r) for r in page.rows])
