"""tlsReportList: the stored TLS reports of a window, newest first, a page at a time."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.window import Window
from db.tls_reports import ReportPage, ReportSummary


@strawberry.type(description="A stored TLS report in brief; tlsReport(id) gives it in full.")
class TlsReportSummary:
    id: strawberry.ID
    organization_name: str = strawberry.field(description="the sender")
    report_id: str = strawberry.field(description="the sender's report id")
    from_: datetime = strawberry.field(name="from")
    to: datetime
    policy_domains: list[str]
    successful: int = strawberry.field(
        description="a domain's sessions counted once (sts and tlsa alike); accepted domains' only"
    )
    failed: int
    flagged: bool = strawberry.field(description="a policy domain is not one of the organization's accepted domains")
    foreign_domains: list[str] = strawberry.field(description="those domains: shown, not counted")
    flag_reason: str | None

    @classmethod
    def of(cls, row: ReportSummary) -> TlsReportSummary:
        return cls(
            id=strawberry.ID(str(row.id)),
            organization_name=row.organization_name,
            report_id=row.report_id,
            from_=row.start,
            to=row.end,
            policy_domains=row.policy_domains,
            successful=row.successful,
            failed=row.failed,
            flagged=row.flagged,
            foreign_domains=row.foreign_domains,
            flag_reason=row.flag_reason,
        )


@strawberry.type(description="The reports whose range starts in the window, newest first, one page of them.")
class TlsReportList:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    total: int = strawberry.field(description="the reports on every page")
    next: str | None = strawberry.field(description="pass as `after` for the next page; null: the last page")
    reports: list[TlsReportSummary]

    @classmethod
    def of(cls, window: Window, page: ReportPage, next_cursor: str | None) -> TlsReportList:
        return cls(
            from_=window.start,
            to=window.end,
            total=page.total,
            next=next_cursor,
            reports=[TlsReportSummary.of(r) for r in page.reports],
        )
