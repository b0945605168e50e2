"""How a failure becomes an answer, in one place for REST and GraphQL: `from_exception` turns any exception
into the refusal a client gets (api/errors.py), and `serialize` is the one serializer of a refusal: the body
of every error answer, through `response` (handlers, middleware) or written by the HTTP protocol itself
(api/connections.py). GraphQL errors inside a 200 answer are shaped by `ApiError.graphql`
(api/graphql_errors.py says which refusal each one is)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import asyncpg
import orjson
from cross_web import HTTPException as GraphQLHTTPException
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    InternalError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
    refused,
)
from api.faults import DATABASE_DOWN, is_database_down
from core.errors import Refusal

log = logging.getLogger("mailflow.errors")
GRAPHQL_PATH = "/graphql"
RETRY_SOON = {"Retry-After": "1"}
_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthenticated,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        ValidationFailed,
        RateLimited,
        ServiceUnavailable,
    )
}
# The failures `from_exception` answers as a refusal; any other exception is a fault of the server's (500).
EXPECTED: tuple[type[BaseException], ...] = (
    ApiError,
    Refusal,
    HTTPException,
    GraphQLHTTPException,
    *DATABASE_DOWN,
    asyncpg.QueryCanceledError,
    asyncpg.DataError,
)


def for_status(status: int, message: str, headers: Mapping[str, str] | None = None) -> ApiError:
    """The refusal for an HTTP status that Starlette or strawberry chose (an unknown route, say)."""
    error = _BY_STATUS.get(status, ApiError)(message, headers=dict(headers or {}))
    if status not in _BY_STATUS:
        error.status, error.code = status, "HTTP_ERROR"
    return error


def request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def from_exception(exc: BaseException, request: Request) -> ApiError:
    """The refusal a client gets for `exc`, REST and GraphQL alike. The database's troubles are a 503 (an
    outage is noted once, not once per request) or a 422 for a value it refuses; anything unexpected is
    logged with the request id and answered as a 500 that names it, never with its text."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Refusal):
        return refused(exc)
    where = {"fields": {"request_id": request_id(request)}}
    if isinstance(exc, HTTPException):
        return for_status(exc.status_code, f"{request.method} {request.url.path}: {exc.detail}", exc.headers)
    if isinstance(exc, GraphQLHTTPException):
        return for_status(exc.status_code, exc.reason)
    if is_database_down(exc):
        request.app.state.mailflow.db.outage.failed(exc)
        log.debug("database unavailable: %r", exc, extra=where)
        return ServiceUnavailable("the database is unavailable; try again shortly", headers=RETRY_SOON)
    if isinstance(exc, asyncpg.QueryCanceledError):
        timeout = request.app.state.mailflow.settings.statement_timeout_ms
        log.warning("statement timeout", extra=where)
        message = f"the database took longer than {timeout} ms to answer; try a smaller window"
        return ServiceUnavailable(message, headers=RETRY_SOON)
    if isinstance(exc, asyncpg.DataError):
        # a value PostgreSQL refuses (a NUL character, say) that validation let through: nothing was stored
        log.warning("unstorable value: %s", type(exc).__name__, extra=where)
        return ValidationFailed(
            "a value could not be stored (it holds a character or a number PostgreSQL does not accept, such as "
            "NUL); nothing was stored"
        )
    log.error("unexpected error", exc_info=exc, extra=where)
    message = f"unexpected error; quote request id {request_id(request)} when reporting it"
    # Starlette sends a fault's answer from its outermost middleware, past RequestLog that adds the header
    return InternalError(message, headers={"X-Request-ID": request_id(request)})


def serialize(error: ApiError, path: str) -> bytes:
    """The one serializer: a refusal at `path` as an answer's body, GraphQL's shape at /graphql, REST's
    elsewhere (and where there is no path yet: a request whose headers did not arrive)."""
    body = {"data": None, "errors": [error.graphql()]} if path == GRAPHQL_PATH else error.body()
    return orjson.dumps(body)


def response(error: ApiError, path: str) -> Response:
    """A refusal at `path` as an answer (an ASGI app too, for middleware)."""
    return Response(serialize(error, path), error.status, error.headers, "application/json")
