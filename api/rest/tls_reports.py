"""POST /api/v1/tls-reports (a report as JSON, gzip'd JSON or the e-mail carrying it) and
GET /api/v1/tls-reports (per policy domain and day: sessions, failures by result type)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.context import AppState
from api.feed import store_tls_reports
from api.importers.tlsrpt import Report, decode
from api.rest.http import JSON, read_body, state
from api.rest.reports import check_params, moments
from api.window import make_window
from db.tls_reports import report_days


def report_json(report: Report, stored: bool) -> dict[str, Any]:
    return {
        "organization_name": report.organization_name,
        "report_id": report.report_id,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "stored": stored,
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


async def store_reports(app: AppState, data: bytes) -> list[dict[str, Any]]:
    """Decode and store every report in `data`; a report already stored is reported, not stored again."""
    reports = decode(data)
    stored = await store_tls_reports(app, reports)
    return [report_json(r, s) for r, s in zip(reports, stored, strict=True)]


async def post_tls_reports(request: Request) -> Response:
    app = state(request)
    stored = await store_reports(app, await read_body(request, app.settings.max_body_bytes))
    created = any(r["stored"] for r in stored)
    return JSON({"reports": stored}, status_code=201 if created else 200)


async def get_tls_reports(request: Request) -> Response:
    params = request.query_params
    check_params(params, ("from", "to", "policy_domain"))
    start, end = moments(params)
    window = make_window(start, end)
    app = state(request)
    days = await report_days(app.pool, app.org_id, window.start, window.end, params.get("policy_domain") or None)
    return JSON({"from": window.start.isoformat(), "to": window.end.isoformat(), "days": days})
