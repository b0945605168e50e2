"""Every .sql file is used by the code and prepares against the migrated schema."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from db.sql import all_query_names, query

ROOT = Path(__file__).resolve().parent.parent.parent


def _python_sources() -> str:
    return "\n".join(p.read_text() for d in ("api", "db") for p in (ROOT / d).rglob("*.py"))


@pytest.mark.parametrize("name", all_query_names())
def test_query_is_used(name: str) -> None:
    assert f'"{name}"' in _python_sources(), f"db/queries/{name}.sql is not used"


@pytest.mark.parametrize("name", all_query_names())
async def test_query_prepares(pool: asyncpg.Pool, name: str) -> None:
    text = query(name)
    assert text.startswith("-- "), "the first comment names the parameters"
    async with pool.acquire() as conn:
        await conn.prepare(text)
