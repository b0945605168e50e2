"""GET /api/v1/remote-domains (JSON or CSV) and /api/v1/remote-hosts: who is at the other end of the figures."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from api.errors import bad_argument
from api.rest.http import JSON, state
from api.rest.traffic_reports import check_params, moments, spreadsheet_safe, window_json
from core.tls import BUCKETS
from db.remote_domains import RemoteDomain, RemoteHost
from db.traffic_counts import Counts
from services import remote_domains as remote

_COMMON = ("direction", "by", "connector", "tls_version", "from", "to", "time_zone", "sort", "limit", "cursor")
CSV_COLUMNS = [
    "domain",
    "volume",
    *(f"{b.lower().replace('.', '').replace('none', 'no_tls')}_percent" for b in BUCKETS),
    *(f"{b.lower().replace('.', '')}_messages" for b in BUCKETS),
    "first_day",
    "last_day",
]


def _figures(counts: Counts) -> dict[str, Any]:
    return {"volume": counts.total, "messages": counts.by_bucket, "percent": counts.shares()}


def domain_json(row: RemoteDomain) -> dict[str, Any]:
    return {
        "domain": row.domain,
        **_figures(row.counts),
        "first_day": row.first_day.isoformat(),
        "last_day": row.last_day.isoformat(),
    }


def host_json(row: RemoteHost) -> dict[str, Any]:
    return {
        "host": row.host,
        "ip": row.ip,
        "server_domain": row.server_domain,
        **_figures(row.counts),
        "first_seen": row.first_seen.isoformat(),
        "last_seen": row.last_seen.isoformat(),
    }


def domains_csv(rows: list[RemoteDomain]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                spreadsheet_safe(row.domain or ""),
                row.counts.total,
                *row.counts.shares().values(),
                *(row.counts.messages(b) for b in BUCKETS),
                row.first_day.isoformat(),
                row.last_day.isoformat(),
            ]
        )
    return out.getvalue()


def _ask(params: QueryParams) -> remote.Ask:
    """The query parameters both views share."""
    start, end = moments(params)
    given = params.get
    return remote.Ask(
        given("direction"), given("by"), given("connector"), given("tls_version"), start, end, given("time_zone"),
        given("sort"), given("limit"), given("cursor"),
    )  # fmt: skip


def _view_json(view: remote.View, total: int) -> dict[str, Any]:
    return {
        "direction": view.direction,
        "by": view.by,
        **window_json(view.window),
        "time_zone": view.window.time_zone,
        "sort": view.sort,
        "total": total,
        "next": view.next,
        "retained_from": view.retained_from.isoformat(),
        "warnings": view.warnings,
    }


async def get_remote_domains(request: Request) -> Response:
    params = request.query_params
    check_params(params, (*_COMMON, "format"))
    wanted = params.get("format", "").lower()
    if "format" in params and wanted not in ("json", "csv"):
        raise bad_argument("format", f"{wanted!r} is not json or csv")
    as_csv = wanted == "csv" or (not wanted and "text/csv" in request.headers.get("accept", ""))
    app = state(request)
    view, page = await remote.domains_page(app.pool, app.org_id, _ask(params), app.settings.retention_days)
    if as_csv:
        name = f"remote-domains-{view.direction}-{view.window.start:%Y%m%d}-{view.window.end:%Y%m%d}.csv"
        headers = {"content-disposition": f'attachment; filename="{name}"'}
        if view.next is not None:  # the next page, as RFC 8288 says it
            headers["link"] = f'<{request.url.include_query_params(cursor=view.next)}>; rel="next"'
        return Response(domains_csv(page.rows), media_type="text/csv; charset=utf-8", headers=headers)
    assert view.counted is not None
    return JSON(
        {
            **_view_json(view, page.total),
            "counted_from": view.counted[0].isoformat(),
            "counted_to": view.counted[1].isoformat(),
            "rows": [domain_json(r) for r in page.rows],
        }
    )


async def get_remote_hosts(request: Request) -> Response:
    params = request.query_params
    check_params(params, (*_COMMON, "domain"))
    app = state(request)
    domain = params.get("domain")
    view, page = await remote.hosts_page(app.pool, app.org_id, _ask(params), app.settings.retention_days, domain)
    return JSON({**_view_json(view, page.total), "rows": [host_json(r) for r in page.rows]})
