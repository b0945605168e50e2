"""GET /api/v1/transit-security: outbound deliveries per day by security level, blocked deliveries, and the
recipient domains not supporting TLS."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.rest.http import JSON, state
from api.rest.traffic_reports import check_params, moments, window_json
from services.transit_security import transit_view


async def get_transit_security(request: Request) -> Response:
    params = request.query_params
    check_params(params, ("from", "to", "time_zone"))
    start, end = moments(params)
    app = state(request)
    view = await transit_view(app.pool, app.org_id, app.settings.retention_days, start, end, params.get("time_zone"))
    return JSON(
        {
            **window_json(view.window),
            "time_zone": view.window.time_zone,
            "counted_from": view.counted[0].isoformat(),
            "counted_to": view.counted[1].isoformat(),
            **view.figures.json(),
            "retained_from": view.retained_from.isoformat(),
            "warnings": view.warnings,
        }
    )
