"""Plain SQL migrations: applied in order, each once, in its own transaction, under an advisory lock.

After them, still under the lock, `distribute_tenant_tables()` (migration 0016): on a Citus coordinator it
distributes every tenant table not yet distributed (those a migration just added, or all of them in a database
that was a single node's), on plain PostgreSQL it does nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from db.sql import Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
LOCK_KEY = 0x6D61696C666C6F77  # "mailflow"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must be NNNN_name.sql: {path.name}")
        found.append(Migration(int(match.group(1)), match.group(2), path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError("two migrations share a version number")
    return found


def latest_version() -> int:
    return max((m.version for m in load_migrations()), default=0)


_CREATE_TABLE = """
create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
)
"""


async def applied_version(conn: Connection) -> int:
    exists = await conn.fetchval("select to_regclass('schema_migrations') is not null")
    if not exists:
        return 0
    return int(await conn.fetchval("select coalesce(max(version), 0) from schema_migrations"))


async def migrate(conn: Connection) -> list[str]:
    """Apply pending migrations; return the names applied."""
    applied: list[str] = []
    await conn.execute("select pg_advisory_lock($1)", LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        done = {r["version"] for r in await conn.fetch("select version from schema_migrations")}
        for migration in load_migrations():
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "insert into schema_migrations (version, name) values ($1, $2)",
                    migration.version,
                    migration.name,
                )
            applied.append(f"{migration.version:04d}_{migration.name}")
        if await conn.fetchval("select to_regprocedure('distribute_tenant_tables()') is not null"):
            await conn.execute("select distribute_tenant_tables()")
    finally:
        await conn.execute("select pg_advisory_unlock($1)", LOCK_KEY)
    return applied
