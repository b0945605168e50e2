"""Outbound transit security: deliveries per day by security level, blocked deliveries, recipient domains not
supporting TLS. One statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db import sql
from db.json_documents import jsonb_order, pg_time

LEVELS = ("dane", "mta_sts", "verified", "opportunistic", "none", "unknown")


@dataclass(frozen=True)
class TransitDay:
    """Outbound deliveries sent on one UTC day per security level (`none`: without TLS), and those blocked."""

    day: date
    dane: int
    mta_sts: int
    verified: int
    opportunistic: int
    none: int
    unknown: int
    blocked: int


@dataclass(frozen=True)
class Blocked:
    """Deliveries to one recipient domain (None: not known) refused or deferred for one reason."""

    recipient_domain: str | None
    reason: str
    deliveries: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class WithoutTls:
    """A recipient domain every delivery to which went without TLS over the days."""

    domain: str
    deliveries: int
    first_day: date
    last_day: date


@dataclass(frozen=True)
class TransitSecurity:
    days: list[TransitDay]
    blocked: list[Blocked]
    without_tls: list[WithoutTls]

    def json(self) -> dict[str, list[dict[str, Any]]]:
        """The three lists as the statement wrote them (REST answers them byte for byte): jsonb's key order,
        PostgreSQL's dates and timestamps."""
        return {
            "days": [jsonb_order({**vars(d), "day": d.day.isoformat()}) for d in self.days],
            "blocked": [
                jsonb_order({**vars(b), "first_seen": pg_time(b.first_seen), "last_seen": pg_time(b.last_seen)})
                for b in self.blocked
            ],
            "without_tls": [
                jsonb_order({**vars(w), "first_day": w.first_day.isoformat(), "last_day": w.last_day.isoformat()})
                for w in self.without_tls
            ],
        }


async def transit_security(
    db: sql.Executor, org_id: int, days: tuple[date, date], window: tuple[datetime, datetime], top: int
) -> TransitSecurity:
    row = await sql.fetchrow(db, "transit_security/transit_security", org_id, *days, *window, top)
    assert row is not None
    day, seen = date.fromisoformat, datetime.fromisoformat
    return TransitSecurity(
        [TransitDay(**{**d, "day": day(d["day"])}) for d in row["days"]],
        [
            Blocked(**{**b, "first_seen": seen(b["first_seen"]), "last_seen": seen(b["last_seen"])})
            for b in row["blocked"]
        ],
        [
            WithoutTls(**{**w, "first_day": day(w["first_day"]), "last_day": day(w["last_day"])})
            for w in row["without_tls"]
        ],
    )
