"""SQL lives in `db/queries/<domain>/<name>.sql`, one statement per file, loaded once.

Every statement a request runs goes through `fetch`/`fetchrow`/`fetchval`/`execute`, which count it
when a counter is active, so tests can show that statements per request do not grow with rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from db.pool import TenantPool

QUERIES_DIR = Path(__file__).parent / "queries"

Connection = asyncpg.Connection | PoolConnectionProxy
Executor = asyncpg.Connection | asyncpg.Pool | PoolConnectionProxy | TenantPool

_counter: ContextVar[list[str] | None] = ContextVar("mailflow_statements", default=None)


@cache
def query(name: str) -> str:
    """The text of `db/queries/<name>.sql`, e.g. `query("messages/insert_messages")`."""
    return (QUERIES_DIR / f"{name}.sql").read_text()


def all_query_names() -> list[str]:
    return sorted(str(p.relative_to(QUERIES_DIR).with_suffix("")) for p in QUERIES_DIR.rglob("*.sql"))


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """Collect the names of the statements run inside the block (and the tasks it starts)."""
    seen: list[str] = []
    token = _counter.set(seen)
    try:
        yield seen
    finally:
        _counter.reset(token)


def _note(name: str) -> None:
    seen = _counter.get()
    if seen is not None:
        seen.append(name)


async def fetch(db: Executor, name: str, *args: Any) -> list[asyncpg.Record]:
    _note(name)
    return await db.fetch(query(name), *args)


async def fetchrow(db: Executor, name: str, *args: Any) -> asyncpg.Record | None:
    _note(name)
    return await db.fetchrow(query(name), *args)


async def fetchval(db: Executor, name: str, *args: Any) -> Any:
    _note(name)
    return await db.fetchval(query(name), *args)


async def execute(db: Executor, name: str, *args: Any) -> str:
    _note(name)
    return await db.execute(query(name), *args)
