"""What every resource's contract is made of: an `Operation` (a route's method as the document tells it),
the types of values the server reads in many places (ids, times, free text, a report window), the one error
shape, and `Schema`, for the few values whose JSON Schema no Python type gives (a union of two kinds of
string, a field a TLS report may hold in any JSON type)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from msgspec import UNSET, Meta, Struct, UnsetType
from msgspec import field as renamed

from api.patterns import NOT_BLANK, TEXT
from core.window import TIME_ZONES

# -- Values ---------------------------------------------------------------------------------------------------
BIGINT = 2**63 - 1
Id = Annotated[int, Meta(ge=1, le=BIGINT)]  # ids are bigints
Time = Annotated[datetime, Meta(tz=True)]  # RFC 3339, with an offset
Day = date
FreeText = Annotated[str, Meta(pattern=TEXT)]  # any text PostgreSQL holds: no NUL
NotBlank = Annotated[str, Meta(pattern=NOT_BLANK)]  # ... and not only white space
Counts = dict[str, int]  # by a name (a reason, a result type)


def one_of(values: Iterable[str | None], description: str | None = None) -> Meta:
    """A string from `values` (held where the server checks them): `Annotated[str, one_of(BUCKETS)]`."""
    return Meta(extra_json_schema={"enum": list(values)}, description=description)


def about(description: str) -> Meta:
    return Meta(description=description)


class Schema:
    """A value described by the JSON Schema in SCHEMA (msgspec's schema_hook reads it); a subclass that sets
    COMPONENT is a named component of the document, referred to where it is used."""

    SCHEMA: ClassVar[dict[str, Any]]
    COMPONENT: ClassVar[bool] = False


class Moment(Schema):
    """RFC 3339, or a date; the server also reads a time without an offset (in the window's time zone) and
    Python's other ISO 8601 forms, said in words."""

    SCHEMA: ClassVar[dict[str, Any]] = {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]
    }


class TimeZone(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "string",
        "enum": sorted(TIME_ZONES),
        "description": "an IANA time zone name",
    }
    COMPONENT = True


def schema_hook(kind: type) -> dict[str, Any]:
    """msgspec's hook for the `Schema` types."""
    if isinstance(kind, type) and issubclass(kind, Schema):
        if kind.COMPONENT:
            return {"$ref": f"#/components/schemas/{kind.__name__}"}
        return dict(kind.SCHEMA)
    raise NotImplementedError(kind)


# -- The query of a report: its window --------------------------------------------------------------------------
class WindowQuery(Struct, kw_only=True, forbid_unknown_fields=True):
    """A report window (core/window.py)."""

    from_: (
        Annotated[
            Moment,
            about(
                "inclusive start: RFC 3339, or YYYY-MM-DD (midnight in time_zone), or a time without an offset (in "
                "time_zone); rounded down to the hour; from 0001-01-02 to 9999-12-31 (UTC), as `to`; before `to`"
            ),
        ]
        | UnsetType
    ) = renamed(name="from", default=UNSET)
    to: (
        Annotated[
            Moment,
            about(
                "exclusive end, as `from`; default the end of the current hour; at most 90 days after `from` "
                "(default 7 days before `to`)"
            ),
        ]
        | UnsetType
    ) = UNSET
    time_zone: Annotated[TimeZone, about("IANA time zone for days (default UTC)")] | UnsetType = UNSET


class Retained(Struct, kw_only=True):
    """What a report of the window can show, given the retention."""

    retained_from: Annotated[Time, about("the oldest moment whose data is kept (MAILFLOW_RETENTION_DAYS)")]
    warnings: Annotated[list[str], about("what the figures cannot show, e.g. a window starting before retained_from")]


# -- The one error shape (api/errors.py) ------------------------------------------------------------------------
class ErrorBody(Struct):
    code: str
    message: str
    details: list[dict[str, Any]]


class Error(Struct):
    error: ErrorBody


# -- Operations -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """One status's answer: what it means and its body's type by media type (none: no body)."""

    description: str
    content: Mapping[str, Any] = field(default_factory=dict)
    inline: bool = False  # the body's own schema written out, not a reference (a page that is nothing else)


def json(kind: Any, description: str, inline: bool = False) -> Answer:
    return Answer(description, {"application/json": kind}, inline)


@dataclass(frozen=True)
class Body:
    content: Mapping[str, Any]  # media type -> the body's type
    required: bool = True


def json_body(kind: Any, required: bool = True) -> Body:
    return Body({"application/json": kind}, required)


@dataclass(frozen=True)
class Operation:
    """A route's method, as the document tells it. `refusals`: the 4xx answers (in the one error shape) this
    operation adds to those of every route with a key (COMMON_REFUSALS)."""

    method: str
    path: str
    summary: str
    answers: Mapping[int, Answer]
    refusals: Mapping[int, str] = field(default_factory=dict)
    query: type[Struct] | None = None
    body: Body | None = None
    description: str = ""
    # a path parameter that is not an id (a bigint from 1): its JSON Schema, by name
    path_parameters: Mapping[str, dict[str, Any]] = field(default_factory=dict)


COMMON_REFUSALS = {
    401: "no API key, or one that is not valid",
    403: "the key's role does not allow this",
    408: "the request's headers or body did not arrive in time; the connection is closed",
    429: "too many requests for this key, failed authentications or open connections from this address; "
    "see Retry-After",
    503: "the database is unavailable or took too long",
}
BAD_ARGUMENT = {400: "a bad argument, named in details[].field"}
MALFORMED = {400: "malformed JSON", 413: "body too large"}
