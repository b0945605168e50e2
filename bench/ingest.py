"""Ingest benchmark: raw COPY into the messages table (the floor) against POST /api/v1/messages.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.ingest [--messages N] [--domains N]
        [--rounds N] [--clients 1 2] [--bodies ndjson json gzip]

Both sides store the same generated messages into a fresh, migrated database, in batches of 10,000,
with 1 and then 2 concurrent clients. The HTTP side includes everything: JSON parsing, validation,
de-duplication and the hourly rollups in the same transaction. On a shared machine, run several rounds:
each measures the floor and then each kind of body in turn, and the table gives medians and each round's
ratio to the floor measured just before it.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import orjson

from api.ingest import validate
from bench.common import (
    admin_key,
    backends_cpu,
    cpu_used,
    drop_database,
    machine,
    process_cpu,
    scratch_database,
    server_process,
    server_url,
    table,
)
from db.organizations import ensure_organization
from db.pool import STAGING_COLUMNS

BATCH = 10_000
BODIES = ("ndjson", "json", "gzip")
BUCKETS = ["TLSv1.3", "TLSv1.2", "TLSv1.2", "TLSv1", "none"]


def generate(n: int, seed: int, domains: int = 1) -> list[dict[str, Any]]:
    """`domains` > 1: the remote parties (sender inbound, recipient outbound, and the remote host) spread over
    that many domains, log-uniformly (a few big senders, a long tail), as the remote-party rollup sees mail."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=3)
    records = []
    for i in range(n):
        at = start + timedelta(seconds=rng.random() * 3 * 86400)  # the random draws in the order they always had
        direction = rng.choice(("inbound", "outbound"))
        record = {
            "message_id": f"<bench.{seed}.{i}@example.org>",
            "received_at": at.isoformat(),
            "direction": direction,
            "tls_version": rng.choice(BUCKETS),
            "sender": f"user{i % 500}@example.org",
            "recipient": "someone@contoso.com",
            "remote_host": f"mx{i % 300}.example.org",
            "remote_ip": f"198.51.{i % 7}.{i % 250}",
            "size_bytes": rng.randrange(1000, 100_000),
            "status": "delivered",
        }
        if domains > 1:
            domain = f"d{int(domains ** rng.random()) - 1}.example"
            record["sender" if direction == "inbound" else "recipient"] = f"user{i % 500}@{domain}"
            record["remote_host"] = f"mx{i % 3}.{domain}"
        records.append(record)
    return records


# CPU seconds a run used: (this process: the COPY's encoding or the HTTP client; the server; PostgreSQL)
Cpu = tuple[float, float, float]


async def copy_floor(dsn: str, records: list[dict[str, Any]], clients: int, name: str = "") -> tuple[float, Cpu]:
    """Raw COPY of the same rows into the messages table, no validation, no rollups: msg/s and CPU seconds."""
    pool = await asyncpg.create_pool(dsn, min_size=clients, max_size=clients)
    org_id = await ensure_organization(pool, f"copy-{clients}-{name}")
    batches = []
    for i in range(0, len(records), BATCH):
        batch, _ = validate(records[i : i + BATCH], {})
        batches.append(list(zip(*(([org_id] * len(batch)), *batch.columns()), strict=True)))
        async with pool.acquire() as conn:
            await conn.fetchval("select ensure_message_partitions($1::date[])", batch.utc_days())
    columns = ["org_id", *STAGING_COLUMNS]
    queue = list(batches)

    async def worker() -> None:
        async with pool.acquire() as conn:
            while queue:
                await conn.copy_records_to_table("messages", records=queue.pop(), columns=columns)

    database, mine = await backends_cpu(dsn), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    cpu = (time.process_time() - mine, 0.0, cpu_used(database, await backends_cpu(dsn)))
    await pool.close()
    return len(records) / elapsed, cpu


def bodies_of(records: list[dict[str, Any]], body: str) -> tuple[list[bytes], dict[str, str]]:
    """The request bodies of `records` in batches, and their headers: NDJSON, a JSON array, or gzipped NDJSON."""
    batches = [records[i : i + BATCH] for i in range(0, len(records), BATCH)]
    if body == "json":
        return [orjson.dumps(b) for b in batches], {"content-type": "application/json"}
    ndjson = [b"\n".join(orjson.dumps(r) for r in b) for b in batches]
    if body == "gzip":
        headers = {"content-type": "application/x-ndjson", "content-encoding": "gzip"}
        return [gzip.compress(b, 6) for b in ndjson], headers
    return ndjson, {"content-type": "application/x-ndjson"}


async def http_ingest(
    base: str,
    token: str | list[str],
    records: list[dict[str, Any]],
    clients: int,
    body: str = "ndjson",
    server: int = 0,
    dsn: str = "",
) -> tuple[float, Cpu]:
    """POST the records in batches: msg/s, and CPU seconds (with the server's pid and the database's DSN).
    `token`: one key, or one per client (their organizations' keys, say)."""
    queue, headers = bodies_of(records, body)
    tokens = [token] * clients if isinstance(token, str) else token
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:

        async def worker(key: str) -> None:
            sent = {**headers, "authorization": f"Bearer {key}"}
            while queue:
                response = await client.post("/api/v1/messages", content=queue.pop(), headers=sent)
                assert response.status_code == 200, response.text

        database = await backends_cpu(dsn) if dsn else {}
        mine, theirs = time.process_time(), process_cpu(server) if server else 0.0
        started = time.perf_counter()
        await asyncio.gather(*(worker(key) for key in tokens[:clients]))
        elapsed = time.perf_counter() - started
        cpu = (
            time.process_time() - mine,
            process_cpu(server) - theirs if server else 0.0,
            cpu_used(database, await backends_cpu(dsn)) if dsn else 0.0,
        )
    return len(records) / elapsed, cpu


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--domains", type=int, default=1, help="remote domains the messages spread over")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each the floor then every body in turn")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--bodies", nargs="+", choices=BODIES, default=["ndjson"])
    args = parser.parse_args()
    url = server_url()
    dsn = await scratch_database(url, "mailflow_bench_ingest")
    floors: dict[int, list[float]] = {}
    rates: dict[tuple[int, str], list[float]] = {}
    cpus: dict[tuple[int, str], list[Cpu]] = {}
    try:
        token = await admin_key(dsn, "bench")
        with server_process(dsn, args.port, "bench") as (base, pid):
            for round_ in range(args.rounds):
                for clients in args.clients:
                    seed = 100 * round_ + 10 * clients
                    records = generate(args.messages, seed, args.domains)
                    floor, cpu = await copy_floor(dsn, records, clients, f"{seed}")
                    floors.setdefault(clients, []).append(floor)
                    cpus.setdefault((clients, "floor"), []).append(cpu)
                    for n, body in enumerate(args.bodies, start=1):
                        records = generate(args.messages, seed + n, args.domains)
                        rate, cpu = await http_ingest(base, token, records, clients, body, pid, dsn)
                        rates.setdefault((clients, body), []).append(rate)
                        cpus.setdefault((clients, body), []).append(cpu)
    finally:
        await drop_database(url, dsn)

    def per_message(key: tuple[int, str], part: int) -> str:
        return f"{statistics.median(cpu[part] for cpu in cpus[key]) / args.messages * 1e6:.2f}"

    rows = []
    for (clients, body), values in rates.items():
        floor, rate = statistics.median(floors[clients]), statistics.median(values)
        ratios = [r / f for r, f in zip(values, floors[clients], strict=True)]
        rows.append([clients, body, f"{floor:,.0f}", f"{rate:,.0f}", f"{statistics.median(ratios):.2f}x",
                     " ".join(f"{r:.2f}" for r in ratios), per_message((clients, "floor"), 0),
                     per_message((clients, "floor"), 2), per_message((clients, body), 1),
                     per_message((clients, body), 2), per_message((clients, body), 0)])  # fmt: skip
    spread = f", {args.domains:,} remote domains" if args.domains > 1 else ""
    rounds = f"; medians of {args.rounds} rounds, the floor and the bodies alternating" if args.rounds > 1 else ""
    print(f"ingest of {args.messages:,} messages in batches of {BATCH:,}{spread}{rounds}; {machine()}")
    headers = ["clients", "body", "raw COPY msg/s (floor)", "POST /api/v1/messages msg/s", "ratio", "each round",
               "floor CPU µs/msg: bench", "PostgreSQL", "POST CPU µs/msg: server", "PostgreSQL",
               "HTTP client"]  # fmt: skip
    print(table(headers, rows))
    print("CPU: medians of the rounds, per message; the floor's bench process encodes its COPY")


if __name__ == "__main__":
    asyncio.run(main())
