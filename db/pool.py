"""The connection pool, and the one place that decides which PostgreSQL server to use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg

from api.settings import Settings
from db.embedded import EmbeddedPostgres

# Ingest copies each batch here (binary COPY is the fastest way in), then moves it into messages in
# one statement. Emptied at every commit; one per connection.
STAGING_TABLE = """
create temp table if not exists message_staging (
    message_id text, received_at timestamptz, direction text, connector_id bigint, tls_bucket text,
    tls_protocol text, cipher text, sender_domain text, recipient_domain text, remote_host text,
    remote_ip text, size_bytes bigint, status text
) on commit delete rows
"""
STAGING_COLUMNS = [
    "message_id", "received_at", "direction", "connector_id", "tls_bucket", "tls_protocol", "cipher",
    "sender_domain", "recipient_domain", "remote_host", "remote_ip", "size_bytes", "status",
]  # fmt: skip


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.execute(STAGING_TABLE)


async def create_pool(dsn: str, max_size: int = 10, min_size: int = 1, **kwargs: Any) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        # Reports are short reads with time-range parameters: a generic plan misjudges them.
        server_settings={"plan_cache_mode": "force_custom_plan", "application_name": "mailflow"},
        **kwargs,
    )
    assert pool is not None
    return pool


def embedded_server(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.home / "pgdata")


@contextmanager
def database(settings: Settings, *, own_server: bool = False) -> Iterator[str]:
    """Yield the DSN to use: DATABASE_URL when set, else the embedded server (started if needed).

    A short command stops the embedded server afterwards only if it started it; `own_server` (the
    long-running `serve`) always stops it, adopting one that a crash left running.
    """
    if settings.database_url:
        yield settings.database_url
        return
    server = embedded_server(settings)
    dsn = server.start()
    try:
        yield dsn
    finally:
        if own_server or server.started_here:
            server.stop()
