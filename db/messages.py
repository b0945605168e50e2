"""Storing messages with their rollups, and retention."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from core.batch import Batch
from db import sql
from db.insights import delete_events_before
from db.notify import notify
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


async def store_messages(
    pool: TenantPool, org_id: int, batch: Batch, keep_from: datetime | None = None, exact: bool = False
) -> Stored:
    """Store a validated batch exactly once: new messages and their rollups in one transaction. Records
    received before `keep_from` (the retention) are not stored, and counted as expired: retention would
    remove them at its next run, and a report would show them for a day at most.

    First every record is inserted as it is, the cheap way (insert_staged_messages); when one of them is
    stored already (a retry), staged twice, or a concurrent batch sharing them deadlocks with this one, that
    transaction is rolled back and the batch is stored again the `exact` way (keep_new_staged_messages), which
    skips the stored ones and waits for concurrent batches in key order."""
    expired = batch.drop_before(keep_from) if keep_from is not None else 0
    if not len(batch):
        return Stored(0, 0, expired)
    days = batch.utc_days()
    failures = 0
    while True:
        # its own database call: on Citus a new partition's shards are made by the owner, in a transaction of
        # their own, before tenant statements write to them
        await sql.fetchval(pool, "messages/ensure_message_partitions", days)
        async with pool.acquire() as conn:
            try:
                async with conn.transaction():
                    await stage(conn, batch, 0)
                    if exact:
                        await sql.execute(conn, "messages/delete_repeated_staged_messages")
                        await sql.execute(conn, "messages/keep_new_staged_messages", org_id)
                    else:
                        await sql.execute(conn, "messages/insert_staged_messages", org_id, 0)
                    inserted = await _add_to_rollups(conn, org_id)
            except asyncpg.UniqueViolationError:
                if exact:  # not from keep_new_staged_messages, which skips what is stored
                    raise
                exact = True
                continue
            except (asyncpg.DeadlockDetectedError, asyncpg.CheckViolationError):
                # A deadlock between batches sharing message ids, or a partition that retention dropped
                # between the two statements: the transaction wrote nothing, so trying again is safe.
                failures += 1
                if failures == _RETRIES:
                    raise
                exact = True
                continue
        return Stored(inserted, len(batch) - inserted, expired)


_STAGED = [*STAGING_COLUMNS, "part"]


async def stage(conn: sql.Connection, batch: Batch, part: int) -> None:
    """Copy `batch` into the session's staging table as part number `part` of the request."""
    records = zip(*batch.columns(), [part] * len(batch), strict=True)
    await conn.copy_records_to_table("message_staging", records=records, columns=_STAGED)


async def _add_to_rollups(conn: sql.Connection, org_id: int) -> int:
    """Add what is staged (the messages just inserted) to the rollups; how many they are."""
    inserted = int(await sql.fetchval(conn, "messages/add_staged_to_rollups", org_id))
    if inserted:
        await notify(conn, org_id)  # subscribers on every process see it at commit
    return inserted


class _Rerun(Exception):
    """The parts need what a pipelined transaction cannot do: store them merged, the plain way."""


async def store_parts(
    pool: TenantPool, org_id: int, parts: Iterator[Batch | None], keep_from: datetime | None = None
) -> tuple[Batch, Stored] | None:
    """Store the batches of one request in one transaction, all or nothing, preparing each next one (the
    CPU work of `next(parts)`) while PostgreSQL inserts the one before. A None part refuses the whole: the
    transaction is rolled back and the answer is None. Else the parts merged, and what was stored.

    Each part is inserted the cheap way (store_messages), and the rollups are added once at the end, so that
    a concurrent request of the organization waits for this one's rollup rows only then. Partitions are made
    before the transaction for the first part's UTC days (made inside it, they would lock the messages table
    until it ends). A later part on another day, a record stored already, or a deadlock rolls back and stores
    the parts merged through `store_messages`, which makes the partitions first."""
    whole = Batch()
    expired = 0

    def kept(part: Batch | None) -> Batch | None:
        nonlocal expired
        if part is not None and keep_from is not None:
            expired += part.drop_before(keep_from)
        return part

    parts = map(kept, parts)
    first = next(parts, None)
    if first is None:
        return None
    ready = set(first.utc_days())
    unmerged: list[Batch | None] = []  # a part taken from `parts` but not yet in `whole`
    try:
        if ready:  # its own database call, as in store_messages (Citus makes a partition's shards apart)
            await sql.fetchval(pool, "messages/ensure_message_partitions", sorted(ready))
        async with pool.acquire() as conn, conn.transaction():
            part: Batch | None = first
            number = 0
            while part is not None:
                whole.extend(part)
                # the insert under way, held in a list and taken out to be awaited: no local keeps it, so a refused
                # insert's error (its traceback holds this frame) makes no reference cycle with this frame
                storing = []
                if len(part):
                    if not ready.issuperset(part.utc_days()):
                        raise _Rerun
                    await stage(conn, part, number)
                    storing.append(
                        asyncio.ensure_future(sql.execute(conn, "messages/insert_staged_messages", org_id, number))
                    )
                    await asyncio.sleep(0)  # the statement is on its way: prepare the next part meanwhile
                    number += 1
                unmerged = [next(parts, _END)]
                if storing:
                    await storing.pop()
                part = unmerged.pop()
                if part is None:  # refused: roll back what this request stored
                    raise _Refused
                if part is _END:
                    part = None
            inserted = await _add_to_rollups(conn, org_id) if number else 0
    except _Refused:
        return None
    except (_Rerun, asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError, asyncpg.CheckViolationError) as exc:
        for rest in itertools.chain(unmerged, parts):
            if rest is None:
                return None
            if rest is _END:
                break
            whole.extend(rest)
        exact = isinstance(exc, asyncpg.UniqueViolationError | asyncpg.DeadlockDetectedError)
        stored = await store_messages(pool, org_id, whole, exact=exact)
        return whole, Stored(stored.accepted, stored.duplicates, expired)
    return whole, Stored(inserted, len(whole) - inserted, expired)


class _Refused(Exception):
    """A part was refused: nothing of the request is stored."""


_END = Batch()


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
