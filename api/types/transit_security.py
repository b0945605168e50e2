"""transitSecurity: outbound deliveries by security level, blocked deliveries, domains not supporting TLS."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from db import transit_security as db
from services.transit_security import TransitView


@strawberry.type(description="Outbound deliveries sent on one UTC day, per transit security level.")
class TransitDay:
    day: date
    dane: int
    mta_sts: int
    verified: int = strawberry.field(description="certificate verified, policy not known")
    opportunistic: int = strawberry.field(description="TLS without verification")
    none: int
    unknown: int
    blocked: int = strawberry.field(description="refused or deferred because TLS was required: not sent")

    @classmethod
    def of(cls, d: db.TransitDay) -> TransitDay:
        return cls(**vars(d))


@strawberry.type(description="Deliveries to one recipient domain blocked for one reason.")
class BlockedDeliveries:
    recipient_domain: str | None = strawberry.field(description="null: not known")
    reason: str
    deliveries: int
    first_seen: datetime
    last_seen: datetime

    @classmethod
    def of(cls, b: db.Blocked) -> BlockedDeliveries:
        return cls(**vars(b))


@strawberry.type(description="A recipient domain to which every delivery went without TLS.")
class DomainWithoutTls:
    domain: str
    deliveries: int
    first_day: date
    last_day: date

    @classmethod
    def of(cls, w: db.WithoutTls) -> DomainWithoutTls:
        return cls(**vars(w))


@strawberry.type
class TransitSecurity:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    time_zone: str
    counted_from: datetime = strawberry.field(description="days and domains count whole UTC days: from this")
    counted_to: datetime
    days: list[TransitDay]
    blocked: list[BlockedDeliveries] = strawberry.field(description="most first, at most 100")
    without_tls: list[DomainWithoutTls] = strawberry.field(description="most deliveries first, at most 100")
    retained_from: datetime
    warnings: list[str]

    @classmethod
    def of(cls, view: TransitView) -> TransitSecurity:
        f = view.figures
        return cls(
            from_=view.window.start,
            to=view.window.end,
            time_zone=view.window.time_zone,
            counted_from=view.counted[0],
            counted_to=view.counted[1],
            days=[TransitDay.of(d) for d in f.days],
            blocked=[BlockedDeliveries.of(b) for b in f.blocked],
            without_tls=[DomainWithoutTls.of(w) for w in f.without_tls],
            retained_from=view.retained_from,
            warnings=view.warnings,
        )
