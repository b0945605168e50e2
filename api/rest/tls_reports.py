"""POST /api/v1/tls-reports (a report as JSON, gzip'd JSON or the e-mail carrying it),
GET /api/v1/tls-reports (per policy domain and day: sessions, failures by result type; and the list of
reports) and GET /api/v1/tls-reports/{id} (one report in full), through services/tls_reports.py as GraphQL
and the CLI."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.context import AppState
from api.errors import NotFound
from api.feed import EXPIRED, STORED, store_tls_reports, tls_report_warnings
from api.importers.tlsrpt import decode
from api.rest.http import JSON, read_body, state
from api.rest.traffic_reports import check_params, moments
from core.arguments import digits_up_to, text_argument
from core.tls_report import Report
from db.tls_reports import ReportSummary
from services import tls_reports as service
from services.tls_reports import EPOCH, MICROSECOND

# What services/tls_reports.py's cursor_argument takes, as a pattern: microseconds that stay inside the
# years 1 to 9999, a bigint id
CURSOR = (
    f"^(?:{digits_up_to((datetime.max.replace(tzinfo=UTC) - EPOCH) // MICROSECOND, 19)}"
    f"|-{digits_up_to((EPOCH - datetime.min.replace(tzinfo=UTC)) // MICROSECOND, 19)})"
    f"-{digits_up_to(2**63 - 1, 19)}$"
)


def report_json(report: Report, outcome: str) -> dict[str, Any]:
    return {
        "organization_name": report.organization_name,
        "report_id": report.report_id,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "stored": outcome == STORED,
        "expired": outcome == EXPIRED,
        "policies": [
            {
                "policy_type": p.policy_type,
                "policy_domain": p.policy_domain,
                "successful": p.successful,
                "failed": p.failed,
                "details_mismatch": p.mismatch,
            }
            for p in report.policies
        ],
    }


def summary_json(r: ReportSummary) -> dict[str, Any]:
    return {
        "id": r.id,
        "organization_name": r.organization_name,
        "report_id": r.report_id,
        "from": r.start,
        "to": r.end,
        "policy_domains": r.policy_domains,
        "successful": r.successful,
        "failed": r.failed,
        "flagged": r.flagged,
        "foreign_domains": r.foreign_domains,
        "flag_reason": r.flag_reason,
        "url": f"/api/v1/tls-reports/{r.id}",
    }


async def store_reports(app: AppState, data: bytes) -> dict[str, Any]:
    """Decode and store every report in `data`; a report already stored, or older than the retention, is
    reported, not stored."""
    reports = decode(data)
    outcomes = await store_tls_reports(app, reports)
    return {
        "reports": [report_json(r, o) for r, o in zip(reports, outcomes, strict=True)],
        "warnings": tls_report_warnings(outcomes, app.settings.retention_days),
    }


async def post_tls_reports(request: Request) -> Response:
    app = state(request)
    answer = await store_reports(app, await read_body(request, app.settings.max_body_bytes))
    created = any(r["stored"] for r in answer["reports"])
    return JSON(answer, status_code=201 if created else 200)


async def get_tls_reports(request: Request) -> Response:
    params = request.query_params
    check_params(params, ("from", "to", "policy_domain", "limit", "after"))
    start, end = moments(params)
    app = state(request)
    domain = text_argument(params.get("policy_domain"), "policy_domain")
    limit, after = params.get("limit"), params.get("after")
    window, page = await service.report_list(app.pool, app.org_id, start, end, domain, limit, after)
    days = await service.days_in(app.pool, app.org_id, window, domain)
    return JSON(
        {
            "from": window.start.isoformat(),
            "to": window.end.isoformat(),
            "days": [{**asdict(d), "day": d.day.isoformat()} for d in days],
            "reports": [summary_json(r) for r in page.reports],
            "reports_total": page.total,
            "next": service.cursor_text(page.next),
        }
    )


async def get_tls_report(request: Request) -> Response:
    check_params(request.query_params, ())
    report_id = service.report_id_argument(request.path_params["id"])
    app = state(request)
    found = await service.find_report(app.pool, app.org_id, report_id)
    if found is None:  # also another organization's report: never say that it exists
        raise NotFound(f"there is no TLS report {report_id}")
    return JSON(found.json())
