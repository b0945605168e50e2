"""TLS reports (RFC 8460): stored once per (sender, report id), served per policy domain and day, as a
list of reports and one report in full. Policies for domains that are not the organization's accepted domains
are shown, flagged, and not counted (db/migrations/0019)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson

from core.tls_report import MxHost, Report, flag_reason
from db import sql
from db.notify import notify
from db.pool import TenantPool
from db.webhooks import enqueue_tls_report


def _json_or_none(value: MxHost) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


async def store_report(pool: TenantPool, org_id: int, report: Report) -> bool:
    """True when stored, False when this sender's report id was already stored."""
    async with pool.acquire() as conn, conn.transaction():
        key = await sql.fetchval(
            conn, "tls_reports/insert_tls_report", org_id, report.organization_name, report.report_id,
            report.start, report.end, report.contact_info,
        )  # fmt: skip
        if key is None:
            return False
        ps = list(enumerate(report.policies))
        await sql.execute(
            conn,
            "tls_reports/insert_tls_report_policies",
            org_id,
            key,
            [n for n, _ in ps],
            [p.policy_type for _, p in ps],
            [p.policy_domain for _, p in ps],
            [orjson.dumps(p.policy_string).decode() for _, p in ps],
            [orjson.dumps(p.mx_hosts).decode() for _, p in ps],
            [p.successful for _, p in ps],
            [p.failed for _, p in ps],
            [p.detailed for _, p in ps],
            [p.mismatch for _, p in ps],
            [_json_or_none(p.mx_host) for _, p in ps],
            [_json_or_none(p.mx_host_pattern) for _, p in ps],
        )
        fs = [(n, m, f) for n, p in ps for m, f in enumerate(p.failures)]
        if fs:
            await sql.execute(
                conn,
                "tls_reports/insert_tls_report_failures",
                org_id,
                key,
                [n for n, _, _ in fs],
                [m for _, m, _ in fs],
                [f.result_type for _, _, f in fs],
                [f.sending_mta_ip for _, _, f in fs],
                [f.receiving_mx_hostname for _, _, f in fs],
                [f.receiving_ip for _, _, f in fs],
                [f.failed_sessions for _, _, f in fs],
                [f.failure_reason_code for _, _, f in fs],
                [f.additional_information for _, _, f in fs],
                [f.receiving_mx_helo for _, _, f in fs],
            )
        queued = await enqueue_tls_report(conn, org_id, key)  # the webhook outbox: queued if and only if stored
        await notify(conn, org_id, queued=queued > 0)
    return True


@dataclass(frozen=True)
class ReportDay:
    """What receiving servers reported for one policy domain on one day."""

    day: date
    policy_domain: str | None
    successful: int
    failed: int
    reports: int
    failures: dict[str, int]  # failed sessions by result type


async def report_days(
    pool: TenantPool, org_id: int, start: datetime, end: datetime, policy_domain: str | None
) -> list[ReportDay]:
    rows = await sql.fetch(pool, "tls_reports/tls_report_days", org_id, start, end, policy_domain)
    return [
        ReportDay(
            r["day"],
            r["policy_domain"] or None,
            int(r["successful"]),  # numeric sums
            int(r["failed"]),
            r["reports"],
            r["failures"],
        )
        for r in rows
    ]


class Flagged:
    """A report flagged by its foreign domains: its policy domains that are not one of the organization's accepted
    domains, in the list's order (by domain, '' for a policy without one last)."""

    foreign_domains: list[str]

    @property
    def flagged(self) -> bool:
        return bool(self.foreign_domains)

    @property
    def flag_reason(self) -> str | None:
        return flag_reason(self.foreign_domains)


@dataclass(frozen=True)
class StoredReport(Flagged):
    """One stored report in full; its policies as the report's JSON has them, with their failures."""

    id: int
    organization_name: str
    contact_info: str | None
    report_id: str
    start: datetime
    end: datetime
    stored_at: datetime
    policies: list[dict[str, Any]]
    foreign_domains: list[str]

    def json(self) -> dict[str, Any]:
        """As REST and the CLI show it (`from` and `to`: the report's range)."""
        return {
            "id": self.id,
            "organization_name": self.organization_name,
            "contact_info": self.contact_info,
            "report_id": self.report_id,
            "from": self.start,
            "to": self.end,
            "stored_at": self.stored_at,
            "policies": self.policies,
            "flagged": self.flagged,
            "flag_reason": self.flag_reason,
        }


async def tls_report_by_id(pool: TenantPool, org_id: int, report_key: int) -> StoredReport | None:
    """One stored report in full (None: this organization has no such report)."""
    row = await sql.fetchrow(pool, "tls_reports/tls_report_by_id", org_id, report_key)
    if row is None:
        return None
    policies = orjson.loads(row["policies"])
    # as list_tls_reports.sql orders them: by domain, a policy without one ('') last
    foreign = sorted({p["policy_domain"] or "" for p in policies if not p["accepted"]}, key=lambda d: (d == "", d))
    return StoredReport(
        row["report_key"], row["organization_name"], row["contact_info"], row["report_id"], row["start_at"],
        row["end_at"], row["stored_at"], policies, foreign,
    )  # fmt: skip


Cursor = tuple[datetime, int]  # (start of the range, report key) of the last report of a page


@dataclass(frozen=True)
class ReportSummary(Flagged):
    """A stored report in brief."""

    id: int
    organization_name: str
    report_id: str
    start: datetime
    end: datetime
    policy_domains: list[str]
    successful: int  # a domain's sessions counted once (the accepted domains' only)
    failed: int
    foreign_domains: list[str]


@dataclass
class ReportPage:
    total: int  # reports that match, on every page
    reports: list[ReportSummary]
    next: Cursor | None  # None: this is the last page


async def list_tls_reports(
    pool: TenantPool,
    org_id: int,
    start: datetime,
    end: datetime,
    policy_domain: str | None,
    limit: int,
    after: Cursor | None = None,
) -> ReportPage:
    """The reports whose range starts in [start, end), newest first, `limit` per page."""
    after_start, after_key = after or (None, None)
    rows = await sql.fetch(
        pool, "tls_reports/list_tls_reports", org_id, start, end, policy_domain, limit + 1, after_start, after_key
    )
    shown = [r for r in rows if r["report_key"] is not None]
    more = len(shown) > limit
    shown = shown[:limit]
    reports = [
        ReportSummary(
            r["report_key"],
            r["organization_name"],
            r["report_id"],
            r["start_at"],
            r["end_at"],
            list(r["policy_domains"]),
            int(r["successful"]),  # numeric sums
            int(r["failed"]),
            list(r["foreign_domains"]),
        )
        for r in shown
    ]
    last = shown[-1] if more else None
    return ReportPage(rows[0]["total"], reports, (last["start_at"], last["report_key"]) if last else None)
