"""Serving the schema over HTTP: the per-request context and the error shape."""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api.errors import ApiError, ServiceUnavailable
from api.faults import is_database_down

log = logging.getLogger("mailflow.graphql")
_SNAKE = re.compile(r"_([a-z])")


def _camel(name: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)


def _shape(error: GraphQLError, request_id: str) -> dict[str, Any]:
    original = error.original_error
    if original is not None and is_database_down(original):
        original = ServiceUnavailable("the database is unavailable; try again shortly")
    if isinstance(original, ApiError):
        details = [
            {**d, "field": _camel(d["field"])} if isinstance(d.get("field"), str) else d
            for d in original.details
        ]
        extensions = {"code": original.code, "details": details}
        return {**error.formatted, "message": original.message, "extensions": extensions}
    if original is not None:
        log.error(
            "unexpected error in a resolver",
            exc_info=original,
            extra={"fields": {"request_id": request_id}},
        )
        return {
            "message": "Unexpected error.",
            "locations": error.formatted.get("locations"),
            "path": error.path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "request_id": request_id},
        }
    # Syntax or validation errors: the message says what is wrong with the query.
    code = "BAD_USER_INPUT" if "argument" in error.message.lower() else "GRAPHQL_VALIDATION_FAILED"
    return {**error.formatted, "extensions": {"code": code}}


class GraphQLApp(GraphQL[dict[str, Any], None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> dict[str, Any]:
        return {"app": request.app.state.mailflow, "request": request}

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            request_id = request.scope.get("state", {}).get("request_id", "")
            data["errors"] = [_shape(e, request_id) for e in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data
