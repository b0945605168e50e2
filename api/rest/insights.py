"""Insights over REST: the list, dismissals, the settings, and the SIEM event pull."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.errors import bad_argument
from api.insights import service
from api.insights.cef import cef_line
from api.rest.http import JSON, path_id, read_json, state
from api.rest.traffic_reports import check_params
from api.traffic_service import connector_id_argument
from api.window import parse_moment, zone


async def get_insights(request: Request) -> Response:
    params = request.query_params
    check_params(params, ("status", "connector", "direction"))
    insights = await service.list_insights(
        state(request),
        params.get("status"),
        connector_id_argument(params.get("connector")),
        params.get("direction"),
    )
    return JSON({"insights": insights})


async def post_dismiss(request: Request) -> Response:
    data = await read_json(request)
    reason = data.get("reason") if isinstance(data, dict) else None
    insight = await service.dismiss(state(request), path_id(request, "insight_id", "insight"), reason)
    return JSON({"insight": insight})


async def get_settings(request: Request) -> Response:
    check_params(request.query_params, ())
    return JSON((await service.settings(state(request))).json())


async def put_settings(request: Request) -> Response:
    updated = await service.update_settings(state(request), await read_json(request))
    return JSON(updated.json())


async def get_events(request: Request) -> Response:
    params = request.query_params
    check_params(params, ("after", "limit", "since", "format"))
    wanted = params.get("format", "").lower()
    if "format" in params and wanted not in ("json", "ndjson", "cef"):
        raise bad_argument("format", f"{wanted!r} is not json, ndjson or cef")
    if not wanted and "application/x-ndjson" in request.headers.get("accept", ""):
        wanted = "ndjson"
    since = parse_moment(params["since"], "since", zone("UTC")) if "since" in params else None
    limit = service.parse_limit(params.get("limit"))
    page = await service.events_page(state(request), params.get("after"), since, limit)
    query = {"after": page.next, "limit": limit, **({"format": wanted} if wanted else {})}
    headers = {
        "Link": f'<{request.url.path}?{urlencode(query)}>; rel="next"',
        "X-Next-Cursor": page.next,
    }
    if wanted == "ndjson":
        body = b"".join(orjson.dumps(e) + b"\n" for e in page.events)
        return Response(body, media_type="application/x-ndjson", headers=headers)
    if wanted == "cef":
        text = "".join(cef_line(e) + "\n" for e in page.events)
        return Response(text, media_type="text/plain; charset=utf-8", headers=headers)
    return JSON({"events": page.events, "next": page.next}, headers=headers)
