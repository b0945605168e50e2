"""Operations only a Citus cluster has, done while ingest runs through the API: moving one organization's shards to
another worker, online (logical replication: the cluster runs with wal_level = logical), so ingest keeps storing
batches while the shards are copied. Afterwards every record is stored exactly once, the reports equal a count of
the messages table, and the SIEM cursor neither skips nor repeats an event across the move."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from api.context import AppState
from tests import citus_cluster
from tests.factories import add_connector, ingest

pytestmark = pytest.mark.skipif(
    not citus_cluster.wanted(), reason="needs a Citus cluster: run the suite with MAILFLOW_TEST_CITUS=1"
)

DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)  # insights see it
BUCKETS = ["TLSv1.3", "TLSv1.2", "TLSv1", "none"]


def batch(start: int, size: int) -> list[dict[str, Any]]:
    return [
        {
            "message_id": f"<move-{n}@example.org>",
            "received_at": (DAY + timedelta(seconds=n * 7)).isoformat(),
            "direction": "inbound",
            "tls_version": BUCKETS[n % len(BUCKETS)],
            "connector": "Fabrikam" if n % 3 == 0 else None,
            "size_bytes": 1000,
        }
        for n in range(start, start + size)
    ]


async def placement(pool: asyncpg.Pool, org_id: int) -> tuple[int, str, int]:
    row = await pool.fetchrow(
        "select s.shardid, s.nodename, s.nodeport from citus_shards s "
        "where s.shardid = get_shard_id_for_distribution_column('org_generations', $1::bigint)",
        org_id,
    )
    assert row is not None
    return int(row["shardid"]), str(row["nodename"]), int(row["nodeport"])


async def events(client: httpx.AsyncClient, after: str | None) -> tuple[list[int], str]:
    response = await client.get("/api/v1/insights/events", params={"after": after} if after else {})
    assert response.status_code == 200, response.text
    body = response.json()
    return [e["event_id"] for e in body["events"]], body["next"]


async def test_moving_an_organization_while_ingest_runs_stores_every_record_once(
    client: httpx.AsyncClient, state: AppState, pool: asyncpg.Pool
) -> None:
    await add_connector(client, "Fabrikam", "inbound", "partner")
    await ingest(client, batch(0, 200))  # the day's partition exists before the move
    seen, cursor = await events(client, None)
    shard, host, port = await placement(pool, state.org_id)
    workers = await pool.fetch(
        "select nodename, nodeport from pg_dist_node where groupid <> 0 and noderole = 'primary' order by nodeport"
    )
    target = next(w for w in workers if (w["nodename"], w["nodeport"]) != (host, port))

    wal_levels = await pool.fetch("select result from run_command_on_workers('show wal_level')")
    assert {r["result"] for r in wal_levels} == {"logical"}, "an online move needs wal_level = logical on the workers"

    rng = random.Random(5)
    stored: list[int] = []  # what each batch stored the first time it was sent
    stored_at: list[float] = []  # when
    moving: list[float] = []  # when the move started and when it ended

    async def feed() -> None:
        # batches of 100 until the move is over (and at least 40 of them)
        for start in itertools.count(200, 100):
            if len(moving) == 2 and len(stored) >= 40:
                break
            body = await ingest(client, batch(start, 100))
            stored.append(body["accepted"])
            stored_at.append(time.monotonic())
            if rng.random() < 0.3:  # a retried batch: adds nothing
                again = await ingest(client, batch(start, 100))
                assert again["accepted"] == 0
            await asyncio.sleep(0)

    async def move() -> None:
        await asyncio.sleep(0.3)  # ingest is under way
        moving.append(time.monotonic())
        await pool.execute(
            "select citus_move_shard_placement($1, $2, $3, $4, $5, shard_transfer_mode => 'force_logical')",
            shard, host, port, target["nodename"], target["nodeport"],
        )  # fmt: skip
        moving.append(time.monotonic())

    async def pull() -> None:
        nonlocal seen, cursor
        while len(moving) < 2:
            page, cursor = await events(client, cursor)
            seen += page
            await asyncio.sleep(0.05)

    await asyncio.gather(feed(), move(), pull())

    # online: batches went on being stored while the shards were copied (with writes blocked for the whole
    # copy, as shard_transfer_mode 'block_writes' does, one at most is: measured 1, against 5-10 here)
    during = sum(moving[0] < t < moving[1] for t in stored_at)
    assert during >= 3, f"{during} batches stored during a {moving[1] - moving[0]:.1f} s move"
    assert await placement(pool, state.org_id) == (shard, target["nodename"], target["nodeport"])
    assert sum(stored) == len(stored) * 100  # every batch stored in full the first time
    expected = 200 + len(stored) * 100
    assert await pool.fetchval("select count(*) from messages where org_id = $1", state.org_id) == expected
    assert (
        await pool.fetchval("select count(distinct message_id) from messages where org_id = $1", state.org_id)
        == expected
    )
    report = await client.get(
        "/api/v1/tls-breakdown",
        params={
            "direction": "inbound",
            "from": DAY.date().isoformat(),
            "to": (DAY + timedelta(days=1)).date().isoformat(),
        },
    )
    assert report.status_code == 200, report.text
    body = report.json()
    counted = await pool.fetch(
        "select tls_bucket, count(*) as n from messages where org_id = $1 group by 1", state.org_id
    )
    assert body["total"] == expected == sum(r["n"] for r in counted)
    by_bucket = {r["tls_bucket"]: r["n"] for r in counted}
    assert by_bucket == {
        "TLS1.3": expected // 4,
        "TLS1.2": expected // 4,
        "TLS1.0": expected // 4,
        "none": expected // 4,
    }

    # insights evaluated after each ingest wrote events before, during and after the move: the cursor saw each once
    rest, _ = await events(client, cursor)
    seen += rest
    stored_events = await pool.fetch("select event_id from insight_events where org_id = $1 order by seq", state.org_id)
    assert seen == [r["event_id"] for r in stored_events]
    assert seen, "no insight fired: the cursor was not put to the test"
