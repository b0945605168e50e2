"""Outbound transit security behind both REST and GraphQL: the window's checks, then one db call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.window import Window, current_time, make_window
from db.pool import TenantPool
from db.transit_security import TransitSecurity, transit_security
from services.remote_domains import counted_warnings
from services.reports import retention

TOP = 100  # blocked (domain, reason) pairs and domains without TLS listed at most


@dataclass
class TransitView:
    window: Window
    counted: tuple[datetime, datetime]
    retained_from: datetime
    warnings: list[str]
    figures: TransitSecurity


async def transit_view(
    pool: TenantPool,
    org_id: int,
    retention_days: int,
    start: datetime | None,
    end: datetime | None,
    time_zone: str | None,
) -> TransitView:
    window = make_window(start, end, time_zone)
    days = window.noon_days(current_time())
    figures = await transit_security(pool, org_id, days, (window.start, window.end), TOP)
    kept = retention(retention_days)
    counted, warnings = counted_warnings(window, days)
    return TransitView(window, counted, kept.retained_from, kept.warnings(window) + warnings, figures)
