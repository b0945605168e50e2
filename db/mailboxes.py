"""Mailboxes polled for TLS reports: their settings (the password encrypted), leases, the messages handled
(once each, by UIDVALIDITY and UID) and what each mailbox received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from db import insights, sql

# the insight that a mailbox has failed for an hour (api/tlsrpt/poller.py)
MAILBOX_FAILING = insights.SystemInsight("mailbox_failing", "inbound", 6)


@dataclass(frozen=True)
class Mailbox:
    """A mailbox as the API shows it (never its password); the fields in REST's order."""

    host: str
    port: int
    security: str
    username: str
    folder: str
    processed: str
    processed_folder: str
    error_folder: str
    description: str
    enabled: bool
    created_at: datetime
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    failing_since: datetime | None
    reports_total: int
    reports_today: int
    skipped: dict[str, int]  # messages that stored nothing, by reason
    id: int


def mailbox(r: asyncpg.Record) -> Mailbox:
    return Mailbox(
        r["host"], r["port"], r["security"], r["username"], r["folder"], r["processed"], r["processed_folder"],
        r["error_folder"], r["description"], r["enabled"], r["created_at"], r["last_poll_at"], r["last_success_at"],
        r["last_error_at"], r["last_error"], r["failing_since"], r["reports_total"], r["reports_today"], r["skipped"],
        r["mailbox_id"],
    )  # fmt: skip


async def insert_mailbox(db: sql.Executor, org_id: int, fields: dict[str, Any], password: bytes) -> Mailbox:
    row = await sql.fetchrow(
        db, "mailboxes/insert_mailbox", org_id, fields["host"], fields["port"], fields["security"],
        fields["username"], password, fields["folder"], fields["processed"], fields["processed_folder"],
        fields["error_folder"], fields["description"], datetime.now(UTC),
    )  # fmt: skip
    assert row is not None
    return mailbox(row)


async def list_mailboxes(db: sql.Executor, org_id: int, mailbox_id: int | None = None) -> list[Mailbox]:
    return [mailbox(r) for r in await sql.fetch(db, "mailboxes/list_mailboxes", org_id, mailbox_id)]


async def delete_mailbox(db: sql.Executor, org_id: int, mailbox_id: int) -> bool:
    return await sql.fetchval(db, "mailboxes/delete_mailbox", org_id, mailbox_id) is not None


@dataclass(frozen=True)
class Credentials:
    """What a poll needs, with the password sealed (core/secrets.py)."""

    host: str
    port: int
    security: str
    username: str
    sealed_password: bytes
    folder: str
    processed: str
    processed_folder: str
    error_folder: str


async def credentials(db: sql.Executor, org_id: int, mailbox_id: int) -> Credentials | None:
    r = await sql.fetchrow(db, "mailboxes/mailbox_credentials", org_id, mailbox_id)
    if r is None:
        return None
    return Credentials(
        r["host"], r["port"], r["security"], r["username"], bytes(r["password"]), r["folder"], r["processed"],
        r["processed_folder"], r["error_folder"],
    )  # fmt: skip


async def due_mailboxes(db: sql.Executor, every_seconds: float, limit: int) -> list[tuple[int, int]]:
    rows = await sql.fetch(db, "mailboxes/list_due_mailboxes", every_seconds, limit)
    return [(r["org_id"], r["mailbox_id"]) for r in rows]


async def lease(db: sql.Executor, org_id: int, mailbox_id: int, seconds: float) -> bool:
    """True when this process now holds the mailbox (no other process polls it until it is released)."""
    return await sql.fetchval(db, "mailboxes/lease_mailbox", org_id, mailbox_id, seconds) is not None


@dataclass(frozen=True)
class Released:
    """Since when the mailbox has been failing (None: it is not), and whether it was before this poll."""

    failing_since: datetime | None
    was_failing: bool


async def release(db: sql.Executor, org_id: int, mailbox_id: int, error: str | None) -> Released | None:
    """The mailbox's failure, once the lease is given up with this poll's error (None: the poll went well); None
    when the mailbox is gone."""
    r = await sql.fetchrow(db, "mailboxes/release_mailbox", org_id, mailbox_id, error, datetime.now(UTC))
    return Released(r["failing_since"], r["was_failing"]) if r is not None else None


async def handled(db: sql.Executor, org_id: int, mailbox_id: int, uidvalidity: int, uids: list[int]) -> dict[int, str]:
    rows = await sql.fetch(db, "mailboxes/handled_mailbox_messages", org_id, mailbox_id, uidvalidity, uids)
    return {r["uid"]: r["outcome"] for r in rows}


async def record_message(
    db: sql.Executor,
    org_id: int,
    mailbox_id: int,
    message: tuple[int, int],
    outcome: str,
    stored: int,
    skipped: str | None,
    error: str | None,
) -> None:
    """A message handled (its UIDVALIDITY and UID), counted once in the mailbox's figures."""
    uidvalidity, uid = message
    await sql.execute(
        db,
        "mailboxes/record_mailbox_message",
        org_id,
        mailbox_id,
        uidvalidity,
        uid,
        outcome,
        stored,
        skipped,
        error,
        datetime.now(UTC),
    )
