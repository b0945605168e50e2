"""The one error shape: REST answers `{"error": {"code", "message", "details"}}`, GraphQL an error
with `extensions.code`, the CLI one line and a non-zero exit."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Send


class ApiError(Exception):
    """An expected failure with a status and a code a client can act on."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ApiError):
    status = 400
    code = "BAD_REQUEST"


class BadUserInput(ApiError):
    """An argument is wrong: REST 400, GraphQL BAD_USER_INPUT."""

    status = 400
    code = "BAD_USER_INPUT"


class Unauthenticated(ApiError):
    status = 401
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    status = 403
    code = "FORBIDDEN"


class NotFound(ApiError):
    status = 404
    code = "NOT_FOUND"


class Conflict(ApiError):
    status = 409
    code = "CONFLICT"


class PayloadTooLarge(ApiError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class ValidationFailed(ApiError):
    """The body was read but what it holds is not valid; nothing was written."""

    status = 422
    code = "VALIDATION_FAILED"


class ServiceUnavailable(ApiError):
    status = 503
    code = "SERVICE_UNAVAILABLE"


def bad_argument(name: str, message: str) -> BadUserInput:
    return BadUserInput(f"{name}: {message}", [{"field": name, "message": message}])


def error_json(code: str, message: str, graphql: bool = False) -> bytes:
    """The one shape as bytes, for answers made outside the handlers (middleware, the HTTP protocol): a
    GraphQL request gets a GraphQL error."""
    body: dict[str, Any]
    if graphql:
        body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    else:
        body = {"error": {"code": code, "message": message, "details": []}}
    return orjson.dumps(body)


async def send_error(
    send: Send, status: int, code: str, message: str, graphql: bool, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """An error answer from ASGI middleware."""
    start = [(b"content-type", b"application/json"), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": error_json(code, message, graphql)})
