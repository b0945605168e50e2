"""Each organization's changes, as subscribers wait for them: its data generation, which every writing
transaction bumps (db/migrations/0006). A write that matters to subscribers (messages, insight events, TLS
reports) notifies CHANGES at its commit, from whichever process made it (db/notify.py), and the watcher
reads the notified organizations' generations at once; it also reads every watched organization's every
MAILFLOW_POLL_SECONDS (one query per process), for changes that notify nothing and notifications that were
lost. So a
subscriber on this process sees within milliseconds what another process ingested, and nothing is sent
while nothing changed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator

from api.faults import DATABASE_DOWN
from db import sql
from db.notify import CHANGES
from db.pool import Database

log = logging.getLogger("mailflow.watcher")


class Watcher:
    """Wakes the subscribers of an organization when its data generation changes."""

    def __init__(self, db: Database, every: float) -> None:
        self.db = db
        self.every = every
        self.subscribers: Counter[int] = Counter()
        self.generations: dict[int, int] = {}
        self.changed: dict[int, asyncio.Event] = {}
        self.notified: set[int] = set()
        self.everything = False  # a notification may have been lost: read them all
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def changes(self, org_id: int, idle: float | None = None, spacing: float = 0.0) -> AsyncIterator[int]:
        """The organization's generation now, then each new one, at least `spacing` seconds apart; with
        `idle`, also the same one again after that many seconds without a change."""
        self.subscribers[org_id] += 1
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        try:
            if org_id not in self.generations:
                await self._read([org_id])
            seen = None
            while True:
                event = self.changed.setdefault(org_id, asyncio.Event())
                generation = self.generations.get(org_id, 0)
                if generation != seen:
                    seen = generation
                    sent = time.monotonic()
                    yield generation
                    await asyncio.sleep(spacing - (time.monotonic() - sent))
                    continue
                try:
                    await asyncio.wait_for(event.wait(), idle)
                except TimeoutError:
                    yield generation
        finally:
            self.subscribers[org_id] -= 1
            if self.subscribers[org_id] <= 0:
                del self.subscribers[org_id]
                self.generations.pop(org_id, None)
                self.changed.pop(org_id, None)

    def _notified(self, org_id: int | None) -> None:
        if org_id is None:
            self.everything = True
        elif org_id in self.subscribers:
            self.notified.add(org_id)
        else:
            return
        self.wake.set()

    async def _read(self, org_ids: list[int]) -> None:
        rows = await sql.fetch(self.db.system, "organizations/organization_generations", org_ids)
        found = {r["org_id"]: int(r["generation"]) for r in rows}
        for org_id in org_ids:
            generation = found.get(org_id, 0)
            if self.generations.get(org_id) != generation:
                self.generations[org_id] = generation
                event = self.changed.pop(org_id, None)
                if event is not None:
                    event.set()  # its waiters wake; the next wait is on a new event

    async def _run(self) -> None:
        listener = self.db.listener
        if listener is not None:
            await listener.add(CHANGES, self._notified)
        read_all_at = time.monotonic() + self.every
        try:
            while self.subscribers:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), max(0.0, read_all_at - time.monotonic()))
                everything = self.everything or time.monotonic() >= read_all_at
                due = list(self.subscribers) if everything else [o for o in self.notified if o in self.subscribers]
                self.wake.clear()  # what is notified from now on is read next time
                self.notified.clear()
                self.everything = False
                if everything:
                    read_all_at = time.monotonic() + self.every
                if not due:
                    continue
                try:
                    await self._read(due)
                except DATABASE_DOWN as exc:
                    self.db.outage.failed(exc)
                except Exception:
                    log.exception("reading data generations failed; will try again")
        finally:
            if listener is not None:
                listener.remove(CHANGES, self._notified)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
