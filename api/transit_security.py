"""Outbound transit security behind both REST and GraphQL: the window's checks, then one db call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.context import AppState
from api.remote_domains import counted_warnings
from api.traffic_service import retention
from api.window import current_time, make_window
from core.window import Window
from db.transit_security import TransitSecurity, transit_security

TOP = 100  # blocked (domain, reason) pairs and domains without TLS listed at most


@dataclass
class TransitView:
    window: Window
    counted: tuple[datetime, datetime]
    retained_from: datetime
    warnings: list[str]
    figures: TransitSecurity


async def transit_view(
    app: AppState, start: datetime | None, end: datetime | None, time_zone: str | None
) -> TransitView:
    window = make_window(start, end, time_zone)
    days = window.noon_days(current_time())
    figures = await transit_security(app.pool, app.org_id, days, (window.start, window.end), TOP)
    kept = retention(app)
    counted, warnings = counted_warnings(window, days)
    return TransitView(window, counted, kept.retained_from, kept.warnings(window) + warnings, figures)
