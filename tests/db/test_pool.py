"""The pools' connections: the session settings every statement relies on."""

from __future__ import annotations

from db.pool import Database


async def test_connections_never_jit_compile(database: Database) -> None:
    """PostgreSQL compiling a statement whose estimate crosses jit_above_cost costs 20-50 ms, several
    times what a report over rollups takes; both pools turn it off."""
    for pool in (database.system, database.tenant):
        async with pool.acquire() as conn:
            assert await conn.fetchval("select current_setting('jit')") == "off"
            assert await conn.fetchval("select current_setting('application_name')") == "mailflow"
