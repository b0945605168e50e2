"""An SMTP TLS report (RFC 8460) as read: the domain type the TLS-RPT importer makes (api/importers/tlsrpt.py)
and the store keeps (db/tls_reports.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MxHost = str | list[str] | None


@dataclass
class Failure:
    result_type: str
    sending_mta_ip: str | None
    receiving_mx_hostname: str | None
    receiving_ip: str | None
    failed_sessions: int
    failure_reason_code: str | None
    additional_information: str | None
    receiving_mx_helo: str | None = None


@dataclass
class Policy:
    policy_type: str
    policy_domain: str | None
    policy_string: list[str]
    mx_hosts: list[str]
    successful: int
    failed: int
    failures: list[Failure] = field(default_factory=list)
    # `mx-host` and `mx-host-pattern` as the report gave them: RFC 8460 shows a string, Google sends a list
    mx_host: MxHost = None
    mx_host_pattern: MxHost = None

    @property
    def detailed(self) -> int:
        return sum(f.failed_sessions for f in self.failures)

    @property
    def mismatch(self) -> bool:
        return bool(self.failures) and self.detailed != self.failed


@dataclass
class Report:
    organization_name: str
    report_id: str
    start: datetime
    end: datetime
    contact_info: str | None
    policies: list[Policy]


def flag_reason(foreign_domains: list[str]) -> str | None:
    """Why a report is kept apart: policies for domains the organization does not list as its own ('': a
    policy without a domain). The one text REST, GraphQL, the CLI and the `tls_report.received` webhook show."""
    if not foreign_domains:
        return None
    named = ", ".join(d or "(no policy domain)" for d in foreign_domains)
    return (
        f"not one of the organization's accepted domains: {named}; those policies are shown but not counted in "
        "the TLS report figures or insights"
    )
