"""POST /api/v1/tls-reports (a report as JSON, gzip'd JSON or the e-mail carrying it),
GET /api/v1/tls-reports (per policy domain and day: sessions, failures by result type; and the list of
reports) and GET /api/v1/tls-reports/{id} (one report in full). The argument checks are shared with
GraphQL and the CLI."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.context import AppState
from api.errors import NotFound, bad_argument
from api.feed import EXPIRED, STORED, store_tls_reports, tls_report_warnings
from api.importers.tlsrpt import decode
from api.patterns import digits_up_to
from api.rest.http import JSON, read_body, state
from api.rest.traffic_reports import check_params, moments
from api.traffic_service import text_argument
from api.window import make_window
from core.tls_report import Report
from core.window import Window
from db.tls_reports import Cursor, ReportPage, list_tls_reports, report_days, tls_report_by_id

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^(-?[0-9]{1,19})-([0-9]{1,19})$")  # microseconds since 1970 - report id
_MICROSECONDS = timedelta(microseconds=1)
# What cursor_argument takes, as a pattern: microseconds that stay inside the years 1 to 9999, a bigint id
CURSOR = (
    f"^(?:{digits_up_to((datetime.max.replace(tzinfo=UTC) - _EPOCH) // _MICROSECONDS, 19)}"
    f"|-{digits_up_to((_EPOCH - datetime.min.replace(tzinfo=UTC)) // _MICROSECONDS, 19)})"
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


def report_id_argument(value: str, name: str = "id") -> int:
    """A stored report's id: a whole number from 1 to 2**63 - 1 (a bigint)."""
    if not (value.isascii() and value.isdigit() and len(value) <= 19 and 1 <= int(value) < 2**63):
        raise bad_argument(name, f"{value[:40]!r} is not a TLS report id (a whole number from 1 to 2^63-1)")
    return int(value)


def limit_argument(value: str | int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_LIMIT):
        raise bad_argument("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def cursor_argument(text: str | None) -> Cursor | None:
    if text is None:
        return None
    match = _CURSOR.fullmatch(text)
    try:
        if match is None or int(match.group(2)) >= 2**63:
            raise ValueError(text)
        return _EPOCH + timedelta(microseconds=int(match.group(1))), int(match.group(2))
    except (ValueError, OverflowError):
        raise bad_argument("after", f"{text[:60]!r} is not a cursor (pass the `next` of the previous page)") from None


def cursor_text(cursor: Cursor | None) -> str | None:
    if cursor is None:
        return None
    start, key = cursor
    return f"{(start - _EPOCH) // timedelta(microseconds=1)}-{key}"


async def find_report(app: AppState, report_id: int) -> dict[str, Any] | None:
    """This organization's report `report_id` in full; None for a report of another organization too."""
    return await tls_report_by_id(app.pool, app.org_id, report_id)


async def report_list(
    app: AppState,
    start: datetime | None,
    end: datetime | None,
    policy_domain: str | None,
    limit: str | int | None,
    after: str | None,
) -> tuple[Window, ReportPage]:
    window = make_window(start, end)
    page = await list_tls_reports(
        app.pool, app.org_id, window.start, window.end, text_argument(policy_domain, "policy_domain"),
        limit_argument(limit),
        cursor_argument(after),
    )  # fmt: skip
    return window, page


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
    window, page = await report_list(app, start, end, domain, params.get("limit"), params.get("after"))
    days = await report_days(app.pool, app.org_id, window.start, window.end, domain)
    return JSON(
        {
            "from": window.start.isoformat(),
            "to": window.end.isoformat(),
            "days": days,
            "reports": [{**r, "url": f"/api/v1/tls-reports/{r['id']}"} for r in page.reports],
            "reports_total": page.total,
            "next": cursor_text(page.next),
        }
    )


async def get_tls_report(request: Request) -> Response:
    check_params(request.query_params, ())
    report_id = report_id_argument(request.path_params["id"])
    found = await find_report(state(request), report_id)
    if found is None:  # also another organization's report: never say that it exists
        raise NotFound(f"there is no TLS report {report_id}")
    return JSON(found)
