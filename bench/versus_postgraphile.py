"""mailflow against PostGraphile on the same rollups, side by side (the performance issue's benchmark).

    cd bench/peer && npm install && cd ../..
    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.versus_postgraphile [--messages N]

Loads one organization (30 days, 20 connectors) into a scratch database, exposes the same aggregates as
STABLE SQL functions (bench/peer/functions.sql) to one PostGraphile 4 process (NODE_ENV=production, no
query log), starts one mailflow process, checks that both answer the same numbers, then times each view
with wrk in alternating rounds: mailflow GraphQL, mailflow REST and PostGraphile, at 16 connections and at
1, and once more at 16 with 1,000 messages/s being ingested in the background.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.common import (
    admin_key,
    drop_database,
    machine,
    process_answering,
    scratch_database,
    server_process,
    server_url,
    table,
)
from bench.reports import SECONDS, floor, load, wrk

PEER = Path(__file__).parent / "peer"
VERSIONS = "versions { tlsVersion messages share }"
COUNTS = "noTls tls10 tls11 tls12 tls13 unknown"
VIEWS: dict[str, tuple[str, str, str]] = {
    # view: (mailflow GraphQL, mailflow REST path, PostGraphile GraphQL with {org})
    "summary": (
        f"{{ mailFlowSummary {{ inbound {{ total {VERSIONS} }} outbound {{ total {VERSIONS} }} }} }}",
        "/api/v1/summary",
        f'{{ summary(org: "{{org}}") {{ nodes {{ direction total {COUNTS} }} }} }}',
    ),
    "breakdown": (
        f"{{ tlsBreakdown(direction: INBOUND) {{ total {VERSIONS} daily {{ day total {VERSIONS} }} }} }}",
        "/api/v1/tls-breakdown?direction=inbound",
        f'{{ tlsBreakdown(org: "{{org}}", dir: "inbound") {{ nodes {{ day total {COUNTS} }} }} }}',
    ),
    "connector report": (
        "{ connectorReport { rows { day connector { id name type } volume noTls tls10 tls11 tls12 tls13 unknown } } }",
        "/api/v1/connector-report",
        f'{{ connectorReport(org: "{{org}}") {{ nodes {{ day direction connectorId name type volume {COUNTS} }} }} }}',
    ),
    "insights": (
        "{ insights { id rule title description recommendedAction share messages } }",
        "/api/v1/insights",
        '{ activeInsights(org: "{org}") { nodes { id rule title description recommendedAction share messages } } }',
    ),
}


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def postgraphile(dsn: str, port: int) -> Iterator[tuple[str, int]]:
    binary = PEER / "node_modules" / ".bin" / "postgraphile"
    if not binary.exists():
        raise SystemExit(f"install the peer first: cd {PEER} && npm install")
    env = {**os.environ, "NODE_ENV": "production"}
    command = [
        str(binary), "-c", dsn, "--schema", "mailflow_peer", "--host", "127.0.0.1", "--port", str(port),
        "--disable-query-log", "--disable-default-mutations",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"

    def probe() -> httpx.Response:
        return httpx.post(url, json={"query": "{ __typename }"}, timeout=1)

    with process_answering(
        command, env, probe, "PostGraphile", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as proc:
        yield url, proc.pid


def ask(url: str, query: str, token: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(url, json={"query": query}, headers=headers, timeout=30).json()
    assert "errors" not in body, body
    return body["data"]


def check_same_numbers(base: str, peer: str, token: str, org: int) -> None:
    ours = ask(f"{base}/graphql", VIEWS["summary"][0], token)["mailFlowSummary"]
    theirs = {n["direction"]: n for n in ask(peer, VIEWS["summary"][2].replace("{org}", str(org)))["summary"]["nodes"]}
    for direction in ("inbound", "outbound"):
        assert ours[direction]["total"] == int(theirs[direction]["total"]), "summary totals differ"
    ours_days = ask(f"{base}/graphql", VIEWS["breakdown"][0], token)["tlsBreakdown"]["daily"]
    theirs_days = ask(peer, VIEWS["breakdown"][2].replace("{org}", str(org)))["tlsBreakdown"]["nodes"]
    assert [(d["day"], d["total"]) for d in ours_days] == [(d["day"], int(d["total"])) for d in theirs_days]
    ours_rows = ask(f"{base}/graphql", VIEWS["connector report"][0], token)["connectorReport"]["rows"]
    theirs_rows = ask(peer, VIEWS["connector report"][2].replace("{org}", str(org)))["connectorReport"]["nodes"]
    assert sorted(r["volume"] for r in ours_rows) == sorted(int(r["volume"]) for r in theirs_rows)
    ours_insights = ask(f"{base}/graphql", VIEWS["insights"][0], token)["insights"]
    theirs_insights = ask(peer, VIEWS["insights"][2].replace("{org}", str(org)))["activeInsights"]["nodes"]
    assert sorted(i["id"] for i in ours_insights) == sorted(str(i["id"]) for i in theirs_insights)
    print("both servers answer the same numbers for every view")


def background_ingest(base: str, token: str, stop: threading.Event) -> None:
    """1,000 messages a second, in batches of 100."""
    n = 0
    headers = {"authorization": f"Bearer {token}", "content-type": "application/x-ndjson"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            now = datetime.now(UTC).isoformat()
            body = "\n".join(
                json.dumps(
                    {
                        "message_id": f"<bg{n + i}@x>",
                        "received_at": now,
                        "direction": "inbound",
                        "tls_version": "TLSv1.3",
                    }
                )
                for i in range(100)
            )
            client.post("/api/v1/messages", content=body)
            n += 100
            time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))


Timing = tuple[float, float, float, float, float]  # req/s @16, p50 ms @16, p99 ms @16, p50 ms @1, CPU µs/request


def timed(url: str, token: str, body: str | None, pid: int) -> Timing:
    """wrk at 16 connections and at 1, and the server process's CPU per request at 16."""
    before = cpu_seconds(pid)
    rps, p50, p99 = wrk(url, token, 16, body)
    cpu = (cpu_seconds(pid) - before) / (rps * SECONDS) * 1e6
    _, p50_one, _ = wrk(url, token, 1, body)
    return rps, p50, p99, p50_one, cpu


def run(dsn: str, org: int, token: str, rounds: int) -> list[list[object]]:
    rows: list[list[object]] = []
    with (
        server_process(dsn, 8771, org="bench", MAILFLOW_CACHE_BYTES="0") as (plain, plain_pid),
        server_process(dsn, 8773, org="bench") as (cached, cached_pid),
        postgraphile(dsn, 8772) as (peer, peer_pid),
    ):
        check_same_numbers(plain, peer, token, org)
        check_same_numbers(cached, peer, token, org)
        for view, (ours, rest, theirs) in VIEWS.items():
            graphql = json.dumps({"query": ours})
            targets = {  # the uncached figures lead: with ingest every second, most requests miss the cache
                "mailflow GraphQL, no cache": (f"{plain}/graphql", graphql, plain_pid),
                "mailflow REST, no cache": (plain + rest, None, plain_pid),
                "PostGraphile": (peer, json.dumps({"query": theirs.replace("{org}", str(org))}), peer_pid),
                "mailflow GraphQL, cache": (f"{cached}/graphql", graphql, cached_pid),
                "mailflow REST, cache": (cached + rest, None, cached_pid),
            }
            results: dict[str, list[Timing]] = {name: [] for name in targets}
            floors: list[tuple[float, float, float, float]] = []
            for _ in range(rounds):  # alternating rounds: the machine's noise falls on every server alike
                floors.append(asyncio.run(floor(dsn, org, view)))
                for name, (url, body, pid) in targets.items():
                    results[name].append(timed(url, token, body, pid))
            stop = threading.Event()
            feeder = threading.Thread(target=background_ingest, args=(cached, token, stop))
            feeder.start()
            try:
                loaded = {name: wrk(url, token, 16, body)[0] for name, (url, body, _) in targets.items()}
            finally:
                stop.set()
                feeder.join()
            peer_rps = statistics.median(r[0] for r in results["PostGraphile"])
            peer_p50 = statistics.median(r[3] for r in results["PostGraphile"])
            peer_cpu = statistics.median(r[4] for r in results["PostGraphile"])
            sql_rps = statistics.median(f[3] for f in floors)
            rows.append([view, "SQL alone (asyncpg, the floor)", f"{sql_rps:,.0f}",
                         f"{statistics.median(f[1] for f in floors):.2f}",
                         f"{statistics.median(f[2] for f in floors):.2f}",
                         f"{statistics.median(f[0] for f in floors):.2f}", f"{sql_rps / peer_rps:.2f}x",
                         f"{statistics.median(f[0] for f in floors) / peer_p50:.2f}x", "", ""])  # fmt: skip
            for name, runs in results.items():
                rps = statistics.median(r[0] for r in runs)
                p50_one = statistics.median(r[3] for r in runs)
                cpu = statistics.median(r[4] for r in runs)
                rows.append([view, name, f"{rps:,.0f}", f"{statistics.median(r[1] for r in runs):.2f}",
                             f"{statistics.median(r[2] for r in runs):.2f}", f"{p50_one:.2f}",
                             f"{rps / peer_rps:.2f}x", f"{p50_one / peer_p50:.2f}x",
                             f"{cpu:,.0f} ({cpu / peer_cpu:.2f}x)",
                             f"{loaded[name]:,.0f} ({loaded[name] / loaded['PostGraphile']:.2f}x)"])  # fmt: skip
    return rows


async def prepare(url: str, messages: int) -> tuple[str, int, str]:
    from api.insights.evaluate import evaluate_all
    from db.pool import open_database

    dsn = await scratch_database(url, "mailflow_bench_peer")
    org = await load(dsn, messages)
    db = await open_database(dsn, 2)
    await evaluate_all(db)
    await db.close()
    conn = await asyncpg.connect(dsn)
    await conn.execute((PEER / "functions.sql").read_text())
    await conn.close()
    return dsn, org, await admin_key(dsn, "bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("install wrk (Debian: apt-get install wrk)")
    url = server_url()
    dsn, org, token = asyncio.run(prepare(url, args.messages))
    try:
        rows = run(dsn, org, token, args.rounds)
    finally:
        asyncio.run(drop_database(url, dsn))
    print(f"\nmailflow against PostGraphile 4.14.1, {args.messages:,} messages; {machine()}")
    headers = ["view", "server", "req/s @16", "p50 ms @16", "p99 ms @16", "p50 ms @1", "req/s vs PG",
               "p50@1 vs PG", "server CPU µs/req @16 (vs PG)", "req/s @16 with 1,000 msg/s ingest"]  # fmt: skip
    print(table(headers, rows))


if __name__ == "__main__":
    main()
