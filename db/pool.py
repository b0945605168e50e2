"""Connection pools, and the one place that decides which PostgreSQL server to use.

Two pools per process: `system` (the owner: migrations, retention, organizations, key lookups) and
`tenant`, whose connections run as the role `mailflow_app`, which row-level security binds to the
organization in the session setting `mailflow.org_id`. Only `TenantPool` hands out tenant connections:
on every acquire it makes sure the connection is bound to its organization (setting it only when it
differs, which saves a round trip per call), so a connection never serves one organization's request
with another's setting. The tenant pool skips asyncpg's session reset on release (another round trip);
an open transaction is still rolled back.

On Citus the workers do not see a session setting: there each acquire of a tenant connection opens a
transaction and binds it with `SET LOCAL` (which `citus.propagate_set_commands = 'local'` carries to the
workers, where row-level security is applied to the shards). On plain PostgreSQL nothing of that is done.

When the server goes away (restarted, say), calls fail and are answered 503; each acquire after it is
back connects anew, so the process recovers by itself. `Outage` logs that once each way, not once per
failed call.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from db.embedded import EmbeddedPostgres
from db.listener import Listener

log = logging.getLogger("mailflow.database")

APP_ROLE = "mailflow_app"

# Ingest copies each part of a request here (binary COPY is the fastest way in; row-level security refuses
# COPY into messages), inserts it into messages, then adds the whole to the rollups (db/messages.py). Emptied
# at every commit; one per connection.
STAGING_TABLE = """
create temp table if not exists message_staging (
    message_id text, received_at timestamptz, direction text, connector_id bigint, tls_bucket text,
    tls_protocol text, cipher text, sender_domain text, recipient_domain text, remote_host text,
    server_domain text, remote_ip text, size_bytes bigint, status text, tls_security text, blocked_reason text,
    part integer
) on commit delete rows
"""
STAGING_COLUMNS = [
    "message_id", "received_at", "direction", "connector_id", "tls_bucket", "tls_protocol", "cipher",
    "sender_domain", "recipient_domain", "remote_host", "server_domain", "remote_ip", "size_bytes", "status",
    "tls_security", "blocked_reason",
]  # fmt: skip


class Outage:
    """The database as this process sees it: one warning when it becomes unreachable, one line when a
    connection succeeds again, and nothing for the failed calls in between."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.failures = 0

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        if self.since is None:
            self.since = time.monotonic()
            log.warning("database unavailable (%s: %s); answering 503 until it is back", type(exc).__name__, exc)

    def connected(self) -> None:
        if self.since is not None:
            seconds, failures = time.monotonic() - self.since, self.failures
            self.since, self.failures = None, 0
            log.info("database available again after %.0f s (%d calls failed meanwhile)", seconds, failures)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class TenantConnection(asyncpg.Connection):
    """A tenant connection remembers which organization its session is bound to, and whether its server is a
    Citus coordinator."""

    mailflow_org: int | None = None
    citus: bool = False

    async def bind(self, org_id: int) -> None:
        if self.mailflow_org != org_id:
            await self.execute("select set_config('mailflow.org_id', $1, false)", str(org_id))
            self.mailflow_org = org_id


async def _init_tenant_connection(conn: asyncpg.Connection) -> None:
    await _init_connection(conn)
    await conn.execute(f"set role {APP_ROLE}")
    await conn.execute(STAGING_TABLE)
    cast(TenantConnection, conn).citus = bool(
        await conn.fetchval("select exists (select from pg_extension where extname = 'citus')")
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Tenant connections keep their session (role, organization, staging table) between uses."""


async def create_pool(
    dsn: str,
    max_size: int = 10,
    min_size: int = 1,
    tenant: bool = False,
    statement_timeout_ms: int = 0,
    outage: Outage | None = None,
    **kwargs: Any,
) -> asyncpg.Pool:
    # jit off: every statement here reads a few thousand rows at most, and PostgreSQL compiling one whose
    # estimate crosses jit_above_cost (a long window's rollups, say) costs 20-50 ms, 5-10x the query itself.
    settings = {"application_name": "mailflow", "jit": "off"}
    if statement_timeout_ms:
        settings["statement_timeout"] = str(statement_timeout_ms)
    kwargs.setdefault("timeout", 10)  # connecting: never hang while the server is down
    if tenant:
        kwargs.update(connection_class=TenantConnection, reset=_keep_session)
    setup = _init_tenant_connection if tenant else _init_connection

    async def init(conn: asyncpg.Connection) -> None:
        await setup(conn)
        if outage is not None:
            outage.connected()

    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init,
        # plan_cache_mode stays `auto`: every report reads rollups through their primary key, where a
        # cached generic plan is as good as a custom one, and re-planning cost ~0.5-2 ms per request
        # (measured: the 7-day connector report 3.6 ms with custom plans, 1.2 ms with auto).
        server_settings=settings,
        **kwargs,
    )
    assert pool is not None
    return pool


@dataclass
class PoolUse:
    """How many acquires of the tenant pool are waiting for a connection now (for /metrics)."""

    waiting: int = 0


class TenantPool:
    """The tenant pool seen by one organization: every connection it hands out is bound to it."""

    def __init__(self, pool: asyncpg.Pool, org_id: int, use: PoolUse | None = None) -> None:
        self.pool = pool
        self.org_id = org_id
        self.use = use if use is not None else PoolUse()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[PoolConnectionProxy]:
        self.use.waiting += 1
        try:
            conn = await self.pool.acquire()
        finally:
            self.use.waiting -= 1
        try:
            tenant = cast(TenantConnection, conn)
            await tenant.bind(self.org_id)
            if not tenant.citus:
                yield conn
            else:
                async with conn.transaction():
                    # SET takes no parameter: the id is an int, so nothing but digits reaches the statement
                    await conn.execute(
                        "set local citus.propagate_set_commands = 'local'; "
                        f"set local mailflow.org_id = '{int(self.org_id)}'"
                    )
                    yield conn
        finally:
            await self.pool.release(conn)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self.acquire() as conn:
            return await conn.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        async with self.acquire() as conn:
            return await conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self.acquire() as conn:
            return await conn.fetchval(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        async with self.acquire() as conn:
            return await conn.execute(query, *args)


@dataclass
class Database:
    system: asyncpg.Pool
    tenant: asyncpg.Pool
    outage: Outage = field(default_factory=Outage)
    use: PoolUse = field(default_factory=PoolUse)
    listener: Listener | None = None  # notifications from other processes (None: they are polled for)

    def for_org(self, org_id: int) -> TenantPool:
        return TenantPool(self.tenant, org_id, self.use)

    async def close(self) -> None:
        if self.listener is not None:
            await self.listener.close()
        await self.tenant.close()
        await self.system.close()


async def open_database(dsn: str, size: int = 10, statement_timeout_ms: int = 0) -> Database:
    # No connection floor (min_size 0): asyncpg restores a floor in the background while the server is
    # down, logging a traceback per attempt; acquires connect on demand anyway. One connection each is
    # made now, so that a server that cannot be reached fails here.
    outage = Outage()
    timeout = statement_timeout_ms
    system = await create_pool(dsn, max_size=2, min_size=0, statement_timeout_ms=timeout, outage=outage)
    tenant = await create_pool(dsn, max_size=size, min_size=0, tenant=True, statement_timeout_ms=timeout, outage=outage)
    database = Database(system, tenant, outage, listener=Listener(dsn))
    try:
        for pool in (system, tenant):
            async with pool.acquire():
                pass
    except BaseException:
        await database.close()
        raise
    return database


def embedded_server(home: Path) -> EmbeddedPostgres:
    return EmbeddedPostgres(home / "pgdata")


@contextmanager
def database(database_url: str, home: Path) -> Iterator[str]:
    """Yield the DSN to use: DATABASE_URL when set, else the embedded server (started if needed).

    Afterwards the embedded server is stopped only if this process started it and no other process
    uses it: a command run beside `serve` leaves serve's server running, and so does a `serve` that
    adopted a server it did not start.
    """
    if database_url:
        yield database_url
        return
    server = embedded_server(home)
    try:
        yield server.start()
    finally:
        server.close()
