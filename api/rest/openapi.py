"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of every REST endpoint, generated from the contract's
declarations (api/contract/) and the route table, built once and served as the same bytes every time.
What JSON Schema cannot say (rules relating two values, or a value to the clock or to stored data) is said
in the descriptions; tests/fuzz/test_schemathesis.py holds the server to it."""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response


@cache
def document() -> dict[str, Any]:
    from api.contract.document import build  # the routes (which import this module's handler) come first
    from api.rest.routes import ROUTES

    return build(ROUTES)


@cache
def document_bytes() -> bytes:
    return orjson.dumps(document())


def __getattr__(name: str) -> Any:
    """`DOCUMENT`: the document, built on first use (tests read it without an app)."""
    if name == "DOCUMENT":
        return document()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


async def get_openapi(request: Request) -> Response:
    return Response(document_bytes(), media_type="application/json")
