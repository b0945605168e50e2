"""Webhook benchmark: from an event's commit to its delivery, and what the outbox costs an ingest.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.webhooks [--events 200]

Latency: one server process (uvicorn, its delivery worker running) on a fresh, migrated database, and a
receiver on loopback (tests/webhooks/receiver.py); a TLS report is POSTed, and the time from the answer
(the report and its outbox row committed) to the receiver getting the signed POST is measured, one event
at a time. Overhead: the same ingest in this process, without a worker (message batches that open and
update insights, and TLS reports one by one), with no subscription, then with three subscribed to every
event, alternated: the difference is what queueing the deliveries costs the ingest's transactions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from api.context import AppState
from api.feed import STORED, ingest_records, store_tls_reports
from api.importers.tlsrpt import decode
from api.settings import Settings
from api.webhooks import service
from bench.common import admin_key, drop_database, machine, running_server, scratch_database, server_url, table
from db.connectors import create_connector
from db.organizations import ensure_organization
from db.pool import open_database
from tests.cli.helpers import free_port
from tests.webhooks.helpers import tls_report
from tests.webhooks.receiver import Receiver, receiver

SECRET_KEY = "bench-only-key-bench-only-key-bench-only"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latencies(client: httpx.Client, hook: Receiver, events: int) -> list[float]:
    seconds = []
    for n in range(events):
        answer = client.post("/api/v1/tls-reports", content=tls_report(f"latency-{n}"))
        committed = time.time()
        assert answer.status_code == 201, answer.text
        (got, *_) = hook.wait_for(n + 1, seconds=30)[n:]
        seconds.append(got.at - committed)
    return seconds


def messages(n: int, seed: int) -> list[dict[str, Any]]:
    """Records of the last day through two partners, a third over TLS 1.0: insights open and update."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=1)
    return [
        {
            "message_id": f"<bench.{seed}.{i}@example.org>",
            "received_at": (start + timedelta(seconds=rng.random() * 86000)).isoformat(),
            "direction": "inbound",
            "tls_version": rng.choice(("TLSv1.2", "TLSv1.3", "TLSv1")),
            "connector": rng.choice(("Fabrikam", "Woodgrove")),
        }
        for i in range(n)
    ]


async def ingest_rates(state: AppState, round_no: int, batches: int, reports: int) -> tuple[float, float]:
    """(messages per second in batches of 10,000, TLS reports per second one at a time), in this process."""
    bodies = [messages(10_000, round_no * 1000 + b) for b in range(batches)]
    started = time.perf_counter()
    for body in bodies:
        await ingest_records(state, body)
    message_rate = batches * 10_000 / (time.perf_counter() - started)
    decoded = [decode(tls_report(f"rate-{round_no}-{n}", failed=n % 3)) for n in range(reports)]
    started = time.perf_counter()
    for report in decoded:
        assert await store_tls_reports(state, report) == [STORED]
    return message_rate, reports / (time.perf_counter() - started)


async def outbox_overhead(dsn: str, args: argparse.Namespace) -> dict[str, list[tuple[float, float]]]:
    """Ingest rates with no subscription and with three (every event), alternated, two rounds each. No
    worker runs here: what is measured is queueing in the ingest's transactions, not sending."""
    rates: dict[str, list[tuple[float, float]]] = {"none": [], "three": []}
    db = await open_database(dsn, 4)
    try:
        settings = Settings(secret_key=SECRET_KEY, webhook_allow_private=True, retention_days=36500, cache_bytes=0)
        state = AppState(settings, db, await ensure_organization(db.system, "bench-outbox"))
        for name in ("Fabrikam", "Woodgrove"):
            await create_connector(state.pool, state.org_id, name, "inbound", "partner", False)
        ids = [(await service.create(state, {"url": "http://127.0.0.1:9/"}))["id"] for _ in range(3)]
        for round_no in range(4):
            subscribed = round_no % 2 == 1
            for webhook in ids:
                await service.change(state, webhook, {"enabled": subscribed})
            rates["three" if subscribed else "none"].append(
                await ingest_rates(state, round_no, args.batches, args.reports)
            )
    finally:
        await db.close()
    return rates


def measure(dsn: str, token: str, events: int) -> list[float]:
    """Commit-to-delivery seconds of `events` TLS-report events, one at a time, through a server process."""
    with receiver() as hook, running_server(dsn, free_port()) as base:
        headers = {"authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            client.post("/api/v1/webhooks", json={"url": hook.url, "events": ["tls_report.received"]})
            return latencies(client, hook, events)


def report(args: argparse.Namespace, seconds: list[float], rates: dict[str, list[tuple[float, float]]]) -> None:
    print(f"Machine: {machine()}\n")
    print(f"Commit to delivery, {args.events} TLS-report events one at a time, through one server process:\n")
    ms = [s * 1000 for s in seconds]
    rows = [[f"{percentile(ms, 50):.0f} ms", f"{percentile(ms, 99):.0f} ms", f"{statistics.mean(ms):.0f} ms"]]
    print(table(["p50", "p99", "mean"], rows))
    best = {k: (max(r[0] for r in v), max(r[1] for r in v)) for k, v in rates.items()}
    print("\nIngest in this process (no worker) with no subscription and with three, best of two rounds each:\n")
    print(
        table(
            ["ingest", "no subscription", "three subscriptions", "overhead"],
            [
                [
                    what,
                    f"{best['none'][i]:,.0f}/s",
                    f"{best['three'][i]:,.0f}/s",
                    f"{(best['none'][i] / best['three'][i] - 1) * 100:+.1f}%",
                ]
                for i, what in enumerate(("messages, batches of 10,000", "TLS reports, one at a time"))
            ],
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200, help="events timed from commit to delivery")
    parser.add_argument("--batches", type=int, default=5, help="message batches of 10,000 per round")
    parser.add_argument("--reports", type=int, default=200, help="TLS reports per round")
    args = parser.parse_args()
    os.environ.update(
        MAILFLOW_WEBHOOK_ALLOW_PRIVATE="on", MAILFLOW_SECRET_KEY=SECRET_KEY, MAILFLOW_WEBHOOK_RETRY_SECONDS="1"
    )
    url = server_url()
    dsn = asyncio.run(scratch_database(url, "bench_webhooks"))
    try:
        seconds = measure(dsn, asyncio.run(admin_key(dsn, "bench")), args.events)
        rates = asyncio.run(outbox_overhead(dsn, args))
    finally:
        asyncio.run(drop_database(url, dsn))
    report(args, seconds, rates)


if __name__ == "__main__":
    main()
