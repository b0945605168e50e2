"""Webhook and subscription benchmark: from an ingest's commit to the webhook delivery and to the GraphQL
subscription message, and what the outbox costs an ingest.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.webhooks [--events 200]

Latency: one server process (uvicorn: its delivery worker, its subscriptions' watcher) on a fresh, migrated
database, a receiver on loopback (tests/webhooks/receiver.py) subscribed to insight events, and a WebSocket
client subscribed to `insightEvents`. An open insight is then fed one TLS 1.0 message at a time, each ingest
making one `insight.updated` event; the clock runs from the ingest's end (its transactions committed) to the
receiver getting the signed POST and to the subscription's message, one event at a time. The ingest is made
by the server itself (REST: it wakes its own worker) and by another process (this one: the server learns of
it by NOTIFY only). The floor: a bare NOTIFY from one connection to another listening, in the same run.

Overhead: the same ingest in this process, without a worker (message batches that open and update insights,
and TLS reports one at a time), into two organizations alike but for their webhooks (none, or three
subscribed to every event), alternating one operation at a time so that the machine's changing load falls
on both alike: the difference is what queueing the deliveries costs the ingest's transactions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import orjson
from websockets.asyncio.client import connect

from api.context import AppState
from api.feed import STORED, ingest_records, store_tls_reports
from api.importers.tlsrpt import decode
from api.settings import Settings
from api.webhooks.worker import sending
from bench.common import admin_key, drop_database, machine, running_server, scratch_database, server_url, table
from db.connectors import create_connector
from db.notify import notify
from db.organizations import ensure_organization
from db.pool import open_database
from db.webhooks import enqueue_tls_report
from services import webhooks
from tests.cli.helpers import free_port
from tests.insights.helpers import records
from tests.webhooks.helpers import tls_report
from tests.webhooks.receiver import Receiver, receiver

SECRET_KEY = "bench-only-key-bench-only-key-bench-only"
STORED_KEYS = "select report_key from tls_reports where org_id = $1 order by report_key"
EVENTS = "subscription { insightEvents { cursor type } }"
WAIT = 30  # seconds: an event that takes longer stops the benchmark


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_settings() -> Settings:
    return Settings(secret_key=SECRET_KEY, webhook_allow_private=True, retention_days=36500, cache_bytes=0)


class Subscriber:
    """A graphql-transport-ws client subscribed to insightEvents: when each message came."""

    def __init__(self) -> None:
        self.arrived: list[float] = []

    async def run(self, base: str, token: str, ready: asyncio.Event) -> None:
        async with connect(base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            await ws.send(orjson.dumps(init).decode())
            assert orjson.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}).decode())
            ready.set()
            async for frame in ws:
                message = orjson.loads(frame)
                assert message["type"] == "next", message
                assert "errors" not in message["payload"], message
                self.arrived.append(time.time())

    async def nth(self, n: int) -> float:
        deadline = time.monotonic() + WAIT
        while len(self.arrived) <= n:
            if time.monotonic() > deadline:
                raise SystemExit(f"subscription message {n + 1} did not come within {WAIT} s")
            await asyncio.sleep(0.002)
        return self.arrived[n]


async def timed(
    ingest: Callable[[], Awaitable[None]], hook: Receiver, subscriber: Subscriber, events: int
) -> tuple[list[float], list[float]]:
    """Seconds from each ingest's end to its event's webhook delivery and subscription message."""
    webhook, subscription = [], []
    for _ in range(events):
        delivered, sent = len(hook.received), len(subscriber.arrived)
        await ingest()
        committed = time.time()
        got = (await hook.arrived(delivered + 1, seconds=WAIT))[delivered]
        webhook.append(got.at - committed)
        subscription.append(await subscriber.nth(sent) - committed)
    return webhook, subscription


async def notify_floor(dsn: str, events: int) -> list[float]:
    """Seconds from sending a bare NOTIFY (committed as it runs) to its arrival on another connection."""
    listening, sending = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    came: asyncio.Queue[float] = asyncio.Queue()
    await listening.add_listener("bench_floor", lambda *_: came.put_nowait(time.time()))
    seconds = []
    try:
        for _ in range(events):
            sent = time.time()
            await sending.execute("notify bench_floor, '1'")
            seconds.append(await asyncio.wait_for(came.get(), WAIT) - sent)
    finally:
        await listening.close()
        await sending.close()
    return seconds


async def latencies(dsn: str, base: str, token: str, events: int) -> dict[str, tuple[list[float], list[float]]]:
    """Per path (the server's own ingest, another process's): webhook and subscription seconds."""
    headers = {"authorization": f"Bearer {token}"}
    db = await open_database(dsn, 2)
    subscriber = Subscriber()
    ready = asyncio.Event()
    listening = asyncio.create_task(subscriber.run(base, token, ready))
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
            body = {"name": "Fabrikam", "direction": "inbound", "type": "partner"}
            assert (await client.post("/api/v1/connectors", json=body)).status_code == 201
            with receiver() as hook:
                wanted = {"url": hook.url, "events": ["insight.created", "insight.updated"]}
                assert (await client.post("/api/v1/webhooks", json=wanted)).status_code == 201
                await asyncio.wait_for(ready.wait(), WAIT)
                state = AppState(bench_settings(), db, await ensure_organization(db.system, "bench"))

                async def through_the_server() -> None:
                    answer = await client.post("/api/v1/messages", json=records({"TLS1.0": 1}, "inbound", "Fabrikam"))
                    assert answer.status_code == 200, answer.text

                async def through_another_process() -> None:
                    await ingest_records(state, records({"TLS1.0": 1}, "inbound", "Fabrikam"))

                opened = await client.post("/api/v1/messages", json=records({"TLS1.0": 100}, "inbound", "Fabrikam"))
                assert opened.status_code == 200
                await hook.arrived(1, seconds=WAIT)
                await subscriber.nth(0)
                return {
                    "the server's own ingest (REST)": await timed(through_the_server, hook, subscriber, events),
                    "another process's ingest": await timed(through_another_process, hook, subscriber, events),
                }
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await db.close()


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


async def alternated(
    states: dict[str, AppState], count: int, work: Callable[[AppState, int], Awaitable[float | None]]
) -> dict[str, list[float]]:
    """Seconds per operation in each organization (what `work` took, or what it says it timed), the
    operations alternating between them one by one (the first one switching every pair), so that the
    machine's changing load falls on both alike."""
    seconds: dict[str, list[float]] = {kind: [] for kind in states}
    kinds = list(states)
    for n in range(count):
        for kind in kinds if n % 2 == 0 else kinds[::-1]:
            started = time.perf_counter()
            timed = await work(states[kind], n)
            seconds[kind].append(time.perf_counter() - started if timed is None else timed)
    return seconds


async def outbox_statements(state: AppState, report_key: int) -> float:
    """Seconds of what the outbox adds to a stored report's transaction: queueing its deliveries and the
    NOTIFY (in a transaction rolled back, so that it can be measured again)."""
    async with state.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        started = time.perf_counter()
        queued = await enqueue_tls_report(conn, state.org_id, report_key)
        await notify(conn, state.org_id, queued=queued > 0)
        seconds = time.perf_counter() - started
        await transaction.rollback()
    return seconds


async def outbox_overhead(dsn: str, args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    """Seconds per ingest in two organizations alike but for their webhooks (none, or three subscribed to
    every event), fed the same data alternately. No worker runs here: what is measured is queueing in the
    ingest's transactions, not sending."""
    db = await open_database(dsn, 4)
    try:
        states: dict[str, AppState] = {}
        for kind, subscriptions in (("none", 0), ("three", 3)):
            state = AppState(bench_settings(), db, await ensure_organization(db.system, f"bench-outbox-{kind}"))
            for name in ("Fabrikam", "Woodgrove"):
                await create_connector(state.pool, state.org_id, name, "inbound", "partner", False)
            for _ in range(subscriptions):
                hooked = sending(db, state.settings, state.org_id)
                await webhooks.create(state.pool, state.org_id, hooked, {"url": "http://127.0.0.1:9/"})
            states[kind] = state
        bodies = [messages(10_000, b) for b in range(args.batches)]
        reports = [decode(tls_report(f"rate-{n}", failed=n % 3)) for n in range(args.reports)]

        async def batch(state: AppState, n: int) -> None:
            await ingest_records(state, bodies[n])

        async def report(state: AppState, n: int) -> None:
            assert await store_tls_reports(state, reports[n]) == [STORED]

        measured = {
            "messages, batches of 10,000": await alternated(states, args.batches, batch),
            "TLS reports, one at a time": await alternated(states, args.reports, report),
        }
        keys = {
            kind: [r["report_key"] for r in await db.system.fetch(STORED_KEYS, state.org_id)]
            for kind, state in states.items()
        }

        async def statements(state: AppState, n: int) -> float:
            kind = next(k for k, s in states.items() if s is state)
            return await outbox_statements(state, keys[kind][n % len(keys[kind])])

        measured["of a TLS report: the outbox's statements"] = await alternated(states, args.reports, statements)
        return measured
    finally:
        await db.close()


async def measure(dsn: str, token: str, events: int) -> tuple[dict[str, tuple[list[float], list[float]]], list[float]]:
    with running_server(dsn, free_port()) as base:
        paths = await latencies(dsn, base, token, events)
    return paths, await notify_floor(dsn, events)


def ms_row(seconds: list[float], floor: float) -> list[str]:
    ms = [s * 1000 for s in seconds]
    p50 = percentile(ms, 50)
    return [f"{p50:.1f} ms", f"{percentile(ms, 99):.1f} ms", f"{statistics.mean(ms):.1f} ms", f"{p50 / floor:.0f}x"]


def report(
    args: argparse.Namespace,
    paths: dict[str, tuple[list[float], list[float]]],
    floor: list[float],
    rates: dict[str, dict[str, list[float]]],
) -> None:
    print(f"Machine: {machine()}\n")
    print(f"Ingest commit to message, {args.events} insight.updated events one at a time, one server process:\n")
    floor_p50 = percentile([s * 1000 for s in floor], 50)
    rows = [["a bare NOTIFY, to a listening connection", "(the floor)", *ms_row(floor, floor_p50)]]
    for path, (webhook, subscription) in paths.items():
        rows.append([path, "webhook received", *ms_row(webhook, floor_p50)])
        rows.append([path, "insightEvents message", *ms_row(subscription, floor_p50)])
    print(table(["ingest by", "to", "p50", "p99", "mean", "p50 / floor"], rows))
    print("\nIngest in this process (no worker), two organizations fed alike, alternated one operation at a time:\n")
    statements = rates.pop("of a TLS report: the outbox's statements")
    rows = []
    for what, seconds in rates.items():
        none, three = statistics.median(seconds["none"]), statistics.median(seconds["three"])
        pairs = statistics.median(t / n for n, t in zip(seconds["none"], seconds["three"], strict=True))
        rows.append(
            [
                what,
                str(len(seconds["none"])),
                f"{none * 1000:.1f} ms",
                f"{three * 1000:.1f} ms",
                f"{(three / none - 1) * 100:+.1f}%",
                f"{(pairs - 1) * 100:+.1f}%",
            ]
        )
    headers = ["ingest", "each", "no subscription", "three subscriptions", "overhead (medians)", "median of pairs"]
    print(table(headers, rows))
    none, three = statistics.median(statements["none"]), statistics.median(statements["three"])
    report_seconds = statistics.median(rates["TLS reports, one at a time"]["three"])
    print(
        f"\nThe outbox's statements in a TLS report's transaction (queueing, NOTIFY), medians of "
        f"{len(statements['none'])} alternated: {none * 1000:.2f} ms with no subscription, {three * 1000:.2f} ms "
        f"with three; the difference, {(three - none) * 1000:.2f} ms, is {(three - none) / report_seconds * 100:.1f}% "
        f"of a TLS report's ingest ({report_seconds * 1000:.1f} ms)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200, help="events timed from commit to delivery, per path")
    parser.add_argument("--batches", type=int, default=20, help="message batches of 10,000 per organization")
    parser.add_argument("--reports", type=int, default=300, help="TLS reports per organization")
    parser.add_argument("--skip-latency", action="store_true", help="measure the overhead only")
    args = parser.parse_args()
    os.environ.update(
        MAILFLOW_WEBHOOK_ALLOW_PRIVATE="on", MAILFLOW_SECRET_KEY=SECRET_KEY, MAILFLOW_WEBHOOK_RETRY_SECONDS="1"
    )
    url = server_url()
    dsn = asyncio.run(scratch_database(url, "bench_webhooks"))
    try:
        paths, floor = (
            ({}, [1.0])
            if args.skip_latency
            else asyncio.run(measure(dsn, asyncio.run(admin_key(dsn, "bench")), args.events))
        )
        rates = asyncio.run(outbox_overhead(dsn, args))
    finally:
        asyncio.run(drop_database(url, dsn))
    report(args, paths, floor, rates)


if __name__ == "__main__":
    main()
