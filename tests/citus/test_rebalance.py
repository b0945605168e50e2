"""Adding a worker and rebalancing (citus_rebalance_start) while several organizations ingest through the API:
afterwards the new worker holds shards, every record is stored exactly once, and each organization's report
equals a count of its messages."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
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
from tests.factories import ingest, with_database

pytestmark = pytest.mark.skipif(
    not citus_cluster.wanted(), reason="needs a Citus cluster: run the suite with MAILFLOW_TEST_CITUS=1"
)

DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)
ORGS = 6
BATCHES = 12


def batch(org: int, start: int, size: int) -> list[dict[str, Any]]:
    return [
        {
            "message_id": f"<o{org}-{n}@example.org>",
            "received_at": (DAY + timedelta(seconds=n * 5)).isoformat(),
            "direction": "outbound" if n % 2 else "inbound",
            "tls_version": "TLSv1.3" if n % 3 else "TLSv1.2",
        }
        for n in range(start, start + size)
    ]


async def test_adding_a_worker_and_rebalancing_while_ingest_runs(server_dsn: str) -> None:
    name = f"mailflow_rebalance_{uuid.uuid4().hex[:8]}"
    dsn = await citus_cluster.create_database(server_dsn, name)
    port = int(server_dsn.rsplit(":", 1)[1].split("/")[0]) + 3
    try:
        with citus_cluster.extra_worker(port) as extra:
            admin = await asyncpg.connect(extra)
            await admin.execute(f'create database "{name}"')
            await admin.close()
            conn = await asyncpg.connect(with_database(extra, name))
            await conn.execute("create extension citus")
            await conn.close()

            conn = await asyncpg.connect(dsn)
            await migrate(conn)
            db = await open_database(dsn, 6)
            try:
                orgs = [await ensure_organization(db.system, f"rebalance-{i}") for i in range(ORGS)]
                tokens = [await create_key(db.system, o, "admin", "tests") for o in orgs]
                clients = [
                    make_client(AppState(settings=suite_settings(), db=db, org_id=o), t)
                    for o, t in zip(orgs, tokens, strict=True)
                ]
                for i, client in enumerate(clients):
                    await ingest(client, batch(i, 0, 50))  # the day's partition exists before

                async def feed(i: int) -> None:
                    for b in range(1, BATCHES + 1):
                        body = await ingest(clients[i], batch(i, b * 50, 50))
                        assert body["accepted"] == 50
                        again = await ingest(clients[i], batch(i, b * 50, 50))  # a retry adds nothing
                        assert again["accepted"] == 0

                async def rebalance() -> None:
                    await asyncio.sleep(0.2)
                    await conn.execute("select citus_add_node('127.0.0.1', $1)", port)
                    await conn.execute("select citus_rebalance_start(shard_transfer_mode => 'force_logical')")
                    await conn.execute("select citus_rebalance_wait()")

                try:
                    await asyncio.wait_for(asyncio.gather(rebalance(), *(feed(i) for i in range(ORGS))), 300)
                except TimeoutError:
                    tasks = await db.system.fetch(
                        "select status, message, command from pg_dist_background_task order by task_id"
                    )
                    locks = await db.system.fetch(
                        "select pid, state, wait_event_type, wait_event, left(query, 120) as q "
                        "from pg_stat_activity where datname = current_database() and state <> 'idle'"
                    )
                    pytest.fail(f"the rebalance did not finish: {[dict(r) for r in tasks]} {[dict(r) for r in locks]}")

                moved = await conn.fetchval("select count(*) from citus_shards where nodeport = $1", port)
                assert moved > 0, "the rebalance moved nothing to the new worker"
                for i, (org_id, client) in enumerate(zip(orgs, clients, strict=True)):
                    expected = 50 * (BATCHES + 1)
                    stored = await conn.fetchval("select count(*) from messages where org_id = $1", org_id)
                    assert stored == expected, (i, stored)
                    report = await client.get(
                        "/api/v1/tls-breakdown",
                        params={"from": DAY.date().isoformat(), "to": (DAY + timedelta(days=1)).date().isoformat()},
                    )
                    assert report.status_code == 200, report.text
                    assert report.json()["total"] == expected
                    await client.aclose()
            finally:
                await db.close()
                await conn.close()
    finally:
        await citus_cluster.drop_database(server_dsn, name)
