"""The one connection per process that LISTENs for other processes' notifications (db/notify.py).

Opened when the first handler is added, checked every few seconds, reopened when lost. A notification can
be lost while it is down, so whoever listens also keeps polling, less often; after a reconnect every
handler is called with None: anything may have changed meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import asyncpg

log = logging.getLogger("mailflow.notify")

RECONNECT_SECONDS = 2.0
CHECK_SECONDS = 5.0  # how often the listening connection is checked to be alive

Handler = Callable[[int | None], None]  # called with the organization's id, or None: any may have changed


class Listener:
    """One listening connection per process, opened when the first handler is added, reopened when lost."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.handlers: defaultdict[str, set[Handler]] = defaultdict(set)
        self.conn: asyncpg.Connection | None = None
        self.task: asyncio.Task[None] | None = None

    async def add(self, channel: str, handler: Handler) -> None:
        new = not self.handlers[channel]
        self.handlers[channel].add(handler)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        elif new and self.conn is not None and not self.conn.is_closed():
            with contextlib.suppress(Exception):  # else the next reconnect listens; the poll covers meanwhile
                await self.conn.add_listener(channel, self._received)

    def remove(self, channel: str, handler: Handler) -> None:
        self.handlers[channel].discard(handler)  # the channel stays listened to: notifications are cheap

    def _received(self, conn: Any, pid: int, channel: str, payload: object) -> None:
        try:
            org_id = int(str(payload))
        except ValueError:
            return
        for handler in list(self.handlers.get(channel, ())):
            handler(org_id)

    def _everything(self) -> None:
        for handlers in list(self.handlers.values()):
            for handler in list(handlers):
                handler(None)

    async def _run(self) -> None:
        lost = False
        while True:
            try:
                conn = await asyncpg.connect(self.dsn, timeout=10, server_settings={"application_name": "mailflow"})
            except Exception as exc:
                if not lost:
                    # info, not a warning: the poll covers it, and a database outage is warned of once (db/pool.py)
                    log.info("cannot listen for notifications (%s); polling until it can", type(exc).__name__)
                lost = True
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            try:
                for channel in list(self.handlers):
                    await conn.add_listener(channel, self._received)
                self.conn = conn
                if lost:
                    log.info("listening for notifications again")
                    self._everything()  # what was notified while no one listened
                lost = False
                while not conn.is_closed():
                    await asyncio.sleep(CHECK_SECONDS)
                    await conn.execute("select 1")  # fails when the connection is gone
            except Exception as exc:
                log.info("the listening connection failed (%s); polling until it is back", type(exc).__name__)
            finally:
                self.conn = None
                with contextlib.suppress(Exception):
                    await conn.close(timeout=1)
            lost = True
            await asyncio.sleep(RECONNECT_SECONDS)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
