from __future__ import annotations

import asyncio
import uuid

import asyncpg

from db.migrate import latest_version, load_migrations, migrate
from tests.factories import with_database


async def test_migrations_are_numbered_and_recorded(pool: asyncpg.Pool) -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == sorted(versions)
    async with pool.acquire() as conn:
        assert await conn.fetchval("select max(version) from schema_migrations") == latest_version()
        assert await migrate(conn) == []  # already current: nothing applied twice


async def test_two_processes_migrating_at_once_apply_each_migration_once(server_dsn: str) -> None:
    name = f"mailflow_mig_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'create database "{name}"')
    try:
        dsn = with_database(server_dsn, name)
        conns = [await asyncpg.connect(dsn) for _ in range(3)]
        results = await asyncio.gather(*(migrate(c) for c in conns))
        assert sorted(len(r) for r in results) == [0, 0, len(load_migrations())]
        assert await conns[0].fetchval("select count(*) from schema_migrations") == len(load_migrations())
        for c in conns:
            await c.close()
    finally:
        await admin.execute(f'drop database "{name}" with (force)')
        await admin.close()


async def test_every_key_and_index_leads_with_org_id(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        """
        select t.relname as table_name, i.relname as index_name,
               (select a.attname from pg_attribute a
                where a.attrelid = t.oid and a.attnum = ix.indkey[0]) as first
        from pg_index ix
        join pg_class i on i.oid = ix.indexrelid
        join pg_class t on t.oid = ix.indrelid
        join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = 'public' and t.relname not like 'messages_%'
          and t.relname not in ('schema_migrations', 'organizations')
        """
    )
    assert rows, "no indexes found"
    assert {(r["table_name"], r["first"]) for r in rows if r["first"] != "org_id"} == set()
