"""Insights: rules that fired for a connector, their events (the SIEM pull) and their settings."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from api.contract.common import (
    BAD_ARGUMENT,
    MALFORMED,
    Answer,
    Moment,
    NotBlank,
    Operation,
    Schema,
    Time,
    about,
    json,
    json_body,
    one_of,
)
from api.contract.connectors import Connector
from api.contract.traffic_reports import ConnectorId
from core.insights import MAX_MIN_MESSAGES, MAX_WINDOW_DAYS, RULES
from core.webhooks import INSIGHT_KINDS
from services import insights as service
from services.remote_domains import DIRECTIONS

STATES = service.STATUSES["all"]
PERCENT = 100  # core/insights.py: a threshold is a percentage


class RemoteCount(Struct):
    domain: Annotated[str | None, about("null: not known")]
    messages: Annotated[int, about("its messages that the rule counts")]
    volume: Annotated[int, about("all its messages through the connector")]


class Insight(Struct, kw_only=True):
    id: int | UnsetType = UNSET
    rule: str | UnsetType = UNSET
    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    recommended_action: str | UnsetType = UNSET
    severity: int | UnsetType = UNSET
    status: Annotated[str, one_of(STATES)] | UnsetType = UNSET
    connector: Connector | UnsetType = UNSET
    share: float | UnsetType = UNSET
    messages: int | UnsetType = UNSET
    volume: int | UnsetType = UNSET
    threshold: float | UnsetType = UNSET
    window_from: Time | UnsetType = UNSET
    window_to: Time | UnsetType = UNSET
    first_detected_at: Time | UnsetType = UNSET
    last_detected_at: Time | UnsetType = UNSET
    resolved_at: Time | UnsetType | None = UNSET
    dismissed_at: Time | UnsetType | None = UNSET
    dismiss_reason: str | UnsetType | None = UNSET
    remote_domains: (
        Annotated[
            list[RemoteCount],
            about("the top ten remote domains behind the condition (sender's inbound, recipient's outbound)"),
        ]
        | UnsetType
    ) = UNSET
    remote_servers: (
        Annotated[list[RemoteCount], about("the top ten remote servers' registrable domains behind the condition")]
        | UnsetType
    ) = UNSET


class InsightEvent(Struct, kw_only=True):
    event_id: int | UnsetType = UNSET
    cursor: str | UnsetType = UNSET
    type: Annotated[str, one_of(INSIGHT_KINDS)] | UnsetType = UNSET
    at: Time | UnsetType = UNSET
    insight: Insight | UnsetType = UNSET


class Insights(Struct):
    insights: list[Insight] | UnsetType = UNSET


class Events(Struct, kw_only=True):
    events: list[InsightEvent] | UnsetType = UNSET
    next: str | UnsetType = UNSET


class Dismissed(Struct):
    insight: Insight | UnsetType = UNSET


class Dismissal(Struct):
    reason: Annotated[NotBlank, Meta(min_length=1, max_length=1000)]  # services/insights.py: dismiss


class InsightsQuery(Struct, kw_only=True, forbid_unknown_fields=True):
    status: (
        Annotated[str, one_of(service.STATUSES, "active (default), resolved, dismissed or all, in any case")]
        | UnsetType
    ) = UNSET
    connector: Annotated[ConnectorId, about("a connector id; 0: the internet without a connector")] | UnsetType = UNSET
    direction: Annotated[str, one_of(DIRECTIONS, "inbound or outbound")] | UnsetType = UNSET


class EventsQuery(Struct, kw_only=True, forbid_unknown_fields=True):
    after: (
        Annotated[
            str,
            Meta(
                pattern=service.CURSOR,
                description="the `next` cursor of the previous page; absent: the oldest retained event",
            ),
        ]
        | UnsetType
    ) = UNSET
    since: (
        Annotated[
            Moment,
            about(
                "RFC 3339 (a date or a time without an offset: UTC): start with the events from this time; from "
                "0001-01-02 to 9999-12-31 (UTC)"
            ),
        ]
        | UnsetType
    ) = UNSET
    limit: (
        Annotated[int, Meta(ge=1, le=service.MAX_LIMIT, description=f"1 to {service.MAX_LIMIT} (default 1000)")]
        | UnsetType
    ) = UNSET
    format: (
        Annotated[
            Literal["json", "ndjson", "cef"],
            about("json (default), ndjson or cef, in any case; Accept: application/x-ndjson gives NDJSON"),
        ]
        | UnsetType
    ) = UNSET


class RuleUpdate(Struct, kw_only=True, forbid_unknown_fields=True):
    threshold: Annotated[float, Meta(ge=0, le=PERCENT)] | UnsetType = UNSET
    min_messages: Annotated[int, Meta(ge=1, le=MAX_MIN_MESSAGES)] | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class RuleUpdates(Schema):
    """An update of each rule by its name (core/insights.py RULES)."""

    SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: msgspec.json.schema_components([RuleUpdate])[1]["RuleUpdate"] for name in RULES},
    }


class InsightSettingsUpdate(Struct, kw_only=True, forbid_unknown_fields=True):
    window_days: Annotated[int, Meta(ge=1, le=MAX_WINDOW_DAYS)] | UnsetType = UNSET
    rules: RuleUpdates | UnsetType = UNSET


class RuleSettings(Struct, kw_only=True):
    threshold: Annotated[float, Meta(ge=0, le=PERCENT)] | UnsetType = UNSET
    min_messages: Annotated[int, Meta(ge=1)] | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class InsightSettings(Struct, kw_only=True):
    window_days: Annotated[int, Meta(ge=1, le=MAX_WINDOW_DAYS)] | UnsetType = UNSET
    rules: dict[str, RuleSettings] | UnsetType = UNSET


TAG = "insights"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/insights",
        "insights, newest first",
        {200: json(Insights, "insights")},
        BAD_ARGUMENT,
        query=InsightsQuery,
    ),
    Operation(
        "GET",
        "/api/v1/insights/events",
        "the SIEM pull: insight events after a cursor, never skipped or repeated",
        {
            200: Answer(
                "a page; the next cursor is also in the Link (rel=next) and X-Next-Cursor headers",
                {
                    "application/json": Events,
                    "application/x-ndjson": str,
                    "text/plain": Annotated[str, about("CEF lines")],
                },
            )
        },
        BAD_ARGUMENT,
        query=EventsQuery,
    ),
    Operation(
        "POST",
        "/api/v1/insights/{insight_id}/dismiss",
        "dismiss an active insight",
        {200: json(Dismissed, "dismissed")},
        {**MALFORMED, 404: "no such insight", 409: "the insight is not active", 422: "no reason given"},
        body=json_body(Dismissal),
    ),
    Operation(
        "GET",
        "/api/v1/insight-settings",
        "the insight window and each rule's threshold, minimum and state",
        {200: json(InsightSettings, "settings")},
        BAD_ARGUMENT,
    ),
    Operation(
        "PUT",
        "/api/v1/insight-settings",
        "change the window or rules (fields left out keep their value); re-evaluates at once",
        {200: json(InsightSettings, "the new settings")},
        {**MALFORMED, 422: "invalid settings, in details[]; nothing changed"},
        body=json_body(InsightSettingsUpdate),
    ),
]
