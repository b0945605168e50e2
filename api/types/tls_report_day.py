"""tlsReports: TLS report days (RFC 8460 reports, per policy domain and day)."""

from __future__ import annotations

from datetime import date

import strawberry

from db.tls_reports import ReportDay


@strawberry.type
class FailureCount:
    result_type: str
    sessions: int


@strawberry.type(description="What receiving servers reported for one policy domain on one day.")
class TlsReportDay:
    day: date
    policy_domain: str | None
    successful: int
    failed: int
    reports: int
    failures: list[FailureCount]

    @classmethod
    def of(cls, row: ReportDay) -> TlsReportDay:
        return cls(
            day=row.day,
            policy_domain=row.policy_domain,
            successful=row.successful,
            failed=row.failed,
            reports=row.reports,
            failures=[FailureCount(result_type=k, sessions=v) for k, v in sorted(row.failures.items())],
        )
