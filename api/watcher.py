"""Each organization's changes, as subscribers wait for them: its data generation, which every writing
transaction bumps (db/migrations/0006), read for every watched organization at most once a second, in
one query per process. So a subscriber on this process sees what another process ingested, and nothing
is sent while nothing changed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator

from api.faults import DATABASE_DOWN
from db import sql
from db.pool import Database

log = logging.getLogger("mailflow.watcher")
EVERY_SECONDS = 1.0  # the generations are read at most this often


class Watcher:
    """Wakes the subscribers of an organization when its data generation changes."""

    def __init__(self, db: Database, every: float = EVERY_SECONDS) -> None:
        self.db = db
        self.every = every
        self.subscribers: Counter[int] = Counter()
        self.generations: dict[int, int] = {}
        self.changed: dict[int, asyncio.Event] = {}
        self.task: asyncio.Task[None] | None = None

    async def changes(self, org_id: int, idle: float | None = None) -> AsyncIterator[int]:
        """The organization's generation now, then each new one (at most one per `every` seconds); with
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
                    yield generation
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
        while self.subscribers:
            await asyncio.sleep(self.every)
            try:
                await self._read(list(self.subscribers))
            except DATABASE_DOWN as exc:
                self.db.outage.failed(exc)
            except Exception:
                log.exception("reading data generations failed; will try again")

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
