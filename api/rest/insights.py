"""Insights over REST: the list, dismissals, the settings, and the SIEM event pull."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.errors import bad_argument
from api.insights.cef import cef_line
from api.insights.evaluate import update_settings
from api.rest.http import JSON, path_id, read_json, state
from api.rest.traffic_reports import check_params
from core.arguments import connector_id_argument
from core.window import parse_moment, zone
from services import insights as service


async def get_insights(request: Request) -> Response:
    params = request.query_params
    check_params(params, ("status", "connector", "direction"))
    app = state(request)
    insights = await service.list_insights(
        app.pool,
        app.org_id,
        params.get("status"),
        connector_id_argument(params.get("connector")),
        params.get("direction"),
    )
    return JSON({"insights": [i.json() for i in insights]})


async def post_dismiss(request: Request) -> Response:
    data = await read_json(request)
    reason = data.get("reason") if isinstance(data, dict) else None
    app = state(request)
    insight = await service.dismiss(app.pool, app.org_id, path_id(request, "insight_id", "insight"), reason)
    return JSON({"insight": insight.json()})


async def get_settings(request: Request) -> Response:
    check_params(request.query_params, ())
    app = state(request)
    return JSON((await service.load_settings(app.pool, app.org_id)).json())


async def put_settings(request: Request) -> Response:
    app = state(request)
    updated = await update_settings(app.pool, app.org_id, await read_json(request))
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
    app = state(request)
    page = await service.events_page(app.pool, app.org_id, params.get("after"), since, limit)
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
