"""GET and POST /api/v1/connectors, PUT /api/v1/connectors/{id}/rules: through services/connectors.py, as
GraphQL and the CLI."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.errors import BadRequest
from api.rest.http import JSON, path_id, read_json, state
from core.errors import invalid
from db.connectors import Connector
from services import connectors


def connector_json(c: Connector) -> dict[str, Any]:
    return asdict(c)


async def post_connector(request: Request) -> Response:
    app = state(request)
    data = await read_json(request)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    unknown = sorted(data.keys() - {"name", "direction", "type", "forced_tls", "rules"})
    if unknown:
        raise invalid("the connector", [{"field": f, "message": "unknown field"} for f in unknown])
    created = await connectors.add_connector(
        app.pool,
        app.org_id,
        data.get("name"),
        data.get("direction"),
        data.get("type"),
        data.get("forced_tls", False),
        data.get("rules", []),  # absent: none; an explicit null is refused
    )
    return JSON(connector_json(created), status_code=201)


async def put_rules(request: Request) -> Response:
    """PUT /api/v1/connectors/{id}/rules: replace the connector's attribution rules."""
    app = state(request)
    data = await read_json(request)
    rules = connectors.rules_of(data.get("rules") if isinstance(data, dict) else None)
    connector_id = path_id(request, "connector_id", "connector")
    return JSON(connector_json(await connectors.set_rules(app.pool, app.org_id, connector_id, rules)))


async def get_connectors(request: Request) -> Response:
    app = state(request)
    return JSON({"connectors": [connector_json(c) for c in await connectors.list_connectors(app.pool, app.org_id)]})
