"""Tests run against a real PostgreSQL: TEST_DATABASE_URL's server (in a fresh database that is
dropped afterwards), or with MAILFLOW_TEST_CITUS=1 a fresh Citus cluster (tests/citus_cluster.py: a coordinator
and two workers, the database made on each, migrations run on the coordinator), or else an embedded server
that the session starts and removes."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.app import create_app
from api.context import AppState
from api.settings import Settings
from db.embedded import EmbeddedPostgres
from db.keys import create_key
from db.migrate import migrate
from db.organizations import ensure_organization
from db.pool import Database, open_database
from tests import citus_cluster
from tests.factories import add_connector, ingest, rec, with_database


@pytest.fixture(scope="session")
def server_dsn() -> Iterator[str]:
    """A PostgreSQL server to create test databases on."""
    if citus_cluster.wanted():
        with citus_cluster.cluster() as coordinator:
            yield coordinator
        return
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    home = Path(tempfile.mkdtemp(prefix="mailflow-test-"))
    server = EmbeddedPostgres(home / "pgdata")  # as root, its data lives under /var/lib/mailflow
    try:
        yield server.start()
    finally:
        server.close()
        server.remove_data()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
async def dsn(server_dsn: str) -> AsyncIterator[str]:
    """A fresh, migrated database for this test session."""
    name = f"mailflow_test_{uuid.uuid4().hex[:10]}"
    if citus_cluster.wanted():
        test_dsn = await citus_cluster.create_database(server_dsn, name)
    else:
        admin = await asyncpg.connect(server_dsn)
        await admin.execute(f'create database "{name}"')
        await admin.close()
        test_dsn = with_database(server_dsn, name)
    conn = await asyncpg.connect(test_dsn)
    await migrate(conn)
    await conn.close()
    try:
        yield test_dsn
    finally:
        if citus_cluster.wanted():
            await citus_cluster.drop_database(server_dsn, name)
        else:
            admin = await asyncpg.connect(server_dsn)
            await admin.execute(f'drop database if exists "{name}" with (force)')
            await admin.close()


@pytest.fixture(scope="session")
async def database(dsn: str) -> AsyncIterator[Database]:
    db = await open_database(dsn, 8)
    yield db
    await db.close()


@pytest.fixture(scope="session")
def pool(database: Database) -> asyncpg.Pool:
    """The system pool (the owner: row-level security does not apply), for checks behind the API."""
    return database.system


SECRET_KEY = "tests-only-key-tests-only-key-tests-only"


def suite_settings() -> Settings:
    # a long retention: the fixtures hold records back to 2016 (retention tests set their own); a secret key, so
    # that no test writes one under the user's MAILFLOW_HOME
    return Settings(
        max_body_bytes=1024 * 1024,
        key_cache_seconds=0,
        rate_limit=10_000,
        rate_burst=10_000,
        retention_days=36500,
        secret_key=SECRET_KEY,
    )


@pytest.fixture
def settings() -> Settings:
    return suite_settings()


@pytest.fixture
async def state(database: Database, settings: Settings) -> AppState:
    """A new organization per test keeps tests apart without truncating anything."""
    org_id = await ensure_organization(database.system, f"test-{uuid.uuid4().hex[:12]}")
    return AppState(settings=settings, db=database, org_id=org_id)


def make_client(state: AppState, token: str | None) -> httpx.AsyncClient:
    app = create_app(state.settings, state=state)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=transport, base_url="http://mailflow.test", headers=headers)


@pytest.fixture
async def admin_token(state: AppState) -> str:
    return await create_key(state.db.system, state.org_id, "admin", "tests")


@pytest.fixture
async def client(state: AppState, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client with an admin key of the test's organization."""
    async with make_client(state, admin_token) as c:
        yield c


@pytest.fixture
async def traffic(client: httpx.AsyncClient) -> dict[str, Any]:
    fab = await add_connector(client, "Fabrikam", "inbound", "partner")
    onprem = await add_connector(client, "Contoso Exchange", "inbound", "on_premises")
    wood = await add_connector(client, "Woodgrove", "outbound", "partner", forced=True)
    records = [
        # Nov 2, 10:00-11:00 UTC: internet inbound
        rec(1, 10, "TLSv1.3"),
        rec(2, 10.5, "TLSv1.2"),
        rec(3, 10.7, "none"),
        # Nov 2, 23:30 UTC = Nov 3, 00:30 in Europe/Berlin (UTC+1 in November)
        rec(4, 23.5, "TLSv1", connector="Fabrikam"),
        rec(5, 23.6, "TLSv1", connector="Fabrikam"),
        rec(6, 23.7, "TLSv1.2", connector="Fabrikam"),
        # Nov 3, 12:00 UTC: on-premises
        rec(7, 36, "TLSv1.2", connector="Contoso Exchange"),
        # Nov 4: nothing. Nov 5, 08:00 UTC: outbound
        rec(8, 80, "TLSv1.3", direction="outbound"),
        rec(9, 80.2, "TLSv1.2", direction="outbound", connector="Woodgrove"),
        rec(10, 80.4, "no tls", direction="outbound", connector="Woodgrove"),
        rec(11, 80.6, "TLS", direction="outbound"),
    ]
    await ingest(client, records)
    return {"fabrikam": fab["id"], "onprem": onprem["id"], "woodgrove": wood["id"]}
