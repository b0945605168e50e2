"""SMTP TLS reports (RFC 8460): stored as sent, read per policy domain and day, and one by one."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from msgspec import UNSET, Meta, Struct, UnsetType
from msgspec import field as renamed

from api.contract.common import (
    BAD_ARGUMENT,
    Body,
    Counts,
    Day,
    FreeText,
    Moment,
    Operation,
    Schema,
    Time,
    about,
    json,
)
from api.importers.tlsrpt import COUNT_TEXT, MAX_BYTES, MAX_SESSIONS
from api.patterns import WHITE_SPACE, char_class
from api.rest.tls_reports import CURSOR
from core.arguments import DEFAULT_LIMIT, MAX_LIMIT


# -- A report as parse_report reads it: tolerant of what senders write, strict about its core -----------------
class Count(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {
        "description": f"a session count: a number up to {MAX_SESSIONS} (2^53) or a string of ASCII digits up to "
        "it; any other value (a fraction, a negative number, text that is no number) counts as 0",
        "anyOf": [
            {"type": "number", "maximum": MAX_SESSIONS},
            {"type": ["null", "boolean", "object", "array"]},
            {"type": "string", "pattern": COUNT_TEXT},
        ],
    }


class ReportId(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {
        "description": "not null; text with something besides white space and NUL (other values: their JSON)",
        "anyOf": [
            {"type": ["number", "boolean", "object", "array"]},
            {"type": "string", "pattern": char_class(WHITE_SPACE + "\x00", negate=True)},
        ],
    }


class SentSummary(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {
        "description": "not an object: no counts",
        "properties": {"total-successful-session-count": Count.SCHEMA, "total-failure-session-count": Count.SCHEMA},
    }


class SentFailures(Schema):
    SCHEMA: ClassVar[dict[str, Any]] = {
        "description": "not a list, or items that are not objects: no details",
        "items": {"properties": {"failed-session-count": Count.SCHEMA}},
    }


ReportTime = Annotated[
    str,
    Meta(
        extra_json_schema={"format": "date-time"},
        description="RFC 3339 (Python's other ISO 8601 forms with an offset are read too); from 0001-01-02 to "
        "9999-12-31 (UTC)",
    ),
]


class DateRange(Struct, rename="kebab"):
    start_datetime: ReportTime
    end_datetime: ReportTime


class SentPolicy(Struct, kw_only=True, rename="kebab"):
    summary: SentSummary | UnsetType = UNSET
    failure_details: SentFailures | UnsetType = UNSET


class TlsReportInput(Struct, rename="kebab"):
    """an SMTP TLS report (RFC 8460); other fields are kept or ignored. Its session counts may add up to 2^53 in
    all, and a policy's failure details to as much"""

    report_id: ReportId
    date_range: DateRange
    policies: Annotated[list[SentPolicy], Meta(min_length=1)]


# -- What is stored and read back -------------------------------------------------------------------------------
class StoredReport(Struct, kw_only=True):
    stored: bool | UnsetType = UNSET
    expired: Annotated[bool, about("older than the retention: not stored")] | UnsetType = UNSET


class StoredReports(Struct):
    reports: list[StoredReport]
    warnings: list[str]


NullableText = str | None


class TlsReportDay(Struct):
    day: Day
    policy_domain: NullableText
    successful: int
    failed: int
    reports: int
    failures: Annotated[Counts, about("by result type")]


class TlsReportSummary(Struct):
    id: int
    url: Annotated[str, about("/api/v1/tls-reports/{id}: the report in full")]
    organization_name: Annotated[str, about("the sender")]
    report_id: Annotated[str, about("the sender's report id")]
    from_: Time = renamed(name="from")
    to: Time
    policy_domains: list[str]
    successful: Annotated[int, about("the accepted domains' sessions only")]
    failed: int
    flagged: Annotated[bool, about("a policy domain is not one of the accepted domains: not counted")]
    foreign_domains: Annotated[list[str], about("its policy domains that are not accepted")]
    flag_reason: NullableText


class TlsReportFailure(Struct):
    result_type: str
    sending_mta_ip: NullableText
    receiving_mx_hostname: NullableText
    receiving_mx_helo: NullableText
    receiving_ip: NullableText
    failed_sessions: int
    failure_reason_code: NullableText
    additional_information: NullableText


MxHost = Annotated[
    str | list[str] | None,
    about("as the report gave it: a string or a list (null: absent, or stored before it was kept)"),
]


class TlsReportPolicy(Struct):
    policy_type: Annotated[str, about("sts, tlsa, no-policy-found (or what the sender wrote)")]
    policy_domain: NullableText
    policy_string: list[str]
    mx_host: MxHost
    mx_host_pattern: MxHost
    mx_hosts: Annotated[list[str], about("mx-host and mx-host-pattern")]
    successful: int
    failed: int
    detailed_failures: Annotated[int, about("the failure details' sessions added up")]
    details_mismatch: Annotated[bool, about("they do not add up to `failed`")]
    failures: list[TlsReportFailure]
    accepted: Annotated[bool, about("its domain is accepted (or none is listed): counted in the figures")]


class TlsReport(Struct):
    id: int
    organization_name: Annotated[str, about("the sender")]
    contact_info: NullableText
    report_id: Annotated[str, about("the sender's report id")]
    from_: Time = renamed(name="from")
    to: Time
    stored_at: Time
    policies: list[TlsReportPolicy]
    flagged: Annotated[bool, about("a policy domain is not one of the accepted domains: not counted")]
    flag_reason: NullableText


class TlsReports(Struct):
    from_: Time = renamed(name="from")
    to: Time
    days: list[TlsReportDay]
    reports: list[TlsReportSummary]
    reports_total: Annotated[int, about("the reports on every page")]
    next: Annotated[str | None, about("null: the last page")]


class TlsReportsQuery(Struct, kw_only=True, forbid_unknown_fields=True):
    from_: (
        Annotated[
            Moment,
            about(
                "inclusive start: RFC 3339, or YYYY-MM-DD (midnight UTC), or a time without an offset (UTC); from "
                "0001-01-02 to 9999-12-31 (UTC), as `to`; before `to`"
            ),
        ]
        | UnsetType
    ) = renamed(name="from", default=UNSET)
    to: (
        Annotated[Moment, about("exclusive end, as `from`; at most 90 days after `from` (default 7 days before `to`)")]
        | UnsetType
    ) = UNSET
    policy_domain: (
        Annotated[FreeText, about("only this policy domain (reports: those with a policy for it); empty: every domain")]
        | UnsetType
    ) = UNSET
    limit: (
        Annotated[
            int, Meta(ge=1, le=MAX_LIMIT, description=f"reports per page: 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})")
        ]
        | UnsetType
    ) = UNSET
    after: Annotated[str, Meta(pattern=CURSOR, description="the `next` of the previous page")] | UnsetType = UNSET


Gzipped = Annotated[
    str,
    Meta(
        extra_json_schema={"format": "binary", "contentMediaType": "application/gzip"},
        description="a TlsReportInput, gzip-compressed",
    ),
]
Mail = Annotated[
    str,
    Meta(
        extra_json_schema={"contentMediaType": "message/rfc822"},
        description="an e-mail with TlsReportInput parts (application/tlsrpt+json or +gzip, or a .json or .json.gz "
        "attachment)",
    ),
]

TAG = "tls-reports"
OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/tls-reports",
        "store SMTP TLS reports (RFC 8460): JSON, gzip'd JSON, or the e-mail that carried them",
        {
            201: json(StoredReports, "at least one report stored"),
            200: json(StoredReports, "nothing new stored (already stored, or older than the retention)"),
        },
        {
            400: "a malformed body",
            413: "the body is larger than MAILFLOW_MAX_BODY_BYTES, or its reports decompress to more than "
            f"{MAX_BYTES // 2**20} MB",
            422: "not a TLS report, a session count above 2^53, or a date outside 0001-01-02 to 9999-12-31 (UTC); "
            "details[].field names the part",
        },
        body=Body(
            {
                "application/json": TlsReportInput,
                "application/tlsrpt+json": TlsReportInput,
                "application/tlsrpt+gzip": Gzipped,
                "message/rfc822": Mail,
            }
        ),
    ),
    Operation(
        "GET",
        "/api/v1/tls-reports",
        "per policy domain and day: sessions and failures by result type; and the reports, newest first",
        {200: json(TlsReports, "report days and reports", inline=True)},
        BAD_ARGUMENT,
        query=TlsReportsQuery,
        description="The reports whose date range starts in the window. A report's sessions for a policy domain "
        "count once, from its policy for the domain with the most sessions (a sender reports the same sessions "
        "under an sts and a tlsa policy). `reports` holds at most `limit` reports; `reports_total` counts them "
        "all, and `next` (null on the last page) is the `after` of the next page. With accepted domains listed "
        "(/api/v1/accepted-domains), a policy for another domain is shown, flagged, and not counted.",
    ),
    Operation(
        "GET",
        "/api/v1/tls-reports/{id}",
        "one stored TLS report in full: its policies and their failure details",
        {200: json(TlsReport, "the report")},
        {
            400: "an id that is not a whole number from 1 to 2^63-1",
            404: "no such report in this organization",
        },
    ),
]
