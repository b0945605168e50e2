"""Refusals that arise below the API, without an HTTP status: the API layer says how each one answers
(api/errors.py: `refused`). A service (services/) raises these; REST, GraphQL and the CLI answer them as
their own refusals."""

from __future__ import annotations

from typing import Any


class UnknownTimeZone(ValueError):
    """A time zone Python knows but the database does not."""


class Refusal(Exception):
    """A request the domain refuses: a message a person reads, and details naming the fields at fault."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class BadArgument(Refusal):
    """An argument is wrong (REST 400, GraphQL BAD_USER_INPUT): `name: message`, its detail naming it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}", [{"field": name, "message": message}])


class Invalid(Refusal):
    """What was given to store is not valid; nothing was written (REST 422)."""


class NotFound(Refusal):
    """The thing named does not exist for this organization."""


class Conflict(Refusal):
    """The request clashes with what is stored (a name taken, an insight no longer active)."""


def invalid(what: str, problems: list[dict[str, Any]]) -> Invalid:
    """The refusal of `what`, its message naming each problem (the CLI prints only the message)."""
    said = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return Invalid(f"{what} is not valid: {said}", problems)
