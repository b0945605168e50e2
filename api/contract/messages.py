"""Ingest message records: all or nothing; duplicates are counted, not stored."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from api.contract.common import Body, NotBlank, Operation, about, json, one_of
from api.ingest import _DIRECTIONS, RFC3339, SECURITY_LEVELS
from api.patterns import LOGGED_IP, TEXT
from api.tls import PATTERN as TLS_VERSION

TEXT_LIMIT = 1000  # api/ingest.py: message_id and the text fields (_TEXT_FIELDS): at most 1000 characters, no NUL
Text = Annotated[str, Meta(max_length=TEXT_LIMIT, pattern=TEXT)] | None


class Message(Struct, kw_only=True, forbid_unknown_fields=True):
    message_id: Annotated[NotBlank, Meta(min_length=1, max_length=TEXT_LIMIT)]
    received_at: Annotated[
        str,
        Meta(
            pattern=RFC3339,
            extra_json_schema={"format": "date-time"},
            description="RFC 3339 with an offset (a space for the T is read too); from 0001-01-02 to 9999-12-31 "
            "(UTC), and at most a day after now",
        ),
    ]
    direction: Annotated[str, one_of(_DIRECTIONS)]
    tls_version: Annotated[
        str,
        Meta(
            pattern=TLS_VERSION,
            description="TLSv1.3, TLS 1.2, TLS1_1, 1.0, tls12, SSLv3, none, unknown, ... in any case",
        ),
    ]
    connector: (
        Annotated[
            str | None,
            about(
                "the name of a connector in the record's direction (not for submission); absent: by the connectors' "
                "rules; null: none"
            ),
        ]
        | UnsetType
    ) = UNSET
    cipher: Text | UnsetType = UNSET
    sender: Text | UnsetType = UNSET
    recipient: Text | UnsetType = UNSET
    remote_host: Text | UnsetType = UNSET
    status: Text | UnsetType = UNSET
    remote_ip: (
        Annotated[
            Annotated[str, Meta(pattern=LOGGED_IP)] | None,
            about("IPv4 or IPv6, as logs write it: in brackets, with IPv6: or a %interface"),
        ]
        | UnsetType
    ) = UNSET
    size_bytes: Annotated[int, Meta(ge=0, le=2**62)] | UnsetType | None = UNSET
    tls_security: (
        Annotated[
            Annotated[str, one_of(SECURITY_LEVELS)] | None,
            about(
                "the delivery's transit security (case-insensitive); default from tls_version: none, unknown, else "
                "opportunistic"
            ),
        ]
        | UnsetType
    ) = UNSET
    blocked_reason: (
        Annotated[Text, about("set on a delivery refused or deferred because TLS was required: why")] | UnsetType
    ) = UNSET


Records = Annotated[list[Message] | Message, about("records")]
NdjsonRecords = Annotated[list[Message] | Message, about("one JSON object a line (blank lines skipped)")]


class Stored(Struct):
    accepted: int
    duplicates: int
    expired: Annotated[int, about("valid records older than the retention: not stored")]
    warnings: list[str]


TAG = "messages"
OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/messages",
        "ingest message records (all or nothing; duplicates are counted, not stored)",
        {200: json(Stored, "stored")},
        {
            400: "malformed JSON (details[].line) or an unsupported Content-Type",
            413: "the body is larger than MAILFLOW_MAX_BODY_BYTES after decompression",
            415: "an unsupported Content-Encoding",
            422: "invalid records, each in details[] as {line, field, message}; nothing stored",
        },
        body=Body({"application/json": Records, "application/x-ndjson": NdjsonRecords}),
        description="The body may be gzip-compressed, with `Content-Encoding: gzip`.",
    )
]
