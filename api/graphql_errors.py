"""Which refusal a GraphQL error is, told by where it arose, never by its wording.

- Raised by a resolver (or a scalar) as an `ApiError`, or by a service as a refusal of the domain's
  (core/errors.py): that refusal, with its code (`BAD_USER_INPUT`, `FORBIDDEN`, `CONFLICT`, ...).
- A value given for an argument that its type refuses: `BAD_USER_INPUT`. graphql-core finds these in two
  places, both marked where they arise: the validation rule for values written in the query (`ArgumentValues`)
  and the coercion of the request's variables (`LeanExecutor.build`, api/executor.py).
- Any other error before execution: `GRAPHQL_PARSE_FAILED` from the parser (its errors are
  `GraphQLSyntaxError`s, the token limit's too), else `GRAPHQL_VALIDATION_FAILED` (validation, the abuse
  limits, choosing the operation).
- An error while executing that is none of these: the database's trouble (503) or a fault (500, logged), as
  for REST (api/error_responses.py).
"""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSyntaxError, ValuesOfCorrectTypeRule
from starlette.requests import Request

from api.error_responses import from_exception
from api.errors import ApiError, BadUserInput, GraphQLParseFailed, GraphQLValidationFailed, refused
from core.errors import Refusal


def blame_input(errors: list[GraphQLError]) -> None:
    """Marks graphql-core's errors as a wrong value given by the client."""
    for error in errors:
        error.extensions = {**(error.extensions or {}), "code": BadUserInput.code}


class ArgumentValues(ValuesOfCorrectTypeRule):
    """graphql-core's rule for argument values written in the query, whose errors are the client's input."""

    def report_error(self, error: GraphQLError) -> None:
        blame_input([error])
        super().report_error(error)


def by_client(error: GraphQLError) -> bool:
    """Whether `refusal` makes the error a 4xx (the client's doing), told the same way."""
    original = error.original_error
    if isinstance(original, ApiError):
        return original.status < 500
    if isinstance(original, Refusal):
        return True
    if error.extensions and error.extensions.get("code") == BadUserInput.code:
        return True
    return error.path is None and (original is None or isinstance(original, GraphQLError))


def refusal(error: GraphQLError, request: Request) -> ApiError:
    original = error.original_error
    if isinstance(original, ApiError):
        return original
    if isinstance(original, Refusal):
        return refused(original)
    if error.extensions and error.extensions.get("code") == BadUserInput.code:
        return BadUserInput(error.message)
    if error.path is None and (original is None or isinstance(original, GraphQLError)):
        if isinstance(error, GraphQLSyntaxError):
            return GraphQLParseFailed(error.message)
        return GraphQLValidationFailed(error.message)
    return from_exception(original or error, request)


def located(error: GraphQLError) -> dict[str, object]:
    """Where in the query and the answer the error is (as graphql-core formats it)."""
    return {key: value for key, value in error.formatted.items() if key in ("locations", "path")}
