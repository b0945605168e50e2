"""The traffic reports over REST: GET /api/v1/summary, /api/v1/tls-breakdown, /api/v1/client-submissions and
/api/v1/connector-report (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from api.context import AppState
from api.errors import BadUserInput, bad_argument
from api.rest.http import JSON, state
from core.tls import BUCKETS
from core.window import Window, parse_moment, zone
from db.traffic_counts import ConnectorRow, Counts
from services import reports

CSV_COLUMNS = [
    "day",
    "direction",
    "connector",
    "connector_id",
    "type",
    "forced_tls",
    "no_tls_percent",
    "tls10_percent",
    "tls11_percent",
    "tls12_percent",
    "tls13_percent",
    "unknown_percent",
    "volume",
    *(f"{b.lower().replace('.', '')}_messages" for b in BUCKETS),
]


def versions_json(counts: Counts) -> list[dict[str, Any]]:
    return [{"tls_version": b, "messages": counts.messages(b), "share": counts.share(b)} for b in BUCKETS]


def window_json(window: Window) -> dict[str, str]:
    return {"from": window.start.isoformat(), "to": window.end.isoformat()}


def check_params(params: QueryParams, allowed: Iterable[str]) -> None:
    """Every parameter is known and given once."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise BadUserInput(
            f"unknown query parameter(s): {', '.join(unknown)}",
            [{"field": name, "message": "unknown parameter"} for name in unknown],
        )
    repeated = sorted(name for name in set(params) if len(params.getlist(name)) > 1)
    if repeated:
        raise BadUserInput(
            f"query parameter(s) given more than once: {', '.join(repeated)}",
            [{"field": name, "message": "given more than once"} for name in repeated],
        )


def moments(params: Mapping[str, str]) -> tuple[datetime | None, datetime | None]:
    tz = zone(params.get("time_zone", "UTC"))
    start = parse_moment(params["from"], "from", tz) if "from" in params else None
    end = parse_moment(params["to"], "to", tz) if "to" in params else None
    return start, end


async def get_summary(request: Request) -> Response:
    check_params(request.query_params, ())
    app = state(request)
    window, by_direction = await reports.summary(app.pool, app.org_id)
    body: dict[str, Any] = window_json(window)
    for direction, counts in by_direction.items():
        body[direction] = {"total": counts.total, "versions": versions_json(counts)}
    return JSON(body)


def retention_json(app: AppState, window: Window) -> dict[str, Any]:
    kept = reports.retention(app.settings.retention_days)
    return {"retained_from": kept.retained_from.isoformat(), "warnings": kept.warnings(window)}


async def _breakdown(request: Request, direction: str | None, allowed: tuple[str, ...]) -> Response:
    params = request.query_params
    check_params(params, allowed)
    start, end = moments(params)
    app = state(request)
    breakdown = await reports.tls_breakdown(
        app.pool, app.org_id, direction, start, end, params.get("time_zone"), params.get("connector")
    )
    return JSON(
        {
            "direction": (direction or "both").lower(),
            **window_json(breakdown.window),
            "time_zone": breakdown.window.time_zone,
            "total": breakdown.total.total,
            "versions": versions_json(breakdown.total),
            "daily": [
                {"day": day.isoformat(), "total": c.total, "versions": versions_json(c)}
                for day, c in breakdown.daily.items()
            ],
            **retention_json(app, breakdown.window),
        }
    )


async def get_tls_breakdown(request: Request) -> Response:
    allowed = ("direction", "from", "to", "time_zone", "connector")
    return await _breakdown(request, request.query_params.get("direction"), allowed)


async def get_client_submissions(request: Request) -> Response:
    """The TLS breakdown of client submissions (Microsoft's "SMTP AUTH clients" report)."""
    return await _breakdown(request, "submission", ("from", "to", "time_zone"))


def connector_rows_json(rows: list[ConnectorRow]) -> list[dict[str, Any]]:
    connectors: dict[int, dict[str, Any]] = {}  # one JSON object per connector, shared by its rows
    shaped = []
    for row in rows:
        c = row.connector
        connector = connectors.get(id(c))
        if connector is None:
            connector = {
                "id": c.id,
                "name": c.name,
                "direction": c.direction,
                "type": c.type,
                "forced_tls": c.forced_tls,
            }
            connectors[id(c)] = connector
        body: dict[str, Any] = {"day": row.day.isoformat()} if row.day else {}
        body["connector"] = connector
        body["volume"] = row.counts.total
        body["messages"] = row.counts.by_bucket  # every bucket, in order
        body["percent"] = row.counts.shares()
        shaped.append(body)
    return shaped


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a leading ' (OWASP's rule)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def connector_csv(rows: list[ConnectorRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        c = row.connector
        writer.writerow(
            [
                row.day.isoformat() if row.day else "",
                c.direction,
                spreadsheet_safe(c.name),
                c.id,
                c.type,
                str(c.forced_tls).lower(),
                *row.counts.shares().values(),
                row.counts.total,
                *(row.counts.messages(b) for b in BUCKETS),
            ]
        )
    return out.getvalue()


async def get_connector_report(request: Request) -> Response:
    params = request.query_params
    check_params(params, ("direction", "connector_type", "connector_name", "from", "to", "time_zone", "format"))
    wanted = params.get("format", "").lower()
    if "format" in params and wanted not in ("json", "csv"):
        raise bad_argument("format", f"{wanted!r} is not json or csv")
    as_csv = wanted == "csv" or (not wanted and "text/csv" in request.headers.get("accept", ""))
    start, end = moments(params)
    app = state(request)
    report = await reports.connector_table(
        app.pool,
        app.org_id,
        params.get("direction"),
        params.get("connector_type"),
        params.get("connector_name"),
        start,
        end,
        params.get("time_zone"),
    )
    if as_csv:
        name = f"connector-report-{report.window.start:%Y%m%d}-{report.window.end:%Y%m%d}.csv"
        return Response(
            connector_csv(report.rows),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
    return JSON(
        {
            **window_json(report.window),
            "time_zone": report.window.time_zone,
            "rows": connector_rows_json(report.rows),
            "totals": connector_rows_json(report.totals),
            **retention_json(app, report.window),
        }
    )
