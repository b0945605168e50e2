"""Feeding a stream of records of any length through the ingest pipeline in batches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, TextIO

from api import metrics, typed_records
from api.attribution import Attributor
from api.context import AppState
from api.errors import ValidationFailed
from api.importers.run import Tally, log_records
from api.importers.worker import WORKER_BYTES, WorkerBatches, worth_a_worker
from api.ingest import Prepared, connector_index, prepare, validate
from api.insights.evaluate import evaluate
from api.records import parse_records
from core.batch import Batch
from core.tls_report import Report
from db.connectors import list_connectors
from db.insights import Scope
from db.messages import Stored, retained_from, store_messages, store_parts
from db.tls_reports import store_report
from services.wake import nudge

BATCH_SIZE = 10_000
log = logging.getLogger("mailflow.feed")


@dataclass
class FeedSummary:
    records: int = 0
    accepted: int = 0
    duplicates: int = 0
    expired: int = 0  # older than the retention: not stored
    seconds: float = 0.0
    in_worker: bool = False  # parsed by a second process

    def line(self) -> str:
        rate = self.records / self.seconds if self.seconds else 0
        worker = "; parsed in a second process" if self.in_worker else ""
        expired = f", {self.expired:,} older than the retention (not stored)" if self.expired else ""
        return (
            f"{self.records:,} records: {self.accepted:,} stored, {self.duplicates:,} already stored{expired} "
            f"({self.seconds:.1f} s, {rate:,.0f} records/s{worker})"
        )


def _not_kept(count: int, what: str, retention_days: int) -> list[str]:
    """What an ingest did not store although it was valid (older than the retention), and how to keep it."""
    if not count:
        return []
    return [
        f"{count:,} {what} before {retained_from(retention_days).date().isoformat()} were not stored: the store "
        f"keeps {retention_days} days (MAILFLOW_RETENTION_DAYS) and would remove them; set "
        "MAILFLOW_RETENTION_DAYS higher to keep them"
    ]


def ingest_warnings(expired: int, retention_days: int) -> list[str]:
    return _not_kept(expired, "record(s) received", retention_days)


async def _evaluate_stored(state: AppState, scope: Scope, families: tuple[str, ...]) -> None:
    """Evaluate insights after a store has committed. A failure here is logged, not raised: the answer
    must say what was stored, and the periodic evaluation catches up."""
    try:
        await evaluate(state.pool, state.org_id, scope, families=families)
    except Exception:
        log.warning(
            "insight evaluation after a store failed; the periodic evaluation will catch up",
            exc_info=True,
            extra={"fields": {"org_id": state.org_id}},
        )


async def store_and_evaluate(state: AppState, batch: Batch) -> Stored:
    """Store a validated batch, then evaluate the insights of the connectors it fed, so that an insight
    it causes is visible as soon as the ingest answers."""
    keep_from = retained_from(state.settings.retention_days)
    return await _stored(state, batch, await store_messages(state.pool, state.org_id, batch, keep_from))


async def _stored(state: AppState, batch: Batch, stored: Stored) -> Stored:
    metrics.STORED.inc(stored.accepted)
    metrics.DUPLICATE.inc(stored.duplicates)
    metrics.EXPIRED.inc(stored.expired)
    if stored.accepted:
        await _evaluate_stored(state, batch.touched(), ("connector",))
    return stored


STORED, ALREADY_STORED, EXPIRED = "stored", "already stored", "older than the retention (not stored)"


async def store_tls_reports(state: AppState, reports: list[Report]) -> list[str]:
    """Store TLS reports (each once), then evaluate the TLS report insight. For each report: STORED,
    ALREADY_STORED, or EXPIRED when its whole range ended before the retained days (retention would
    remove it, as it removes messages)."""
    keep_from = retained_from(state.settings.retention_days)
    outcomes = []
    for report in reports:
        if report.end < keep_from:
            outcomes.append(EXPIRED)
        else:
            outcomes.append(STORED if await store_report(state.pool, state.org_id, report) else ALREADY_STORED)
    if STORED in outcomes:
        nudge()  # each stored report may have queued a webhook delivery
        await _evaluate_stored(state, None, ("tlsrpt",))
    return outcomes


def tls_report_warnings(outcomes: list[str], retention_days: int) -> list[str]:
    return _not_kept(outcomes.count(EXPIRED), "report(s) whose range ended", retention_days)


# Records per part of a request: PostgreSQL inserts one part while the next is decoded and checked, in one
# transaction; the rollups are added once, at the end (db/messages.py `store_parts`), so small parts lock
# nothing earlier. But each part costs the server CPU (a COPY and a statement more: with 10,000 records in
# parts of 1,000, 2,000, 5,000 and 10,000, 11.3, 10.0, 8.4 and 8.8 µs per record, bench/RESULTS.md): a batch
# of 10,000 goes in two.
PART_SIZE = 5_000


async def ingest_body(state: AppState, body: bytes, content_type: str) -> Stored:
    """A JSON array or NDJSON body of records, all stored or none. The fast path decodes them into typed
    records and stores them in parts (api/typed_records.py, db/messages.py `store_parts`); a body it cannot
    take goes the detailed way (`ingest_records`), whose answer names every problem and its line."""
    decoded = typed_records.decode_parts(body, content_type, PART_SIZE)
    if decoded is not None:
        connectors = await list_connectors(state.pool, state.org_id)
        index, attribute, now = connector_index(connectors), Attributor.of(connectors), datetime.now(UTC)
        parts = (None if part is None else typed_records.columns(part, index, attribute, now) for part in decoded)
        done = await store_parts(state.pool, state.org_id, parts, retained_from(state.settings.retention_days))
        if done is not None:
            batch, stored = done
            return await _stored(state, batch, stored)
    return await ingest_records(state, *parse_records(body, content_type))


async def ingest_records(state: AppState, records: list[Any], lines: list[int] | None = None) -> Stored:
    """Validate every record, then store all or nothing. Shared by REST and GraphQL."""
    connectors = await list_connectors(state.pool, state.org_id)
    Attributor.of(connectors).apply(records)
    batch, problems = validate(records, connector_index(connectors))
    if problems:
        metrics.REFUSED.inc(len(records))
        if lines is not None:  # NDJSON: report the physical line, not the record number
            problems.at_lines(lines)
        raise ValidationFailed(problems.summary(), problems.items)
    return await store_and_evaluate(state, batch)


class Progress:
    """A one-line progress display on a terminal; silent elsewhere."""

    def __init__(self, stream: TextIO = sys.stderr, lines: Callable[[], int] | None = None) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.lines = lines  # for logs: how many lines have been read so far

    def update(self, summary: FeedSummary) -> None:
        if self.enabled:
            elapsed = max(time.monotonic() - self.started, 1e-6)
            read = f"{self.lines():>12,} lines {self.lines() / elapsed:>9,.0f}/s  " if self.lines else ""
            self.stream.write(
                f"\r  {read}{summary.records:>12,} messages  {summary.accepted:>12,} stored  "
                f"{summary.records / elapsed:>9,.0f} messages/s "
            )
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")


async def feed(
    state: AppState,
    records: Iterable[tuple[int, Any]],
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[FeedSummary], None] | None = None,
) -> FeedSummary:
    """Store (line, record) pairs batch by batch; each batch is all or nothing (see `feed_prepared`)."""
    connectors = await list_connectors(state.pool, state.org_id)
    return await feed_prepared(state, prepare(records, connectors, batch_size, typed_records.Checker), on_batch)


async def feed_log(
    state: AppState,
    fmt: str,
    name: str,
    stream: IO[bytes],
    tally: Tally,
    options: dict[str, Any],
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[FeedSummary], None] | None = None,
    worker_bytes: int = WORKER_BYTES,
) -> FeedSummary:
    """Store a Postfix or Exim log: parsed by a worker process when it is at least `worker_bytes` long
    (see api/importers/worker.py), else in this process; the same records, lines and tally either way."""
    connectors = await list_connectors(state.pool, state.org_id)
    in_worker = worth_a_worker(name, worker_bytes)
    batches: Iterator[Prepared]
    if in_worker:
        batches = WorkerBatches(fmt, name, tally, options, connectors, batch_size)
    else:
        batches = prepare(log_records(fmt, stream, name, tally, **options), connectors, batch_size)
    try:
        summary = await feed_prepared(state, batches, on_batch)
    finally:
        metrics.IMPORT_LINES.labels("used").inc(tally.used)
        metrics.IMPORT_LINES.labels("skipped").inc(sum(tally.skipped.values()))
    summary.in_worker = in_worker
    return summary


async def feed_prepared(
    state: AppState, batches: Iterator[Prepared], on_batch: Callable[[FeedSummary], None] | None = None
) -> FeedSummary:
    """Store prepared batches in order; each batch is all or nothing.

    One batch is stored while the next is prepared (in a worker thread, so PostgreSQL and Python use both
    cores). A batch with an invalid record raises ValidationFailed naming the lines; the batches before it
    are stored, and feeding the same input again stores nothing twice.
    """
    summary = FeedSummary()
    started = time.monotonic()
    storing: asyncio.Task[None] | None = None

    async def store(batch: Batch, count: int) -> None:
        stored = await store_and_evaluate(state, batch)
        summary.records += count
        summary.accepted += stored.accepted
        summary.duplicates += stored.duplicates
        summary.expired += stored.expired
        summary.seconds = time.monotonic() - started
        if on_batch:
            on_batch(summary)

    try:
        while True:
            item = await asyncio.to_thread(next, batches, None)
            if storing is not None:
                await storing  # batches are stored in order, and an error surfaces here
                storing = None
            if item is None:
                break
            lines, batch, problems = item
            if problems:
                metrics.REFUSED.inc(len(lines))
                problems.at_lines(lines)
                raise ValidationFailed(
                    f"{problems.summary()} from line {lines[0]} on; the {summary.records:,} records before it "
                    "were stored (feeding the same input again stores nothing twice)",
                    problems.items,
                )
            storing = asyncio.create_task(store(batch, len(lines)))
    finally:
        if storing is not None and not storing.done():
            storing.cancel()
        close = getattr(batches, "close", None)
        if close is not None:  # a worker process stops here, even when a batch failed or we were stopped
            with contextlib.suppress(ValueError):  # a generator still running in its thread ends there
                close()
    summary.seconds = time.monotonic() - started
    return summary
