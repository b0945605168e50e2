"""Report benchmark: the snapshot, a 7-day breakdown and a 7-day connector report over REST and
GraphQL, against the same SQL run directly through asyncpg (the floor), at 1 and 10 million messages.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.reports [--sizes 1000000 10000000]

Setup writes messages and their rollups with SQL (30 days, 20 connectors) so that 10 million rows load
in about a minute; the views read only the rollups. Load comes from `wrk` (Debian package `wrk`),
a separate process: 16 connections for requests/s, p50 and p99, then 1 connection for the unloaded p50.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import admin_key, drop_database, machine, running_server, scratch_database, server_url, table
from db.sql import query

SECONDS = 8
DAYS = 30

SETUP = """
insert into messages (org_id, message_id, received_at, direction, connector_id, tls_bucket, size_bytes)
select $1, 'b' || g, $2::timestamptz - (random() * interval '30 days'),
       d.direction,
       case when random() < 0.5 then null else c.connector_id end,
       (array['none','TLS1.0','TLS1.1','TLS1.2','TLS1.2','TLS1.3','TLS1.3','unknown'])[1 + floor(random() * 8)::int],
       (1000 + random() * 100000)::bigint
from generate_series(1, $3) g
cross join lateral (select case when g % 2 = 0 then 'inbound' else 'outbound' end as direction) d
left join lateral (
    select connector_id from connectors
    where org_id = $1 and direction = d.direction
    order by connector_id offset ((g / 2) % 10) limit 1
) c on true
"""
ROLLUP = """
insert into hourly_rollups (
    org_id, hour, direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes
)
select org_id, date_trunc('hour', received_at, 'UTC'), direction, coalesce(connector_id, 0), count(*),
       count(*) filter (where tls_bucket = 'none'), count(*) filter (where tls_bucket = 'TLS1.0'),
       count(*) filter (where tls_bucket = 'TLS1.1'), count(*) filter (where tls_bucket = 'TLS1.2'),
       count(*) filter (where tls_bucket = 'TLS1.3'), count(*) filter (where tls_bucket = 'unknown'),
       sum(size_bytes)
from messages where org_id = $1
group by 1, 2, 3, 4
"""
DAILY = """
insert into daily_rollups (
    org_id, day, direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes
)
select org_id, (hour at time zone 'UTC')::date, direction, connector_id, sum(messages), sum(no_tls), sum(tls10),
       sum(tls11), sum(tls12), sum(tls13), sum(unknown), sum(bytes)
from hourly_rollups where org_id = $1
group by 1, 2, 3, 4
"""

GRAPHQL = {
    "summary": "{ mailFlowSummary { from to inbound { total versions { tlsVersion messages share } } "
    "outbound { total versions { tlsVersion messages share } } } }",
    "breakdown": "{ tlsBreakdown(direction: BOTH) { from to total versions { tlsVersion messages share } "
    "daily { day total versions { tlsVersion messages share } } } }",
    "connector report": "{ connectorReport { rows { day connector { id name direction type forcedTls } "
    "volume noTls tls10 tls11 tls12 tls13 unknown } totals { connector { id name } volume noTls tls10 tls12 } } }",
}
REST = {
    "summary": "/api/v1/summary",
    "breakdown": "/api/v1/tls-breakdown",
    "connector report": "/api/v1/connector-report",
}


async def load(dsn: str, messages: int) -> int:
    conn = await asyncpg.connect(dsn)
    org_id = int(await conn.fetchval("insert into organizations (name) values ('bench') returning org_id"))
    for n in range(20):
        direction = "inbound" if n < 10 else "outbound"
        await conn.execute(
            "insert into connectors (org_id, name, direction, type, forced_tls) values ($1, $2, $3, $4, $5)",
            org_id, f"connector {n:02d}", direction, "partner" if n % 3 else "on_premises", n % 4 == 0,
        )  # fmt: skip
    now = datetime.now(UTC)
    days = [(now - timedelta(days=d)).date() for d in range(DAYS + 2)]
    await conn.execute("select ensure_message_partitions($1::date[])", days)
    started = time.perf_counter()
    await conn.execute(SETUP, org_id, now, messages)
    await conn.execute(ROLLUP, org_id)
    await conn.execute(DAILY, org_id)
    await conn.execute("vacuum analyze")
    rollups = await conn.fetchval("select count(*) from hourly_rollups where org_id = $1", org_id)
    print(f"loaded {messages:,} messages ({rollups:,} rollup rows) in {time.perf_counter() - started:.0f} s")
    await conn.close()
    return org_id


def statements(org_id: int, zone: str = "UTC") -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Each view's SQL and arguments, as the server runs them for the default 7-day window in `zone`
    (the summary has no time zone)."""
    from core.window import make_window

    window = make_window(None, None, zone)
    both = ["inbound", "outbound"]
    return {
        "summary": (
            query("traffic_counts/count_messages_by_direction"),
            (org_id, window.start, window.end, *window.utc_days()),
        ),
        "breakdown": (
            query("traffic_counts/count_messages_by_day"),
            (org_id, window.start, window.end, zone, both, None, *window.utc_days()),
        ),
        "connector report": (
            query("traffic_counts/connector_report"),
            (org_id, window.start, window.end, zone, both, None, None, *window.zone_days()),
        ),
        "insights": (query("insights/list_insights"), (org_id, ["active"], None, None)),
    }


def requests(view: str, zone: str) -> tuple[str, str]:
    """The REST path and the GraphQL document of a view in `zone`."""
    if zone == "UTC" or view == "summary":
        return REST[view], GRAPHQL[view]
    argument = f'timeZone: "{zone}"'
    document = GRAPHQL[view].replace("tlsBreakdown(", f"tlsBreakdown({argument}, ")
    document = document.replace("connectorReport {", f"connectorReport({argument}) {{")
    return f"{REST[view]}?time_zone={zone}", document


async def floor(
    dsn: str, org_id: int, view: str, concurrent: bool = True, zone: str = "UTC"
) -> tuple[float, float, float, float]:
    """A view's SQL run directly: p50 (ms) one at a time; then, with 16 concurrent, p50 and p99 (ms) and
    requests/s (zeros when not `concurrent`)."""
    from db.pool import create_pool

    sql, args = statements(org_id, zone)[view]
    pool = await create_pool(dsn, max_size=16, min_size=16 if concurrent else 1)
    async with pool.acquire() as conn:
        times = []
        for _ in range(300):
            t = time.perf_counter()
            await conn.fetch(sql, *args)
            times.append((time.perf_counter() - t) * 1000)
    loaded: list[float] = []
    deadline = time.perf_counter() + SECONDS

    async def worker() -> None:
        async with pool.acquire() as conn:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                await conn.fetch(sql, *args)
                loaded.append((time.perf_counter() - t) * 1000)

    if concurrent:
        await asyncio.gather(*(worker() for _ in range(16)))
    await pool.close()
    one = statistics.median(sorted(times)[50:])
    if not loaded:
        return one, 0.0, 0.0, 0.0
    loaded.sort()
    return one, statistics.median(loaded), loaded[int(len(loaded) * 0.99)], len(loaded) / SECONDS


def wrk(url: str, token: str, connections: int, body: str | None = None) -> tuple[float, float, float]:
    """requests/s, p50 ms, p99 ms."""
    args = [
        "wrk",
        "-t",
        "2" if connections > 1 else "1",
        "-c",
        str(connections),
        "-d",
        f"{SECONDS}s",
        "--latency",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        if body is not None:
            script.write(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(body)}\n"
            )
    out = subprocess.run([*args, "-s", script.name, url], capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    if "Non-2xx" in out:
        raise SystemExit(f"errors from {url}:\n{out}")

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        assert match, out
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, ms("50"), ms("99")


def run_size(url: str, messages: int, port: int, zone: str = "UTC") -> list[list[object]]:
    dsn = asyncio.run(scratch_database(url, "mailflow_bench_reports"))
    rows: list[list[object]] = []
    try:
        org_id = asyncio.run(load(dsn, messages))
        token = asyncio.run(admin_key(dsn, "bench"))
        with running_server(dsn, port, org="bench") as base:
            for view in REST:
                raw_one, raw_p50, raw_p99, raw_rps = asyncio.run(floor(dsn, org_id, view, zone=zone))
                rows.append([f"{messages:,}", view, "SQL (asyncpg)", f"{raw_rps:,.0f}", f"{raw_p50:.2f}",
                             f"{raw_p99:.2f}", "1.00x", f"{raw_one:.2f}", "1.00x"])  # fmt: skip
                path, document = requests(view, zone)
                body = json.dumps({"query": document})
                for kind, target, payload in (
                    ("REST", base + path, None),
                    ("GraphQL", base + "/graphql", body),
                ):
                    rps, p50, p99 = wrk(target, token, 16, payload)
                    # the machine's speed drifts over minutes: the floor for the ratio is measured right
                    # before and right after the 1-connection run, and averaged
                    before = asyncio.run(floor(dsn, org_id, view, concurrent=False, zone=zone))[0]
                    _, p50_one, _ = wrk(target, token, 1, payload)
                    after = asyncio.run(floor(dsn, org_id, view, concurrent=False, zone=zone))[0]
                    near = (before + after) / 2
                    rows.append([f"{messages:,}", view, kind, f"{rps:,.0f}", f"{p50:.2f}", f"{p99:.2f}",
                                 f"{p50 / raw_p50:.2f}x", f"{p50_one:.2f}",
                                 f"{p50_one / near:.2f}x ({near:.2f})"])  # fmt: skip
    finally:
        asyncio.run(drop_database(url, dsn))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the server's response cache on (by default it is off: every request runs its SQL, as the "
        "first request after each ingest does)",
    )
    parser.add_argument(
        "--time-zone",
        default="UTC",
        help="the breakdown's and the connector report's time zone (an IANA name; the summary has none)",
    )
    args = parser.parse_args()
    if not args.cache:
        os.environ["MAILFLOW_CACHE_BYTES"] = "0"
    if not shutil.which("wrk"):
        raise SystemExit("install wrk (Debian: apt-get install wrk)")
    url = server_url()
    rows = []
    for size in args.sizes:
        rows += run_size(url, size, args.port, args.time_zone)
    cache = "on" if args.cache else "off"
    print(f"\nreports over {DAYS} days, 20 connectors, time zone {args.time_zone}, response cache {cache}; {machine()}")
    headers = [
        "messages",
        "view",
        "through",
        "req/s @16",
        "p50 ms @16",
        "p99 ms @16",
        "p50 @16 / SQL p50 @16",
        "p50 ms @1",
        "p50 @1 / SQL p50 (SQL p50 then)",
    ]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
