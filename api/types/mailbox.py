"""The Mailbox type: a mailbox polled over IMAP for TLS reports, and what it received; the input that adds one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from api.types.tlsrpt_endpoint import SkippedCount, skipped_counts
from db.mailboxes import Mailbox as Stored


@strawberry.type(description="A mailbox polled over IMAP for TLS reports (never its password).")
class Mailbox:
    id: strawberry.ID
    host: str
    port: int
    security: str = strawberry.field(description="tls, starttls or none")
    username: str
    folder: str
    processed: str = strawberry.field(description="what is done with a processed message: move, flag or delete")
    processed_folder: str
    error_folder: str
    description: str
    enabled: bool
    created_at: datetime
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    failing_since: datetime | None = strawberry.field(description="the first failed poll since the last good one")
    reports_total: int
    reports_today: int = strawberry.field(description="reports stored from it this UTC day")
    skipped: list[SkippedCount] = strawberry.field(description="messages that stored nothing, by reason")

    @classmethod
    def of(cls, found: Stored) -> Mailbox:
        return cls(
            id=strawberry.ID(str(found.id)),
            **{k: v for k, v in vars(found).items() if k not in ("id", "skipped")},
            skipped=skipped_counts(found.skipped),
        )


@strawberry.input(description="A mailbox to poll; a field left out takes its default.")
class MailboxInput:
    host: str
    username: str
    password: str = strawberry.field(description="the password or app password; kept encrypted, never shown")
    port: int | None = strawberry.field(default=None, description="default: 993 with tls, else 143")
    security: str = "tls"
    folder: str = "INBOX"
    processed: str = strawberry.field(default="move", description="move, flag or delete")
    processed_folder: str = "mailflow/processed"
    error_folder: str = "mailflow/errors"
    description: str = ""

    def json(self) -> dict[str, Any]:
        return dict(vars(self))


@strawberry.type(description="How polling a mailbox now went.")
class MailboxTestResult:
    ok: bool
    error: str | None
    messages: int = strawberry.field(description="new messages handled")
    reports: int = strawberry.field(description="reports stored")
    mailbox: Mailbox
