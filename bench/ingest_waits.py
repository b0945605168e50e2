"""What the PostgreSQL backends of `POST /api/v1/messages` do, and whether concurrent requests wait for each other.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.ingest_waits [--messages N] [--rounds N]

Two clients POST the same generated NDJSON batches as bench/ingest.py (10,000 records each), alternately into
one organization (both requests' records fall in the same hours, so they add to the same rollup rows and bump
the same generation row) and into two (each client its own organization's key: no row is shared, the bound on
what striping the rollups could win). Meanwhile another connection samples pg_stat_activity every few
milliseconds: each sample tells, for each backend, the statement it runs (named after its db/queries file, or
COPY, BEGIN, COMMIT) and what it does (runs, waits for a lock, for I/O, for a lightweight lock, for the COPY's
data, or sits idle in its transaction for the server's next statement). The tables give, per request, the
backend milliseconds each pair took, and the run's msg/s, its ratio to the raw COPY floor with two clients
measured just before, and the CPU per message.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import time
from typing import Any

import asyncpg

from bench.common import admin_key, drop_database, machine, scratch_database, server_process, server_url, table
from bench.ingest import BATCH, copy_floor, generate, http_ingest
from db import sql

CLIENTS = 2
SAMPLE = """
select a.state, a.wait_event_type, a.wait_event, a.query
from pg_stat_activity a
where a.datname = current_database() and a.pid <> pg_backend_pid() and a.backend_type = 'client backend'
  and a.state <> 'idle'
"""
VARIANTS = ("one organization", "two organizations")


def statement_names() -> list[tuple[str, str]]:
    """(the start of a statement's text, its name), for the statements an ingest runs."""
    names = [(sql.query(name)[:200], name.rsplit("/", 1)[-1]) for name in sql.all_query_names()]
    return [*names, ("COPY", "COPY"), ("BEGIN", "BEGIN"), ("COMMIT", "COMMIT"), ("ROLLBACK", "ROLLBACK")]


def doing(state: str, wait_type: str | None, wait_event: str | None) -> str:
    """What a backend does, in a few words."""
    if state.startswith("idle in transaction"):
        return "idle in its transaction (waits for the server)"
    if wait_type is None:
        return "runs"
    if wait_type == "Client":
        return "reads from the client (a COPY's data)"
    if wait_type == "Lock":
        return f"waits for a lock ({wait_event})"
    return f"{wait_type}: {wait_event}"


class Sampler:
    """Counts (statement, what it does) over the samples taken while it runs."""

    def __init__(self, dsn: str, interval: float) -> None:
        self.dsn, self.interval = dsn, interval
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self.samples = 0
        self.names = statement_names()
        self._stop = asyncio.Event()

    def name(self, query: str) -> str:
        for start, name in self.names:
            if query.startswith(start):
                return name
        return query.split("\n", 1)[0][:40]

    async def run(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            while not self._stop.is_set():
                for r in await conn.fetch(SAMPLE):
                    self.counts[(self.name(r["query"]), doing(r["state"], r["wait_event_type"], r["wait_event"]))] += 1
                self.samples += 1
                await asyncio.sleep(self.interval)
        finally:
            await conn.close()

    def stop(self) -> None:
        self._stop.set()


async def sampled_ingest(
    base: str, tokens: list[str], records: list[dict[str, Any]], server: int, dsn: str, interval: float
) -> tuple[float, tuple[float, float, float], Sampler, float]:
    """POST the records with two clients while sampling: msg/s, CPU seconds, the samples, and the seconds."""
    sampler = Sampler(dsn, interval)
    sampling = asyncio.create_task(sampler.run())
    started = time.perf_counter()
    try:
        rate, cpu = await http_ingest(base, tokens, records, CLIENTS, "ndjson", server, dsn)
    finally:
        elapsed = time.perf_counter() - started
        sampler.stop()
        await sampling
    return rate, cpu, sampler, elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds, each the floor then both variants")
    parser.add_argument("--interval-ms", type=float, default=2.0, help="between two samples of pg_stat_activity")
    parser.add_argument("--port", type=int, default=8777)
    args = parser.parse_args()
    url = server_url()
    dsn = await scratch_database(url, "mailflow_bench_waits")
    requests = args.messages / BATCH
    runs: dict[str, list[tuple[float, float, float, float]]] = {v: [] for v in VARIANTS}  # ratio, rate, cpu, cpu
    spent: dict[str, collections.Counter[tuple[str, str]]] = {v: collections.Counter() for v in VARIANTS}
    try:
        keys = [await admin_key(dsn, "bench"), await admin_key(dsn, "bench-second")]
        with server_process(dsn, args.port, "bench") as (base, pid):
            for round_ in range(args.rounds):
                seed = 1000 + 100 * round_
                floor, _ = await copy_floor(dsn, generate(args.messages, seed), CLIENTS, f"{seed}")
                variants = VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]
                for n, variant in enumerate(variants, start=1):
                    tokens = keys[:1] * CLIENTS if variant == VARIANTS[0] else keys
                    records = generate(args.messages, seed + n)
                    rate, cpu, sampler, seconds = await sampled_ingest(
                        base, tokens, records, pid, dsn, args.interval_ms / 1000
                    )
                    runs[variant].append((rate / floor, rate, cpu[1] / args.messages, cpu[2] / args.messages))
                    each = seconds / max(sampler.samples, 1) * 1000 / (requests * args.rounds)  # ms per request
                    for key, count in sampler.counts.items():
                        spent[variant][key] += count * each
    finally:
        await drop_database(url, dsn)
    print(f"{CLIENTS} clients POST {args.messages:,} messages in NDJSON batches of {BATCH:,}, {args.rounds} rounds; "
          f"load average {os.getloadavg()[0]:.1f}; {machine()}")  # fmt: skip
    rows = []
    for variant, values in runs.items():
        waits = sum(ms for (_, what), ms in spent[variant].items() if what.startswith("waits for a lock"))
        ratio, rate, server, database = (statistics.median(v[i] for v in values) for i in range(4))
        rows.append([
            variant, f"{rate:,.0f}", f"{ratio:.2f}x", " ".join(f"{v[0]:.2f}" for v in values),
            f"{server * 1e6:.2f}", f"{database * 1e6:.2f}", f"{waits:.1f}",
        ])  # fmt: skip
    headers = ["organizations", "msg/s", "ratio to the floor", "each round", "server CPU µs/msg",
               "PostgreSQL CPU µs/msg", "lock waits, backend ms/request"]  # fmt: skip
    print(table(headers, rows))
    print("\nBackend milliseconds per request (10,000 records), by statement and what the backend did:")
    pairs = sorted({key for counter in spent.values() for key in counter}, key=lambda k: -spent[VARIANTS[0]][k])
    rows = [[name, what, *(f"{spent[v][(name, what)]:.1f}" for v in VARIANTS)] for name, what in pairs]
    print(table(["statement", "the backend", *VARIANTS], [r for r in rows if any(float(c) >= 0.1 for c in r[2:])]))


if __name__ == "__main__":
    asyncio.run(main())
