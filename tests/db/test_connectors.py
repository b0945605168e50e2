"""The store keeps one connector per look-alike name and direction, however the calls interleave."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

import db.migrate
from api.context import AppState
from core.names import look_alike_key
from db.connectors import create_connector, list_connectors, rename_connector
from db.migrate import load_migrations, migrate
from tests.factories import with_database


async def test_concurrent_look_alike_creations_store_one(state: AppState) -> None:
    names = ["Contoso", "\u0421ontoso", "contoso", "C\u043ent\u043es\u043e"]  # Latin, Cyrillic ES, case, Cyrillic o
    created = await asyncio.gather(
        *(create_connector(state.pool, state.org_id, name, "inbound", "partner", False) for name in names)
    )
    assert len([c for c in created if c is not None]) == 1
    assert len(await list_connectors(state.pool, state.org_id)) == 1
    assert await create_connector(state.pool, state.org_id, "\u0421ontoso", "outbound", "partner", False)


async def test_a_rename_to_a_look_alike_is_a_unique_violation(state: AppState) -> None:
    await create_connector(state.pool, state.org_id, "Contoso", "inbound", "partner", False)
    fabrikam = await create_connector(state.pool, state.org_id, "Fabrikam", "inbound", "partner", False)
    assert fabrikam is not None
    with pytest.raises(asyncpg.UniqueViolationError):
        await rename_connector(state.pool, state.org_id, fabrikam.id, "\u0421ontoso")
    assert await rename_connector(state.pool, state.org_id, fabrikam.id, "FABRIKAM")  # its own key


async def test_connector_names_that_already_look_alike_still_migrate(
    server_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"mailflow_keys_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'create database "{name}"')
    try:
        conn = await asyncpg.connect(with_database(server_dsn, name))
        every = load_migrations()
        keys = next(m for m in every if m.name == "connector_look_alike_keys")
        before = [m for m in every if m.version < keys.version]
        monkeypatch.setattr(db.migrate, "load_migrations", lambda: before)
        await migrate(conn)
        org_id = await conn.fetchval("insert into organizations (name) values ('Contoso') returning org_id")
        await conn.executemany(
            "insert into connectors (org_id, name, direction, type) values ($1, $2, 'inbound', 'partner')",
            [(org_id, "Contoso"), (org_id, "\u0421ontoso")],
        )
        monkeypatch.setattr(db.migrate, "load_migrations", lambda: every)
        assert f"{keys.version:04d}_{keys.name}" in await migrate(conn)
        rows = await conn.fetch("select name, name_key from connectors order by connector_id")
        assert [(r["name"], r["name_key"]) for r in rows] == [("Contoso", None), ("\u0421ontoso", None)]
        renamed = await rename_connector(conn, org_id, await conn.fetchval("select min(connector_id) from connectors"),
                                         "Contoso Partner")  # fmt: skip
        assert renamed is not None
        key = await conn.fetchval("select name_key from connectors where name = 'Contoso Partner'")
        assert key == look_alike_key("Contoso Partner")
        await conn.close()
    finally:
        await admin.execute(f'drop database "{name}" with (force)')
        await admin.close()
