"""Traffic reports: how much mail travels over which TLS version, per direction, connector and day."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from msgspec import UNSET, Meta, Struct, UnsetType
from msgspec import field as renamed

from api.contract.common import (
    BAD_ARGUMENT,
    BIGINT,
    Answer,
    Day,
    FreeText,
    Operation,
    Retained,
    Schema,
    Time,
    WindowQuery,
    about,
    json,
    one_of,
)
from api.contract.connectors import Connector
from core.tls import BUCKETS
from core.window import DIRECTIONS
from services.reports import CONNECTOR_TYPES

FLOWS = [d for d in DIRECTIONS if d != "submission"]  # `both` is mail flow: submissions are apart
ConnectorId = Annotated[int, Meta(ge=0, le=BIGINT)]


class Share(Struct):
    tls_version: Annotated[str, one_of(BUCKETS)]
    messages: int
    share: Annotated[float, about("percent, one decimal")]


Versions = Annotated[list[Share], about("all six TLS buckets, in this order: " + ", ".join(BUCKETS))]


class BucketCounts(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {"type": "object", "properties": {b: {"type": "integer"} for b in BUCKETS}}


class BucketShares(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {"type": "object", "properties": {b: {"type": "number"} for b in BUCKETS}}


class Traffic(Struct):
    total: int
    versions: Versions


class Summary(Struct):
    from_: Time = renamed(name="from")
    to: Time
    inbound: Traffic
    outbound: Traffic
    submission: Traffic


class DailyTraffic(Struct):
    day: Day
    total: int
    versions: Versions


class Breakdown(Retained, kw_only=True):
    direction: str
    from_: Time = renamed(name="from")
    to: Time
    time_zone: str
    total: int
    versions: Versions
    daily: list[DailyTraffic]


class SubmissionsQuery(WindowQuery):
    pass


class BreakdownQuery(WindowQuery, kw_only=True):
    direction: (
        Annotated[
            str,
            one_of(
                DIRECTIONS,
                "inbound, outbound or both (default), in any case; submission: client submissions (not part of both)",
            ),
        ]
        | UnsetType
    ) = UNSET
    connector: (
        Annotated[
            ConnectorId,
            about("an existing connector's id; 0: the internet without a connector (not with direction=submission)"),
        ]
        | UnsetType
    ) = UNSET


class ConnectorRow(Struct, kw_only=True):
    day: Annotated[Day, about("absent in totals")] | UnsetType = UNSET
    connector: Connector
    volume: int
    messages: BucketCounts
    percent: BucketShares


class ConnectorReport(Retained, kw_only=True):
    from_: Time = renamed(name="from")
    to: Time
    time_zone: str
    rows: list[ConnectorRow]
    totals: list[ConnectorRow]


class ConnectorReportQuery(WindowQuery, kw_only=True):
    direction: Annotated[str, one_of(FLOWS, "inbound, outbound or both (default), in any case")] | UnsetType = UNSET
    connector_type: Annotated[str, one_of(CONNECTOR_TYPES, "partner, on_premises or internet")] | UnsetType = UNSET
    connector_name: (
        Annotated[FreeText, about("a connector name prefix (case-insensitive); empty: every name")] | UnsetType
    ) = UNSET
    format: (
        Annotated[Literal["json", "csv"], about("json (default) or csv, in any case; Accept: text/csv also gives CSV")]
        | UnsetType
    ) = UNSET


TAG = "traffic-reports"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/summary",
        "the dashboard widget: the last 7 days ending now, per direction",
        {200: json(Summary, "summary")},
        BAD_ARGUMENT,
    ),
    Operation(
        "GET",
        "/api/v1/tls-breakdown",
        "messages protected in transit: totals per TLS bucket and a daily series",
        {200: json(Breakdown, "breakdown")},
        BAD_ARGUMENT,
        query=BreakdownQuery,
    ),
    Operation(
        "GET",
        "/api/v1/client-submissions",
        "client submissions (submission/smtps listeners, SMTP AUTH) by TLS version: totals and a daily series, as "
        "Microsoft's SMTP AUTH clients report",
        {200: json(Breakdown, "breakdown")},
        BAD_ARGUMENT,
        query=SubmissionsQuery,
    ),
    Operation(
        "GET",
        "/api/v1/connector-report",
        "volume and TLS shares per connector per day, and per connector for the window",
        {200: Answer("the report", {"application/json": ConnectorReport, "text/csv": str})},
        BAD_ARGUMENT,
        query=ConnectorReportQuery,
    ),
]
