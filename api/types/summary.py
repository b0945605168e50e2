"""mailFlowSummary and tlsBreakdown types."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from api.types.enums import Direction
from api.types.traffic import Traffic, VersionRow, version_counts, versions_field
from db.traffic_counts import Breakdown
from services.reports import Retention


@strawberry.type(description="The dashboard widget: the last 7 days ending now, per direction.")
class MailFlowSummary:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    inbound: Traffic
    outbound: Traffic
    submission: Traffic = strawberry.field(description="client submissions, apart from inbound mail")


@strawberry.type
class DailyTraffic:
    day: date
    total: int
    versions: list[VersionRow] = versions_field()


@strawberry.type(description="Messages protected in transit: totals per TLS bucket and a daily series.")
class TlsBreakdown:
    direction: Direction
    from_: datetime = strawberry.field(name="from")
    to: datetime
    time_zone: str
    total: int
    versions: list[VersionRow] = versions_field()
    daily: list[DailyTraffic]
    retained_from: datetime = strawberry.field(description="the oldest moment whose data the store keeps")
    warnings: list[str] = strawberry.field(description="what the figures cannot show, e.g. days before retention")

    @classmethod
    def of(cls, direction: Direction, breakdown: Breakdown, kept: Retention) -> TlsBreakdown:
        return cls(
            direction=direction,
            from_=breakdown.window.start,
            to=breakdown.window.end,
            time_zone=breakdown.window.time_zone,
            total=breakdown.total.total,
            versions=version_counts(breakdown.total),
            daily=[
                DailyTraffic(day=day, total=c.total, versions=version_counts(c)) for day, c in breakdown.daily.items()
            ],
            retained_from=kept.retained_from,
            warnings=kept.warnings(breakdown.window),
        )
