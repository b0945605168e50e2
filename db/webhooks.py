"""Webhook storage: subscriptions, the outbox of deliveries (claimed by lease), and their attempts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from db import insights, sql

# the insight that a subscription was disabled after its deliveries failed (api/webhooks/worker.py)
WEBHOOK_DISABLED = insights.SystemInsight("webhook_disabled", "outbound", 7)

_SUBSCRIPTION = ("subscription_id", "url", "events", "description", "enabled", "disabled_reason", "created_at",
                 "updated_at")  # fmt: skip


def subscription(row: asyncpg.Record) -> dict[str, Any]:
    """A subscription as the API shows it (never its secret)."""
    found = {k: row[k] for k in _SUBSCRIPTION}
    found["id"] = found.pop("subscription_id")
    found["events"] = list(found["events"])
    return found


async def insert_subscription(
    db: sql.Executor, org_id: int, url: str, events: list[str], description: str, secret: bytes
) -> dict[str, Any]:
    row = await sql.fetchrow(db, "webhooks/insert_webhook_subscription", org_id, url, events, description, secret)
    assert row is not None
    return subscription(row)


async def list_subscriptions(db: sql.Executor, org_id: int) -> list[dict[str, Any]]:
    return [subscription(r) for r in await sql.fetch(db, "webhooks/list_webhook_subscriptions", org_id)]


async def subscription_by_id(db: sql.Executor, org_id: int, subscription_id: int) -> asyncpg.Record | None:
    """The row, with its encrypted secret."""
    return await sql.fetchrow(db, "webhooks/webhook_subscription_by_id", org_id, subscription_id)


async def update_subscription(
    db: sql.Executor,
    org_id: int,
    subscription_id: int,
    url: str | None,
    events: list[str] | None,
    description: str | None,
    enabled: bool | None,
    secret: bytes | None,
) -> dict[str, Any] | None:
    row = await sql.fetchrow(
        db, "webhooks/update_webhook_subscription", org_id, subscription_id, url, events, description, enabled, secret
    )
    return subscription(row) if row else None


async def delete_subscription(db: sql.Executor, org_id: int, subscription_id: int) -> bool:
    return await sql.fetchval(db, "webhooks/delete_webhook_subscription", org_id, subscription_id) is not None


async def enqueue_tls_report(conn: sql.Connection, org_id: int, report_key: int) -> int:
    """Queue the report's deliveries; how many."""
    return int(await sql.fetchval(conn, "webhooks/enqueue_tls_report", org_id, report_key))


async def enqueue_ping(conn: sql.Connection, org_id: int, subscription_id: int, data: Any) -> asyncpg.Record:
    row = await sql.fetchrow(conn, "webhooks/enqueue_webhook_ping", org_id, subscription_id, data)
    assert row is not None
    return row


async def due_organizations(db: sql.Executor, limit: int) -> list[int]:
    return [r["org_id"] for r in await sql.fetch(db, "webhooks/list_due_webhook_organizations", limit)]


async def claim(db: sql.Executor, org_id: int, limit: int, lease_seconds: float) -> list[asyncpg.Record]:
    return await sql.fetch(db, "webhooks/claim_webhook_deliveries", org_id, limit, lease_seconds)


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


async def open_insight(
    conn: sql.Connection, org_id: int, subject: str, title: str, description: str, action: str
) -> int | None:
    """The insight that a webhook subscription was disabled after its deliveries failed for 24 h; None when one
    is open already."""
    opened = await insights.open_system_insights(
        conn, org_id, WEBHOOK_DISABLED, [insights.Opening(subject, title, description, action)], datetime.now(UTC)
    )
    return opened[0] if opened else None


async def resolve_insight(conn: sql.Connection, org_id: int, subject: str) -> int | None:
    resolved = await insights.resolve_system_insights(conn, org_id, WEBHOOK_DISABLED, [subject], datetime.now(UTC))
    return resolved[0] if resolved else None


async def list_attempts(db: sql.Executor, org_id: int, subscription_id: int, limit: int) -> list[asyncpg.Record]:
    return await sql.fetch(db, "webhooks/list_webhook_attempts", org_id, subscription_id, limit)


async def delete_deliveries_before(db: sql.Executor, cutoff: datetime) -> int:
    status = await sql.execute(db, "webhooks/delete_webhook_deliveries_before", cutoff)
    return int(status.split()[-1])
