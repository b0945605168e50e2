"""Mailboxes polled over IMAP for TLS reports (their passwords kept encrypted, never shown)."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from api.contract.common import (
    BAD_ARGUMENT,
    MALFORMED,
    Answer,
    Counts,
    NotBlank,
    Operation,
    Time,
    about,
    json,
    json_body,
    one_of,
)
from api.patterns import TEXT
from api.tlsrpt.mailboxes import MAX_TEXT, PROCESSED, SECURITY

Security = Annotated[str, one_of(SECURITY)]
Processed = Annotated[str, one_of(PROCESSED, "what is done with a processed message")]
MailboxText = Annotated[NotBlank, Meta(min_length=1, max_length=MAX_TEXT)]


class Mailbox(Struct, kw_only=True):
    id: int
    host: str
    port: int
    security: Security
    username: str
    folder: str
    processed: Processed
    processed_folder: str | UnsetType = UNSET
    error_folder: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    created_at: Time | UnsetType = UNSET
    last_poll_at: Time | UnsetType | None = UNSET
    last_success_at: Time | UnsetType | None = UNSET
    last_error_at: Time | UnsetType | None = UNSET
    last_error: str | UnsetType | None = UNSET
    failing_since: Time | UnsetType | None = UNSET
    reports_total: int
    reports_today: int | UnsetType = UNSET
    skipped: Annotated[Counts, about("by reason")]


class Mailboxes(Struct):
    mailboxes: list[Mailbox] | UnsetType = UNSET


class NewMailbox(Struct, kw_only=True, forbid_unknown_fields=True):
    host: MailboxText
    username: MailboxText
    password: MailboxText
    port: Annotated[int, Meta(ge=1, le=65535)] | UnsetType | None = UNSET
    security: Security | UnsetType | None = UNSET
    folder: MailboxText | UnsetType | None = UNSET
    processed: Annotated[str, one_of(PROCESSED)] | UnsetType | None = UNSET
    processed_folder: MailboxText | UnsetType | None = UNSET
    error_folder: MailboxText | UnsetType | None = UNSET
    description: Annotated[str, Meta(max_length=MAX_TEXT, pattern=TEXT)] | UnsetType | None = UNSET


class PollOutcome(Struct, kw_only=True):
    polled: Annotated[bool, about("false: another process was polling it")] | UnsetType = UNSET
    ok: bool | UnsetType = UNSET
    error: str | UnsetType | None = UNSET
    messages: int | UnsetType = UNSET
    reports: int | UnsetType = UNSET
    mailbox: Mailbox | UnsetType = UNSET


NO_SUCH = {404: "no such mailbox in this organization"}

TAG = "mailboxes"
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/mailboxes",
        "the mailboxes polled for TLS reports, with their status (never their passwords)",
        {200: json(Mailboxes, "mailboxes")},
        BAD_ARGUMENT,
    ),
    Operation(
        "POST",
        "/api/v1/mailboxes",
        "add a mailbox to poll over IMAP; its password is kept encrypted",
        {201: json(Mailbox, "added")},
        {
            **MALFORMED,
            422: "invalid or refused fields, in details[] (a host that does not resolve or is not public)",
        },
        body=json_body(NewMailbox),
        description="The host must resolve, to public addresses only unless MAILFLOW_MAILBOX_ALLOW_PRIVATE=on "
        "(which also allows security `none`).",
    ),
    Operation(
        "GET",
        "/api/v1/mailboxes/{mailbox_id}",
        "one mailbox and its status",
        {200: json(Mailbox, "the mailbox")},
        {400: "a bad argument", **NO_SUCH},
    ),
    Operation(
        "DELETE",
        "/api/v1/mailboxes/{mailbox_id}",
        "stop polling a mailbox (its stored reports stay)",
        {204: Answer("removed")},
        NO_SUCH,
    ),
    Operation(
        "POST",
        "/api/v1/mailboxes/{mailbox_id}/test",
        "poll the mailbox now and say how it went",
        {200: json(PollOutcome, "how the poll went")},
        NO_SUCH,
    ),
]
