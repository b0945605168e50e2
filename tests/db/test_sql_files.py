"""Every .sql file is used by the code and prepares against the migrated schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.pool import Database
from db.sql import all_query_names, query

ROOT = Path(__file__).resolve().parent.parent.parent


def _python_sources() -> str:
    return "\n".join(p.read_text() for d in ("api", "db") for p in (ROOT / d).rglob("*.py"))


@pytest.mark.parametrize("name", all_query_names())
def test_query_is_used(name: str) -> None:
    assert f'"{name}"' in _python_sources(), f"db/queries/{name}.sql is not used"


@pytest.mark.parametrize("name", all_query_names())
async def test_query_prepares(database: Database, name: str) -> None:
    text = query(name)
    assert text.startswith("-- "), "the first comment names the parameters"
    async with database.tenant.acquire() as conn:  # as the application's role, with its staging table
        await conn.prepare(text)
