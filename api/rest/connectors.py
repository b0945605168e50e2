"""GET and POST /api/v1/connectors."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.attribution import check_rules
from api.errors import BadRequest, Conflict, NotFound, ValidationFailed
from api.rest.http import JSON, path_id, read_json, state
from db.connectors import Connector, create_connector, list_connectors, set_connector_rules

DIRECTIONS = ("inbound", "outbound")
TYPES = ("partner", "on_premises")


def connector_json(c: Connector) -> dict[str, Any]:
    return asdict(c)


def check_connector(name: Any, direction: Any, type_: Any, forced_tls: Any) -> list[dict[str, Any]]:
    """Every problem with a new connector's fields (shared by REST, GraphQL and the CLI)."""
    problems = []
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append({"field": "name", "message": "is required: 1 to 200 characters"})
    if direction not in DIRECTIONS:
        problems.append({"field": "direction", "message": "must be inbound or outbound"})
    if type_ not in TYPES:
        problems.append({"field": "type", "message": "must be partner or on_premises"})
    if not isinstance(forced_tls, bool):
        problems.append({"field": "forced_tls", "message": "must be true or false"})
    return problems


async def add_connector(app: Any, name: Any, direction: Any, type_: Any, forced_tls: Any, rules: Any) -> Connector:
    problems = check_connector(name, direction, type_, forced_tls) + check_rules(rules)
    if problems:
        raise ValidationFailed("the connector is not valid", problems)
    created = await create_connector(app.pool, app.org_id, name.strip(), direction, type_, forced_tls, rules)
    if created is None:
        raise Conflict(
            f"an {direction} connector named {name.strip()!r} already exists",
            [{"field": "name", "message": "already used in this direction"}],
        )
    return created


async def post_connector(request: Request) -> Response:
    app = state(request)
    data = await read_json(request)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    unknown = sorted(data.keys() - {"name", "direction", "type", "forced_tls", "rules"})
    if unknown:
        raise ValidationFailed(
            "the connector is not valid", [{"field": f, "message": "unknown field"} for f in unknown]
        )
    created = await add_connector(
        app,
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
    rules = data.get("rules") if isinstance(data, dict) else None
    problems = check_rules(rules)
    if problems:
        raise ValidationFailed("the rules are not valid; nothing was changed", problems)
    assert isinstance(rules, list)
    updated = await set_connector_rules(app.pool, app.org_id, path_id(request, "connector_id", "connector"), rules)
    if updated is None:
        raise NotFound(f"there is no connector {request.path_params['connector_id']}")
    return JSON(connector_json(updated))


async def get_connectors(request: Request) -> Response:
    app = state(request)
    return JSON({"connectors": [connector_json(c) for c in await list_connectors(app.pool, app.org_id)]})
