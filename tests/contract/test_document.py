"""The generator of the OpenAPI document (api/contract/document.py): every route has its declared operation
and the reverse, the role a route needs says whether a key is asked for, and constraints come from where the
server's validators hold them."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import Response

from api.contract import document as generator
from api.contract.connectors import NewConnector
from api.rest.http import requires
from api.rest.routes import ROUTES, route
from core.names import MAX_LENGTH


async def handler(request: Request) -> Response:
    return Response()


def test_a_route_without_a_declared_operation_is_named() -> None:
    extra = route("/api/v1/sending-domains", GET=requires("reader", handler))
    with pytest.raises(
        ValueError, match=r"routes without an operation in api/contract/: \[\('GET', '/api/v1/sending-domains'\)\]"
    ):
        generator.build([*ROUTES, extra])


def test_an_operation_without_a_route_is_named() -> None:
    with pytest.raises(ValueError, match=r"operations without a route: \[\('GET', '/healthz'\)\]"):
        generator.build([r for r in ROUTES if getattr(r, "path", "") != "/healthz"])


def test_the_role_of_a_route_decides_its_security() -> None:
    roles = generator.routed(ROUTES)
    assert roles["GET", "/healthz"] is None
    assert roles["POST", "/api/v1/connectors"] == "admin"
    assert roles["PUT", "/api/v1/connectors/{connector_id}/rules"] == "admin"  # the `:id` converter is left out
    document = generator.build(ROUTES)
    assert document["paths"]["/healthz"]["get"]["security"] == []
    post = document["paths"]["/api/v1/connectors"]["post"]
    assert "security" not in post  # the document's: an API key
    assert "admin role" in post["description"]
    assert {"401", "403", "503"} <= post["responses"].keys()


def test_constraints_are_the_validators_own() -> None:
    schema = generator.build(ROUTES)["components"]["schemas"][NewConnector.__name__]
    assert schema["properties"]["name"]["maxLength"] == MAX_LENGTH
