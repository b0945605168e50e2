"""Outbound transit security: deliveries by security level, blocked deliveries, domains without TLS."""

from __future__ import annotations

from typing import Any, ClassVar

from msgspec import UNSET, Struct, UnsetType
from msgspec import field as renamed

from api.contract.common import BAD_ARGUMENT, Day, Operation, Retained, Schema, Time, WindowQuery, json
from api.ingest import SECURITY_LEVELS


class LevelsByDay(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "day": {"type": "string", "format": "date"},
            **{level: {"type": "integer"} for level in [*SECURITY_LEVELS, "blocked"]},
        },
    }


class Blocked(Struct, kw_only=True):
    recipient_domain: str | UnsetType | None = UNSET
    reason: str | UnsetType = UNSET
    deliveries: int | UnsetType = UNSET
    first_seen: Time | UnsetType = UNSET
    last_seen: Time | UnsetType = UNSET


class WithoutTls(Struct, kw_only=True):
    domain: str | UnsetType = UNSET
    deliveries: int | UnsetType = UNSET
    first_day: Day | UnsetType = UNSET
    last_day: Day | UnsetType = UNSET


class TransitSecurity(Retained, kw_only=True):
    from_: Time = renamed(name="from")
    to: Time
    time_zone: str
    counted_from: Time
    counted_to: Time
    days: list[LevelsByDay]
    blocked: list[Blocked]
    without_tls: list[WithoutTls]


class TransitQuery(WindowQuery):
    pass


TAG = "transit-security"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/transit-security",
        "outbound transit security: deliveries per UTC day by security level, blocked deliveries by recipient "
        "domain and reason, recipient domains not supporting TLS",
        {200: json(TransitSecurity, "the transit security of the window")},
        BAD_ARGUMENT,
        query=TransitQuery,
    )
]
