"""The listening connection: notifications sent at a writer's commit reach the handlers (never a rolled-back
writer's), and when the connection is lost it is opened again and every handler is told that anything
may have changed meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import pytest

from db import listener as listening
from db.listener import Listener
from db.notify import CHANGES, DELIVERIES, notify


async def until(check: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within the time")


async def test_notifications_at_commit_and_after_a_lost_connection(
    dsn: str, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listening, "CHECK_SECONDS", 0.05)
    monkeypatch.setattr(listening, "RECONNECT_SECONDS", 0.05)
    changes: list[int | None] = []
    deliveries: list[int | None] = []
    listener = Listener(dsn)
    try:
        await listener.add(CHANGES, changes.append)
        await listener.add(DELIVERIES, deliveries.append)
        await until(lambda: listener.conn is not None)
        async with pool.acquire() as conn:
            rolled_back = conn.transaction()
            await rolled_back.start()
            await notify(conn, 41, queued=True)
            await rolled_back.rollback()  # nothing is sent
            async with conn.transaction():
                await notify(conn, 42)
                await notify(conn, 42)  # folded into one
                await asyncio.sleep(0.2)
                assert changes == []  # not before the commit
            async with conn.transaction():
                await notify(conn, 43, changed=False, queued=True)
        await until(lambda: deliveries == [43])
        assert changes == [42]
        lost = listener.conn
        assert lost is not None
        await pool.execute("select pg_terminate_backend($1::int)", lost.get_server_pid())
        await until(lambda: None in changes and None in deliveries)
        await until(lambda: listener.conn is not None and listener.conn is not lost)
        async with pool.acquire() as conn:
            await notify(conn, 44)
        await until(lambda: changes[-1] == 44)
    finally:
        await listener.close()
