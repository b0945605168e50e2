"""Storing messages with their rollups, and retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from core.batch import Batch
from db import sql
from db.insights import delete_events_before
from db.pool import STAGING_COLUMNS, TenantPool
from db.webhooks import delete_deliveries_before

_RETRIES = 3


@dataclass(frozen=True)
class Stored:
    accepted: int
    duplicates: int
    expired: int = 0  # older than the retention: not stored


def retained_from(retention_days: int, now: datetime | None = None) -> datetime:
    """The oldest moment kept: midnight (UTC) of the day `retention_days` ago. Retention removes whole
    UTC days (message partitions, rollups), so everything from this moment on is kept."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    return cutoff.replace(hour=0, minute=0, second=0, microsecond=0)


async def store_messages(pool: TenantPool, org_id: int, batch: Batch, keep_from: datetime | None = None) -> Stored:
    """Store a validated batch exactly once: new messages and their rollups in one transaction. Records
    received before `keep_from` (the retention) are not stored, and counted as expired: retention would
    remove them at its next run, and a report would show them for a day at most."""
    expired = batch.drop_before(keep_from) if keep_from is not None else 0
    if not len(batch):
        return Stored(0, 0, expired)
    days = batch.utc_days()
    for attempt in range(_RETRIES):
        # its own database call: on Citus a new partition's shards are made by the owner, in a transaction of
        # their own, before tenant statements write to them
        await sql.fetchval(pool, "messages/ensure_message_partitions", days)
        async with pool.acquire() as conn:
            try:
                async with conn.transaction():
                    await conn.copy_records_to_table(
                        "message_staging", records=zip(*batch.columns(), strict=True), columns=STAGING_COLUMNS
                    )
                    inserted = int(await sql.fetchval(conn, "messages/insert_staged_messages", org_id))
            except (asyncpg.DeadlockDetectedError, asyncpg.CheckViolationError):
                # A deadlock between batches sharing message ids, or a partition that retention dropped
                # between the two statements: the statement wrote nothing, so trying again is safe.
                if attempt == _RETRIES - 1:
                    raise
                continue
        return Stored(inserted, len(batch) - inserted, expired)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Pruned:
    cutoff: datetime
    partitions_dropped: int
    rollups_deleted: int
    events_deleted: int
    tls_reports_deleted: int = 0
    webhook_deliveries_deleted: int = 0  # finished ones, with their attempts


async def prune(pool: asyncpg.Pool, retention_days: int, now: datetime | None = None) -> Pruned:
    """Remove messages (whole day partitions), rollups, insight events, TLS reports and finished webhook
    deliveries older than the retention."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    async with pool.acquire() as conn:
        dropped = int(await sql.fetchval(conn, "messages/drop_message_partitions_before", cutoff))
        rollups = int(await sql.fetchval(conn, "messages/delete_rollups_before", cutoff))
        events = await delete_events_before(conn, cutoff)
        reports = int(
            await sql.fetchval(conn, "tls_reports/delete_tls_reports_before", retained_from(retention_days, now))
        )
        deliveries = await delete_deliveries_before(conn, cutoff)
    return Pruned(cutoff, dropped, rollups, events, reports, deliveries)


async def count_messages_by_tls_bucket(db: sql.Executor, org_id: int) -> dict[tuple[str, str], int]:
    rows = await sql.fetch(db, "messages/count_messages_by_tls_bucket", org_id)
    return {(r["direction"], r["tls_bucket"]): r["messages"] for r in rows}
