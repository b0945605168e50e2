"""Outbound transit security: deliveries per day by security level, blocked deliveries, recipient domains not
supporting TLS. One statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db import sql

LEVELS = ("dane", "mta_sts", "verified", "opportunistic", "none", "unknown")


@dataclass
class TransitSecurity:
    days: list[dict[str, Any]]  # {"day", every level, "blocked"}
    blocked: list[dict[str, Any]]  # {"recipient_domain", "reason", "deliveries", "first_seen", "last_seen"}
    without_tls: list[dict[str, Any]]  # {"domain", "deliveries", "first_day", "last_day"}


async def transit_security(
    db: sql.Executor, org_id: int, days: tuple[date, date], window: tuple[datetime, datetime], top: int
) -> TransitSecurity:
    row = await sql.fetchrow(db, "transit_security/transit_security", org_id, *days, *window, top)
    assert row is not None
    return TransitSecurity(row["days"], row["blocked"], row["without_tls"])
