"""The one error shape: every refusal is an `ApiError` with a status and a code. REST answers
`{"error": {"code", "message", "details"}}`; GraphQL errors are `{"message", "extensions": {"code",
"details"}}` (with their `locations` and `path`); the CLI prints the message on one line and exits non-zero.
api/error_responses.py turns any failure into one (`from_exception`) and one into an answer (`response`).
Light on purpose (no web stack, no database driver): the CLI and the importers' processes import it."""

from __future__ import annotations

import re
from typing import Any

from core import errors as core

_SNAKE = re.compile(r"_([a-z])")


class ApiError(Exception):
    """An expected failure with a status and a code a client can act on."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(
        self, message: str, details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The REST answer."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}

    def graphql(self, located: dict[str, Any] | None = None) -> dict[str, Any]:
        """One GraphQL error, at the `locations` and `path` of `located`; the fields details name are
        spelled as in the schema (camelCase)."""
        details = [{**d, "field": _camel(d["field"])} if isinstance(d.get("field"), str) else d for d in self.details]
        return {"message": self.message, **(located or {}), "extensions": {"code": self.code, "details": details}}


class BadRequest(ApiError):
    status = 400
    code = "BAD_REQUEST"


class BadUserInput(ApiError):
    """An argument is wrong: REST 400, GraphQL BAD_USER_INPUT."""

    status = 400
    code = "BAD_USER_INPUT"


class GraphQLParseFailed(ApiError):
    """The GraphQL document is not GraphQL (or has more tokens than the limit)."""

    code = "GRAPHQL_PARSE_FAILED"


class GraphQLValidationFailed(ApiError):
    """The GraphQL document does not fit the schema or the abuse limits."""

    code = "GRAPHQL_VALIDATION_FAILED"


class Unauthenticated(ApiError):
    status = 401
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    status = 403
    code = "FORBIDDEN"


class NotFound(ApiError):
    status = 404
    code = "NOT_FOUND"


class MethodNotAllowed(ApiError):
    status = 405
    code = "METHOD_NOT_ALLOWED"


class Conflict(ApiError):
    status = 409
    code = "CONFLICT"


class PayloadTooLarge(ApiError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class RequestTimeout(ApiError):
    """The request's headers or body did not arrive in time; the connection is closed (api/connections.py)."""

    status = 408
    code = "REQUEST_TIMEOUT"


class ValidationFailed(ApiError):
    """The body was read but what it holds is not valid; nothing was written."""

    status = 422
    code = "VALIDATION_FAILED"


class RateLimited(ApiError):
    status = 429
    code = "RATE_LIMITED"


class ClientClosedRequest(ApiError):
    """The client left before its request body was complete: nginx's 499, for the request log (nobody reads
    the answer)."""

    status = 499
    code = "CLIENT_CLOSED_REQUEST"


class InternalError(ApiError):
    """A fault of the server's: logged with the request id, which the message asks to quote."""

    status = 500
    code = "INTERNAL_SERVER_ERROR"


class ServiceUnavailable(ApiError):
    status = 503
    code = "SERVICE_UNAVAILABLE"


_REFUSED: dict[type[core.Refusal], type[ApiError]] = {
    core.BadArgument: BadUserInput,
    core.Invalid: ValidationFailed,
    core.NotFound: NotFound,
    core.Conflict: Conflict,
}


def refused(refusal: core.Refusal) -> ApiError:
    """How the API answers a refusal of the domain's (core/errors.py): one class of its own per kind."""
    kind = next((api for cls, api in _REFUSED.items() if isinstance(refusal, cls)), BadRequest)
    error = kind(refusal.message, refusal.details)
    error.__cause__ = refusal
    return error


def bad_argument(name: str, message: str) -> BadUserInput:
    return BadUserInput(f"{name}: {message}", [{"field": name, "message": message}])


def _camel(name: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)
