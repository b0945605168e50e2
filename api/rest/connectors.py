"""GET and POST /api/v1/connectors, and the checks that every way to add or rename a connector shares
(REST, GraphQL, the CLI): names are clean (core/names.py) and tell apart from the others of their direction."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from api.attribution import check_rules
from api.errors import BadRequest, Conflict, NotFound, ValidationFailed
from api.rest.http import JSON, path_id, read_json, state
from core.names import NameRefused, clean_name, describe, look_alike_key
from db.connectors import Connector, create_connector, list_connectors, rename_connector, set_connector_rules

DIRECTIONS = ("inbound", "outbound")
TYPES = ("partner", "on_premises")


def connector_json(c: Connector) -> dict[str, Any]:
    return asdict(c)


def name_problem(name: Any) -> str | None:
    """What is wrong with a connector's name as given (core/names.py: clean_name), or None."""
    if not isinstance(name, str):
        return "is required: 1 to 200 characters"
    try:
        clean_name(name)
    except NameRefused as exc:
        return str(exc)
    return None


def check_connector(name: Any, direction: Any, type_: Any, forced_tls: Any) -> list[dict[str, Any]]:
    """Every problem with a new connector's fields (shared by REST, GraphQL and the CLI)."""
    problems = []
    if wrong := name_problem(name):
        problems.append({"field": "name", "message": wrong})
    if direction not in DIRECTIONS:
        problems.append({"field": "direction", "message": "must be inbound or outbound"})
    if type_ not in TYPES:
        problems.append({"field": "type", "message": "must be partner or on_premises"})
    if not isinstance(forced_tls, bool):
        problems.append({"field": "forced_tls", "message": "must be true or false"})
    return problems


def invalid(what: str, problems: list[dict[str, Any]]) -> ValidationFailed:
    """The refusal of `what`, its message naming each problem (the CLI prints only the message)."""
    said = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return ValidationFailed(f"{what} is not valid: {said}", problems)


def look_alike(connectors: list[Connector], direction: str, name: str, renamed: int | None = None) -> Connector | None:
    """The connector of `direction` named `name`, or else one whose name looks like it (core/names.py:
    look_alike_key), other than the one being renamed. Keys are computed here from every name: connectors
    stored before migration 0011 have none in the database."""
    others = [c for c in connectors if c.direction == direction and c.id != renamed]
    key = look_alike_key(name)
    same = (c for c in others if c.name == name)
    return next(same, None) or next((c for c in others if look_alike_key(c.name) == key), None)


def _difference(name: str, other: str) -> str:
    """Where two names of one length differ, told by code point: on screen they may not seem to."""
    if len(name) != len(other):
        return ""
    i, mine, theirs = next((i, a, b) for i, (a, b) in enumerate(zip(name, other, strict=True), 1) if a != b)
    return f"; it has {describe(mine)} at position {i} where that one has {describe(theirs)}"


def taken(direction: str, name: str, clash: Connector | None) -> Conflict:
    """The refusal of `name` for the connector it looks like (None: one made meanwhile, then removed)."""
    if clash is None or clash.name == name:
        return Conflict(
            f"an {direction} connector named {name!r} already exists",
            [{"field": "name", "message": "already used in this direction"}],
        )
    looks = f"looks like the {direction} connector {clash.name!r} (id {clash.id})"
    return Conflict(
        f"the name {name!r} {looks}{_difference(name, clash.name)}: in reports the two would be taken for one, "
        "so choose another name",
        [{"field": "name", "message": looks}],
    )


async def add_connector(app: Any, name: Any, direction: Any, type_: Any, forced_tls: Any, rules: Any) -> Connector:
    problems = check_connector(name, direction, type_, forced_tls) + check_rules(rules)
    if problems:
        raise invalid("the connector", problems)
    name = clean_name(name)
    clash = look_alike(await list_connectors(app.pool, app.org_id), direction, name)
    if clash is None:
        created = await create_connector(app.pool, app.org_id, name, direction, type_, forced_tls, rules)
        if created is not None:
            return created
        # another request stored a look-alike meanwhile, and the unique key refused this one
        clash = look_alike(await list_connectors(app.pool, app.org_id), direction, name)
    raise taken(direction, name, clash)


async def change_name(app: Any, connector_id: int, new_name: Any) -> Connector:
    """Rename a connector, refusing a name as its creation would (every way to rename goes through here)."""
    if wrong := name_problem(new_name):
        raise invalid("the name", [{"field": "name", "message": wrong}])
    name = clean_name(new_name)
    connectors = await list_connectors(app.pool, app.org_id)
    current = next((c for c in connectors if c.id == connector_id), None)
    if current is None:
        raise NotFound(f"there is no connector {connector_id}")
    clash = look_alike(connectors, current.direction, name, renamed=connector_id)
    if clash is None:
        try:
            renamed = await rename_connector(app.pool, app.org_id, connector_id, name)
        except asyncpg.UniqueViolationError:  # another request stored a look-alike meanwhile
            clash = look_alike(await list_connectors(app.pool, app.org_id), current.direction, name, connector_id)
        else:
            if renamed is None:  # removed meanwhile
                raise NotFound(f"there is no connector {connector_id}")
            return renamed
    raise taken(current.direction, name, clash)


async def post_connector(request: Request) -> Response:
    app = state(request)
    data = await read_json(request)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    unknown = sorted(data.keys() - {"name", "direction", "type", "forced_tls", "rules"})
    if unknown:
        raise invalid("the connector", [{"field": f, "message": "unknown field"} for f in unknown])
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
