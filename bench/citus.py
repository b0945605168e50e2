"""The same mailflow on one plain PostgreSQL and on a 3-node Citus cluster (a coordinator, two workers), in one run:
ingest through the API and the report views (response cache off), rounds alternating, and the plan of one
organization's report on the cluster (one task, on one worker).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.citus [--citus URL] [--rounds 2]

Without --citus it starts a fresh cluster with ../shared/citus/cluster.sh (tests/citus_cluster.py) and removes
it after."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from api.context import AppState
from api.settings import Settings
from bench.common import drop_database, machine, scratch_database, server_url, table
from db.keys import create_key
from db.migrate import migrate
from db.organizations import ensure_organization
from db.pool import open_database
from tests import citus_cluster
from tests.conftest import make_client

BATCH = 5000
DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=3)
WINDOW = {"from": (DAY - timedelta(days=6)).date().isoformat(), "to": (DAY + timedelta(days=1)).date().isoformat()}
VIEWS = {
    "summary": ("/api/v1/summary", {}),
    "tls-breakdown": ("/api/v1/tls-breakdown", WINDOW),
    "connector-report": ("/api/v1/connector-report", WINDOW),
    "remote-domains": ("/api/v1/remote-domains", {**WINDOW, "direction": "inbound"}),
    "transit-security": ("/api/v1/transit-security", WINDOW),
}
BUCKETS = ["TLSv1.3", "TLSv1.2", "TLSv1", "none"]


def records(start: int, size: int) -> list[dict[str, Any]]:
    return [
        {
            "message_id": f"<b{n}@example.org>",
            "received_at": (DAY + timedelta(seconds=n % 86400)).isoformat(),
            "direction": "inbound" if n % 3 else "outbound",
            "tls_version": BUCKETS[n % 4],
            "size_bytes": 2000,
        }
        for n in range(start, start + size)
    ]


async def one_round(dsn: str, messages: int, reads: int) -> dict[str, float]:
    db = await open_database(dsn, 4)
    try:
        org_id = await ensure_organization(db.system, f"bench-{uuid.uuid4().hex[:8]}")
        token = await create_key(db.system, org_id, "admin", "bench")
        settings = Settings(
            cache_bytes=0, rate_limit=10**6, rate_burst=10**6, retention_days=3650, key_cache_seconds=60
        )
        async with make_client(AppState(settings=settings, db=db, org_id=org_id), token) as client:
            # the day's partition first, so that both measure ingest, not making a partition
            await client.post("/api/v1/messages", json=records(10**8, 1))
            started = time.perf_counter()
            for start in range(0, messages, BATCH):
                response = await client.post("/api/v1/messages", json=records(start, BATCH))
                assert response.status_code == 200, response.text
            result = {"ingest records/s": messages / (time.perf_counter() - started)}
            for view, (path, params) in VIEWS.items():
                times = []
                for _ in range(reads):
                    t = time.perf_counter()
                    response = await client.get(path, params=params)
                    times.append(time.perf_counter() - t)
                    assert response.status_code == 200, response.text
                result[f"{view} p50 ms"] = statistics.median(times) * 1000
        return result
    finally:
        await db.close()


async def plan(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        org_id = await conn.fetchval("select max(org_id) from organizations")
        rows = await conn.fetch(
            "explain (costs off) select day, direction, sum(messages) from daily_rollups where org_id = $1 "
            "group by 1, 2",
            org_id,
        )
        return "\n".join(r[0] for r in rows)
    finally:
        await conn.close()


async def run(plain_url: str, citus_url: str, messages: int, reads: int, rounds: int) -> None:
    plain = await scratch_database(plain_url, "bench_plain")
    name = f"bench_citus_{uuid.uuid4().hex[:8]}"
    citus = await citus_cluster.create_database(citus_url, name)
    conn = await asyncpg.connect(citus)
    await migrate(conn)
    await conn.close()
    try:
        results: dict[str, list[dict[str, float]]] = {"plain": [], "citus": []}
        for _ in range(rounds):  # alternating, so that the machine's load falls on both alike
            results["plain"].append(await one_round(plain, messages, reads))
            results["citus"].append(await one_round(citus, messages, reads))
        rows = []
        for metric in results["plain"][0]:
            p = statistics.median(r[metric] for r in results["plain"])
            c = statistics.median(r[metric] for r in results["citus"])
            rows.append([metric, f"{p:.1f}", f"{c:.1f}", f"{c / p:.2f}"])
        print(machine())
        print(
            f"{messages} records per round ({BATCH} per request), {reads} reads per view, {rounds} rounds alternating"
        )
        print(table(["measure", "plain PostgreSQL", "Citus (coordinator + 2 workers)", "Citus / plain"], rows))
        print("\nOne organization's report on the cluster:\n" + await plan(citus))
    finally:
        await drop_database(plain_url, plain)
        await citus_cluster.drop_database(citus_url, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citus", default="", help="a running cluster's coordinator (default: start one)")
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--reads", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with ExitStack() as stack:
        citus_url = args.citus or stack.enter_context(citus_cluster.cluster(port=9890))
        asyncio.run(run(server_url(), citus_url, args.messages, args.reads, args.rounds))


if __name__ == "__main__":
    main()
