"""Webhook storage: subscriptions, the outbox of deliveries (claimed by lease), and their attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from core.tls_report import flag_reason
from db import insights, sql

# the insight that a subscription was disabled after its deliveries failed (api/webhooks/worker.py)
WEBHOOK_DISABLED = insights.SystemInsight("webhook_disabled", "outbound", 7)


@dataclass(frozen=True)
class Subscription:
    """A subscription as the API shows it (never its secret; the fields in the order REST answers them)."""

    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime
    id: int


@dataclass(frozen=True)
class Sealed:
    """A subscription and its sealed secret, for sending to it."""

    subscription: Subscription
    secret: bytes


@dataclass(frozen=True)
class Ping:
    """A ping just queued (leased already: the caller sends it)."""

    delivery_id: int
    message_id: str
    occurred_at: datetime
    attempts: int


@dataclass(frozen=True)
class Attempt:
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    next_retry_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """One event for one subscription, and its attempts, newest first (the fields in REST's order)."""

    id: int
    webhook_id: str  # its message id: the webhook-id header
    type: str
    status: str
    occurred_at: datetime
    next_attempt_at: datetime | None  # only while pending
    attempts: list[Attempt]


def subscription(row: asyncpg.Record) -> Subscription:
    return Subscription(
        row["url"], list(row["events"]), row["description"], row["enabled"], row["disabled_reason"],
        row["created_at"], row["updated_at"], row["subscription_id"],
    )  # fmt: skip


async def insert_subscription(
    db: sql.Executor, org_id: int, url: str, events: list[str], description: str, secret: bytes
) -> Subscription:
    row = await sql.fetchrow(db, "webhooks/insert_webhook_subscription", org_id, url, events, description, secret)
    assert row is not None
    return subscription(row)


async def list_subscriptions(db: sql.Executor, org_id: int) -> list[Subscription]:
    return [subscription(r) for r in await sql.fetch(db, "webhooks/list_webhook_subscriptions", org_id)]


async def subscription_by_id(db: sql.Executor, org_id: int, subscription_id: int) -> Sealed | None:
    """The subscription, with its sealed secret."""
    row = await sql.fetchrow(db, "webhooks/webhook_subscription_by_id", org_id, subscription_id)
    return Sealed(subscription(row), row["secret"]) if row else None


async def update_subscription(
    db: sql.Executor,
    org_id: int,
    subscription_id: int,
    url: str | None,
    events: list[str] | None,
    description: str | None,
    enabled: bool | None,
    secret: bytes | None,
) -> Subscription | None:
    row = await sql.fetchrow(
        db, "webhooks/update_webhook_subscription", org_id, subscription_id, url, events, description, enabled, secret
    )
    return subscription(row) if row else None


async def delete_subscription(db: sql.Executor, org_id: int, subscription_id: int) -> bool:
    return await sql.fetchval(db, "webhooks/delete_webhook_subscription", org_id, subscription_id) is not None


async def enqueue_tls_report(conn: sql.Connection, org_id: int, report_key: int) -> int:
    """Queue the report's deliveries; how many. One statement when no subscription wants the event, else two:
    the report's foreign domains, then the deliveries, whose data carries the report list's flag and reason."""
    foreign = await sql.fetchval(conn, "webhooks/tls_report_foreign_domains", org_id, report_key)
    if foreign is None:
        return 0
    reason = flag_reason(list(foreign))
    return int(await sql.fetchval(conn, "webhooks/enqueue_tls_report", org_id, report_key, reason))


async def enqueue_ping(conn: sql.Connection, org_id: int, subscription_id: int, data: Any) -> Ping:
    row = await sql.fetchrow(conn, "webhooks/enqueue_webhook_ping", org_id, subscription_id, data)
    assert row is not None
    return Ping(row["delivery_id"], row["message_id"], row["occurred_at"], row["attempts"])


async def due_organizations(db: sql.Executor, limit: int) -> list[int]:
    return [r["org_id"] for r in await sql.fetch(db, "webhooks/list_due_webhook_organizations", limit)]


@dataclass(frozen=True)
class Claimed:
    """A delivery leased for an attempt (its attempt counted already): what sending it needs, the subscription's
    URL and sealed secret, and for an insight event the event (None once retention removed it)."""

    delivery_id: int
    subscription_id: int
    message_id: str
    event_type: str
    data: Any  # what the outbox holds (an insight event's is in `event`)
    occurred_at: datetime
    attempts: int
    first_attempt_at: datetime
    url: str
    secret: bytes
    event: insights.InsightEvent | None


async def claim(db: sql.Executor, org_id: int, limit: int, lease_seconds: float) -> list[Claimed]:
    rows = await sql.fetch(db, "webhooks/claim_webhook_deliveries", org_id, limit, lease_seconds)
    return [_claimed(r) for r in rows]


def _claimed(r: asyncpg.Record) -> Claimed:
    event = insights.insight_event(r) if r["event_id"] is not None else None
    return Claimed(
        r["delivery_id"], r["subscription_id"], r["message_id"], r["event_type"], r["data"], r["occurred_at"],
        r["attempts"], r["first_attempt_at"], r["url"], r["secret"], event,
    )  # fmt: skip


async def record_attempt(
    conn: sql.Connection,
    org_id: int,
    delivery_id: int,
    attempt: int,
    status: str,
    at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    next_retry_at: datetime | None,
) -> bool:
    """False when the lease was no longer this attempt's (nothing recorded)."""
    recorded = await sql.fetchval(
        conn, "webhooks/record_webhook_attempt", org_id, delivery_id, attempt, status, at, status_code, error,
        duration_ms, next_retry_at,
    )  # fmt: skip
    return recorded is not None


async def disable_failing(conn: sql.Connection, org_id: int, subscription_id: int, reason: str) -> str | None:
    """Disable an enabled subscription; its URL, or None when it was not enabled."""
    url: str | None = await sql.fetchval(conn, "webhooks/disable_failing_webhook", org_id, subscription_id, reason)
    return url


async def list_deliveries(db: sql.Executor, org_id: int, subscription_id: int, limit: int) -> list[Delivery]:
    """The subscription's newest `limit` deliveries, newest first, each with its attempts."""
    found: dict[int, Delivery] = {}
    for r in await sql.fetch(db, "webhooks/list_webhook_attempts", org_id, subscription_id, limit):
        delivery = found.get(r["delivery_id"])
        if delivery is None:
            waiting = r["next_attempt_at"] if r["status"] == "pending" else None
            delivery = Delivery(
                r["delivery_id"], r["message_id"], r["event_type"], r["status"], r["occurred_at"], waiting, []
            )
            found[delivery.id] = delivery
        if r["attempt"] is not None:
            delivery.attempts.append(
                Attempt(r["attempt"], r["at"], r["status_code"], r["error"], r["duration_ms"], r["next_retry_at"])
            )
    return list(found.values())


async def delete_deliveries_before(db: sql.Executor, cutoff: datetime) -> int:
    status = await sql.execute(db, "webhooks/delete_webhook_deliveries_before", cutoff)
    return int(status.split()[-1])
