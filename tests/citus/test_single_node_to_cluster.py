"""The documented path from one server to a cluster (README "Scaling out", step 2): a database migrated and
filled without Citus gets the extension, and `mailflow migrate` distributes every tenant table with the rows
already there; the reports read the same afterwards."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from api.context import AppState
from db.keys import create_key
from db.migrate import migrate
from db.organizations import ensure_organization
from db.pool import open_database
from tests import citus_cluster
from tests.conftest import make_client, suite_settings
from tests.factories import add_connector, ingest, message

pytestmark = pytest.mark.skipif(
    not citus_cluster.wanted(), reason="needs a Citus cluster: run the suite with MAILFLOW_TEST_CITUS=1"
)
WINDOW = {"from": "2026-11-19", "to": "2026-11-23"}


async def _reports(dsn: str, org_id: int, token: str) -> tuple[dict[str, Any], list[Any]]:
    db = await open_database(dsn, 2)
    try:
        async with make_client(AppState(settings=suite_settings(), db=db, org_id=org_id), token) as client:
            breakdown = await client.get("/api/v1/tls-breakdown", params=WINDOW)
            connectors = await client.get("/api/v1/connector-report", params=WINDOW)
            assert breakdown.status_code == connectors.status_code == 200, (breakdown.text, connectors.text)
            return breakdown.json(), connectors.json()
    finally:
        await db.close()


async def test_a_single_nodes_database_is_distributed_with_its_rows(server_dsn: str) -> None:
    name = f"mailflow_single_{uuid.uuid4().hex[:8]}"
    dsn = await citus_cluster.create_database(server_dsn, name, citus=False)
    try:
        conn = await asyncpg.connect(dsn)
        await migrate(conn)
        await conn.close()
        db = await open_database(dsn, 2)
        org_id = await ensure_organization(db.system, "single")
        token = await create_key(db.system, org_id, "admin", "tests")
        async with make_client(AppState(settings=suite_settings(), db=db, org_id=org_id), token) as client:
            await add_connector(client, "Fabrikam")
            await ingest(client, [message(n, connector="Fabrikam" if n % 2 else None) for n in range(3000)])
        await db.close()
        before = await _reports(dsn, org_id, token)

        await citus_cluster.enable_citus(server_dsn, name)
        conn = await asyncpg.connect(dsn)
        try:
            assert await migrate(conn) == []  # nothing pending: only the distribution
            local = await conn.fetch(
                "select c.relname from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' "
                "where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition "
                "and c.relname <> 'organizations' "
                "and not exists (select from pg_dist_partition p where p.logicalrelid = c.oid and p.partmethod = 'h')"
            )
            assert [r["relname"] for r in local] == []
            assert await conn.fetchval("select count(*) from messages where org_id = $1", org_id) == 3000
            on_workers = await conn.fetchval(
                "select count(*) from citus_shards where table_name = 'messages'::regclass and nodeport <> $1",
                int(server_dsn.rsplit(":", 1)[1].split("/")[0]),
            )
            assert on_workers > 0
        finally:
            await conn.close()
        assert await _reports(dsn, org_id, token) == before
    finally:
        await citus_cluster.drop_database(server_dsn, name)
