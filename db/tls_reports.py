"""TLS reports (RFC 8460): stored once per (sender, report id), served per policy domain and day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from api.importers.tlsrpt import Report
from db import sql
from db.pool import TenantPool


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
            )
    return True


async def report_days(
    pool: TenantPool, org_id: int, start: datetime, end: datetime, policy_domain: str | None
) -> list[dict[str, Any]]:
    rows = await sql.fetch(pool, "tls_reports/tls_report_days", org_id, start, end, policy_domain)
    return [
        {
            "day": r["day"].isoformat(),
            "policy_domain": r["policy_domain"] or None,
            "successful": int(r["successful"]),  # numeric sums
            "failed": int(r["failed"]),
            "reports": r["reports"],
            "failures": r["failures"],
        }
        for r in rows
    ]
