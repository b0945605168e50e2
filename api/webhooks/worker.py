"""The delivery worker, one per server process: it sends what the outbox holds, at least once, in order.

It looks for organizations with a due delivery at once when any process has queued one (this process
wakes it directly; another's transaction notifies DELIVERIES at its commit, db/notify.py), as soon as one
of its deliveries is done, and every MAILFLOW_POLL_SECONDS besides (retries coming due, lost
notifications). It leases the due head of each subscription's queue (`claim_webhook_deliveries`: FOR
UPDATE SKIP LOCKED, then a lease of the attempt's timeout and a margin), so two processes never send one
delivery at once, and a later event of a subscription waits while an earlier one is retrying. A process
that dies mid-attempt leaves a lease that runs out: the delivery is then sent again with the same
webhook-id. An attempt records its outcome only if its lease is still its own.

A failed attempt is retried after MAILFLOW_WEBHOOK_RETRY_SECONDS (±20% jitter); once a delivery has failed
for MAILFLOW_WEBHOOK_GIVE_UP_SECONDS from its first attempt, it is marked failed, its subscription is
disabled (later deliveries wait until it is enabled again) and an insight says so.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from api import metrics
from api.faults import DATABASE_DOWN
from api.settings import Settings
from api.webhooks import messages
from api.webhooks.secrets import decrypt, server_key
from api.webhooks.send import attempt
from core.secrets import SecretUnreadable, secret_bytes
from core.webhooks import Outcome, insight_subject
from db import insights as insight_store
from db import webhooks as store
from db.notify import DELIVERIES
from db.pool import Database
from db.webhooks import Claimed
from services import wake
from services.insights import event_json
from services.webhooks import Sending

log = logging.getLogger("mailflow.webhooks")
CONCURRENCY = 16  # attempts in flight per process
LEASE_MARGIN_SECONDS = 5.0
JITTER = 0.2


def retry_delay(settings: Settings, attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: the schedule, its last step repeating,
    with jitter so that receivers coming back are not hit by every sender at once."""
    schedule = settings.webhook_retry_seconds
    base = schedule[min(attempts, len(schedule)) - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def lease_seconds(settings: Settings) -> float:
    return settings.webhook_timeout_seconds + LEASE_MARGIN_SECONDS


def delivery_data(row: Claimed) -> Any:
    """The event's data: an insight event as the SIEM feed gives it, else what the outbox holds."""
    if row.event_type.startswith("insight."):
        return event_json(row.event) if row.event is not None else None
    return row.data


async def send(settings: Settings, org_id: int, row: Claimed) -> Outcome:
    """One attempt of a claimed delivery (no database access)."""
    if row.event_type.startswith("insight.") and row.event is None:
        return Outcome(None, "the event was removed by retention before it could be sent", 0)
    try:
        secret = secret_bytes(decrypt(settings, org_id, row.secret))
    except SecretUnreadable as exc:
        return Outcome(None, str(exc), 0)
    payload = messages.body(row.event_type, row.occurred_at, delivery_data(row))
    headers = messages.headers(secret, row.message_id, int(time.time()), payload)
    return await attempt(row.url, headers, payload, settings.webhook_allow_private, settings.webhook_timeout_seconds)


async def _disable(conn: Any, org_id: int, subscription_id: int, failed_for: float) -> None:
    """Disable a subscription whose delivery failed for good, and say so in an insight (one open at most)."""
    hours = failed_for / 3600
    reason = f"disabled after its deliveries failed for {hours:.3g} h"
    url = await store.disable_failing(conn, org_id, subscription_id, reason)
    if url is None:
        return
    await insight_store.lock_organization(conn, org_id)  # insight events are written one writer at a time
    opening = insight_store.Opening(
        insight_subject(subscription_id),
        "Webhook subscription disabled after failed deliveries",
        f"Deliveries to the webhook {url} (subscription {subscription_id}) failed for {hours:.3g} hours, so it "
        "was disabled; its later events wait for it.",
        f"Check the receiver at {url} (GET /api/v1/webhooks/{subscription_id}/deliveries lists the attempts and "
        "their errors), then enable the subscription again (PATCH it with enabled: true).",
    )
    insight_id = await insight_store.open_system_insight(conn, org_id, store.WEBHOOK_DISABLED, opening)
    if insight_id is not None:
        await insight_store.insert_events(conn, org_id, [(insight_id, "created")])


async def record(db: Database, settings: Settings, org_id: int, row: Claimed, outcome: Outcome, retries: bool) -> str:
    """Record an attempt: delivered, pending (a retry is due later) or failed; `retries`: false for a ping."""
    now = datetime.now(UTC)
    failed_for = (now - row.first_attempt_at).total_seconds()
    if outcome.ok:
        status, next_retry = "delivered", None
    elif retries and failed_for < settings.webhook_give_up_seconds:
        status, next_retry = "pending", now + timedelta(seconds=retry_delay(settings, row.attempts))
    else:
        status, next_retry = "failed", None
    pool = db.for_org(org_id)
    async with pool.acquire() as conn, conn.transaction():
        recorded = await store.record_attempt(
            conn, org_id, row.delivery_id, row.attempts, status, now, outcome.status_code, outcome.error,
            outcome.duration_ms, next_retry,
        )  # fmt: skip
        if recorded and status == "failed" and retries:
            await _disable(conn, org_id, row.subscription_id, failed_for)
    if not recorded:
        log.warning(
            "a webhook attempt was not recorded: its lease ran out, or its webhook was removed meanwhile",
            extra={"fields": {"org_id": org_id}},
        )
    return status


def sending(db: Database, settings: Settings, org_id: int) -> Sending:
    """What services/webhooks.py needs of this server to act for the organization: its key, whether private
    targets are allowed, and a ping sent and recorded now (never retried)."""

    async def send_now(claimed: Claimed) -> tuple[Outcome, str]:
        outcome = await send(settings, org_id, claimed)
        return outcome, await record(db, settings, org_id, claimed, outcome, retries=False)

    return Sending(lambda: server_key(settings), settings.webhook_allow_private, send_now)


async def deliver(db: Database, settings: Settings, org_id: int, row: Claimed) -> None:
    outcome = await send(settings, org_id, row)
    status = await record(db, settings, org_id, row, outcome, retries=True)
    metrics.WEBHOOK_ATTEMPTS.labels("retrying" if status == "pending" else status).inc()
    log.info(
        "webhook attempt",
        extra={
            "fields": {
                "org_id": org_id,
                "subscription_id": row.subscription_id,
                "webhook_id": row.message_id,
                "attempt": row.attempts,
                "status_code": outcome.status_code,
                "error": outcome.error,
                "outcome": status,
            }
        },
    )


async def claim_due(db: Database, settings: Settings, room: int) -> list[tuple[int, Claimed]]:
    """Lease up to `room` due deliveries, across the organizations that have some."""
    claimed: list[tuple[int, Claimed]] = []
    for org_id in await store.due_organizations(db.system, room):
        if len(claimed) >= room:
            break
        rows = await store.claim(db.for_org(org_id), org_id, room - len(claimed), lease_seconds(settings))
        claimed += [(org_id, r) for r in rows]
    return claimed


async def run(db: Database, settings: Settings) -> None:
    """The worker loop (cancelled when the server stops: a lease then runs out and another attempt follows)."""
    flying: set[asyncio.Task[None]] = set()
    woken = wake.register()
    listener = db.listener

    def queued(org_id: int | None) -> None:
        woken.set()

    if listener is not None:
        await listener.add(DELIVERIES, queued)
    try:
        while True:
            woken.clear()
            try:
                claimed = await claim_due(db, settings, CONCURRENCY - len(flying)) if len(flying) < CONCURRENCY else []
            except DATABASE_DOWN as exc:
                db.outage.failed(exc)
                claimed = []
            except Exception:
                log.exception("claiming webhook deliveries failed; will try again")
                claimed = []
            for org_id, row in claimed:
                flying.add(asyncio.create_task(_guarded(db, settings, org_id, row)))
            # back after the poll interval, or as soon as a delivery is done (the next event of its
            # subscription may go now) or a process has queued one
            waiting = asyncio.create_task(woken.wait())
            done, _ = await asyncio.wait(
                {*flying, waiting}, timeout=settings.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            waiting.cancel()
            flying -= done
    finally:
        wake.unregister(woken)
        if listener is not None:
            listener.remove(DELIVERIES, queued)
        for task in flying:
            task.cancel()


async def _guarded(db: Database, settings: Settings, org_id: int, row: Claimed) -> None:
    try:
        await deliver(db, settings, org_id, row)
    except DATABASE_DOWN as exc:
        db.outage.failed(exc)
    except Exception:
        log.exception("a webhook delivery failed unexpectedly; its lease runs out and it is tried again")
