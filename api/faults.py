"""Recognizing a database that is down or unreachable (answered 503, never 500)."""

from __future__ import annotations

import asyncpg

DATABASE_DOWN: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.InterfaceError,
)


def is_database_down(exc: BaseException) -> bool:
    return isinstance(exc, DATABASE_DOWN)
