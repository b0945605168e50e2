"""tlsReport: one stored SMTP TLS report (RFC 8460) in full, with its policies and failure details."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from core.tls_report import MxHost
from db.tls_reports import StoredReport


@strawberry.type(description="`mx-host` or `mx-host-pattern` as the report gave it: one string or a list.")
class TlsReportMxHost:
    hosts: list[str]
    as_list: bool = strawberry.field(description="true: the report gave a list; false: one string")

    @classmethod
    def of(cls, value: MxHost) -> TlsReportMxHost | None:
        if value is None:
            return None
        return cls(hosts=value if isinstance(value, list) else [value], as_list=isinstance(value, list))


@strawberry.type(description="A failure detail: sessions that failed one way, with the servers involved.")
class TlsReportFailure:
    result_type: str
    sending_mta_ip: str | None
    receiving_mx_hostname: str | None
    receiving_mx_helo: str | None
    receiving_ip: str | None
    failed_sessions: int
    failure_reason_code: str | None
    additional_information: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> TlsReportFailure:
        return cls(**row)


@strawberry.type(description="One policy of a report: what it was, and how the sessions under it went.")
class TlsReportPolicy:
    policy_type: str = strawberry.field(description="sts, tlsa, no-policy-found (or what the sender wrote)")
    policy_domain: str | None
    policy_string: list[str]
    mx_host: TlsReportMxHost | None = strawberry.field(description="null: absent, or stored before it was kept")
    mx_host_pattern: TlsReportMxHost | None
    mx_hosts: list[str] = strawberry.field(description="mx-host and mx-host-pattern in one list")
    successful: int
    failed: int
    detailed_failures: int = strawberry.field(description="the failure details' sessions added up")
    details_mismatch: bool = strawberry.field(description="they do not add up to `failed`")
    accepted: bool = strawberry.field(
        description="its domain is one of the organization's accepted domains (or none is listed): it counts"
    )
    failures: list[TlsReportFailure]

    @classmethod
    def of(cls, row: dict[str, Any]) -> TlsReportPolicy:
        return cls(
            policy_type=row["policy_type"],
            policy_domain=row["policy_domain"],
            policy_string=row["policy_string"],
            mx_host=TlsReportMxHost.of(row["mx_host"]),
            mx_host_pattern=TlsReportMxHost.of(row["mx_host_pattern"]),
            mx_hosts=row["mx_hosts"],
            successful=row["successful"],
            failed=row["failed"],
            detailed_failures=row["detailed_failures"],
            details_mismatch=row["details_mismatch"],
            accepted=row["accepted"],
            failures=[TlsReportFailure.of(f) for f in row["failures"]],
        )


@strawberry.type(description="A stored SMTP TLS report (RFC 8460), as its sender sent it.")
class TlsReport:
    id: strawberry.ID
    organization_name: str = strawberry.field(description="the sender")
    contact_info: str | None
    report_id: str = strawberry.field(description="the sender's report id")
    from_: datetime = strawberry.field(name="from")
    to: datetime
    stored_at: datetime
    policies: list[TlsReportPolicy]
    flagged: bool = strawberry.field(description="a policy domain is not one of the organization's accepted domains")
    flag_reason: str | None

    @classmethod
    def of(cls, found: StoredReport) -> TlsReport:
        return cls(
            id=strawberry.ID(str(found.id)),
            organization_name=found.organization_name,
            contact_info=found.contact_info,
            report_id=found.report_id,
            from_=found.start,
            to=found.end,
            stored_at=found.stored_at,
            policies=[TlsReportPolicy.of(p) for p in found.policies],
            flagged=found.flagged,
            flag_reason=found.flag_reason,
        )
