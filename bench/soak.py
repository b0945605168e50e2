"""Soak: ten minutes of mixed ingest and reads on 16 connections while 300 slow clients and a stream of
invalid keys press on the same server, with the server's default limits.

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.soak [--seconds 600]

What it shows: the server's memory (RSS) is flat from the end of the warm-up (the response cache full)
to the end, its open files stay bounded, reads keep their p99, and nothing answers 5xx.

- 16 clients (address 127.0.0.1), one connection each, one request after another: an ingest of 100
  messages in one request of ten (every ingest changes the organization's data, so most reads after it
  miss the response cache), else a report view over REST or GraphQL.
- 300 slow clients over `--slow-addresses` addresses (127.0.1.x; 150 on each by default, above the 100
  connections one address may hold): half send a request's headers at 1 byte/s, half send headers with a
  valid key and then a body at 1 byte/s; each connects again when the server closes its connection
  (a second later when it was refused with 429).
- invalid keys (127.0.0.3): `--invalid-per-second` requests with a random token, answered 401 and then
  429 once the address has spent its failed authentications.

Before the load, distinct GraphQL queries fill the response cache (64 MiB, the default) as a server that
has run for a while has it; then a warm-up (`--warmup`, 60 s) runs the same load as the measured
`--seconds`. RSS and open files are sampled every 10 s from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import random
import secrets
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from api.settings import Settings
from bench.common import admin_key, drop_database, machine, scratch_database, server_process, server_url, table

CLIENTS = 16
CACHE_BYTES = Settings().cache_bytes  # the server runs with the default
GOOD, INVALID = "127.0.0.1", "127.0.0.3"
BUCKETS = ["TLSv1.3", "TLSv1.2", "TLSv1.2", "TLSv1", "none", "unknown"]
GRAPHQL = {
    "GraphQL summary": "{ mailFlowSummary { inbound { total versions { tlsVersion messages share } } "
    "outbound { total versions { tlsVersion messages share } } } }",
    "GraphQL breakdown": "{ tlsBreakdown(direction: BOTH) { total daily { day total versions { tlsVersion "
    "messages } } } }",
    "GraphQL connector report": "{ connectorReport { rows { day connector { name } volume noTls tls12 tls13 } } }",
}
REST = {
    "REST summary": "/api/v1/summary",
    "REST breakdown": "/api/v1/tls-breakdown",
    "REST connector report": "/api/v1/connector-report",
}
READS = [*REST, *GRAPHQL]


@dataclass
class Tally:
    measuring: bool = False
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    statuses: collections.Counter[tuple[str, int]] = field(default_factory=collections.Counter)
    server_errors: list[str] = field(default_factory=list)
    client_errors: collections.Counter[str] = field(default_factory=collections.Counter)
    slow_held: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))

    def answered(self, kind: str, status: int, seconds: float, body: str = "") -> None:
        self.statuses[kind, status] += 1
        if status >= 500:
            self.server_errors.append(f"{kind}: {status} {body[:200]}")
        if self.measuring and status < 300:
            self.latencies[kind].append(seconds * 1000)


def messages(rng: random.Random, batch: int, n: int) -> bytes:
    now = datetime.now(UTC)
    rows = [
        {
            "message_id": f"<soak.{batch}.{i}@example.org>",
            "received_at": (now - timedelta(seconds=rng.random() * 6 * 86400)).isoformat(),
            "direction": rng.choice(("inbound", "outbound")),
            "tls_version": rng.choice(BUCKETS),
            "connector": f"partner {rng.randrange(10)}" if rng.random() < 0.5 else None,
            "size_bytes": rng.randrange(1000, 100_000),
        }
        for i in range(n)
    ]
    return b"\n".join(orjson.dumps(r) for r in rows)


async def client(number: int, base: str, token: str, tally: Tally, stop: asyncio.Event) -> None:
    rng = random.Random(number)
    transport = httpx.AsyncHTTPTransport(local_address=GOOD, limits=httpx.Limits(max_connections=1))
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, transport=transport, timeout=60) as http:
        batch = number * 1_000_000
        while not stop.is_set():
            kind = "ingest" if rng.random() < 0.1 else rng.choice(READS)
            started = time.perf_counter()
            try:
                if kind == "ingest":
                    batch += 1
                    body = messages(rng, batch, 100)
                    ndjson = {"content-type": "application/x-ndjson"}
                    response = await http.post("/api/v1/messages", content=body, headers=ndjson)
                elif kind in REST:
                    response = await http.get(REST[kind])
                else:
                    response = await http.post("/graphql", json={"query": GRAPHQL[kind]})
            except httpx.HTTPError as exc:
                tally.client_errors[f"{kind}: {type(exc).__name__}"] += 1
                continue
            tally.answered(kind, response.status_code, time.perf_counter() - started, response.text)


async def invalid_keys(base: str, per_second: float, tally: Tally, stop: asyncio.Event) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=INVALID)
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=60) as http:
        while not stop.is_set():
            started = time.perf_counter()
            token = f"mf_1_1_{secrets.token_urlsafe(32)}"
            try:
                response = await http.get("/api/v1/summary", headers={"authorization": f"Bearer {token}"})
                tally.answered("invalid key", response.status_code, time.perf_counter() - started, response.text)
            except httpx.HTTPError as exc:
                tally.client_errors[f"invalid key: {type(exc).__name__}"] += 1
            await asyncio.sleep(max(0.0, 1 / per_second - (time.perf_counter() - started)))


async def slow_client(number: int, port: int, source: str, token: str, tally: Tally, stop: asyncio.Event) -> None:
    """Connects from `source` and sends at 1 byte/s, again and again: headers (even numbers) or a body."""
    kind = "slow headers" if number % 2 == 0 else "slow body"
    if kind == "slow headers":
        head, rest = b"", b"GET /api/v1/summary HTTP/1.1\r\nhost: soak\r\nx-padding: " + b"a" * 100_000
    else:
        head = (
            f"POST /api/v1/messages HTTP/1.1\r\nhost: soak\r\nauthorization: Bearer {token}\r\n"
            "content-type: application/x-ndjson\r\ncontent-length: 100000\r\n\r\n"
        ).encode()
        rest = b" " * 100_000
    while not stop.is_set():
        started = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        except OSError as exc:
            tally.client_errors[f"{kind}: connect {type(exc).__name__}"] += 1
            await asyncio.sleep(1)
            continue
        answer = asyncio.ensure_future(reader.read())  # everything until the server closes
        try:
            writer.write(head)
            for n in range(len(rest)):
                if answer.done() or stop.is_set():
                    break
                writer.write(rest[n : n + 1])
                await writer.drain()
                await asyncio.wait([answer], timeout=1)
            raw = await asyncio.wait_for(answer, 5) if not stop.is_set() else b""
        except (OSError, TimeoutError):
            raw = b""  # reset: refused (see below), or closed while a byte was on its way
        finally:
            answer.cancel()
            writer.close()
        if stop.is_set():
            return
        status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0
        held = time.monotonic() - started
        refused = status == 429 or (status == 0 and held < 1)  # a 429 is lost to a reset if the head was sent
        tally.statuses[kind, 429 if refused else status] += 1
        if status >= 500:
            tally.server_errors.append(f"{kind}: {raw[:300]!r}")
        if refused:
            await asyncio.sleep(1)  # as Retry-After says
        else:
            tally.slow_held[kind].append(held)


def memory(pid: int) -> tuple[float, int]:
    """The process's resident memory (MiB) and open files."""
    with open(f"/proc/{pid}/status") as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss_kb / 1024, len(os.listdir(f"/proc/{pid}/fd"))


async def prepare(base: str, token: str) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=60) as http:
        for n in range(10):
            for direction in ("inbound", "outbound"):
                body = {"name": f"partner {n}", "direction": direction, "type": "partner"}
                assert (await http.post("/api/v1/connectors", json=body)).status_code == 201
        rng = random.Random(0)
        for batch in range(20):
            body_bytes = messages(rng, batch, 5_000)
            response = await http.post(
                "/api/v1/messages", content=body_bytes, headers={"content-type": "application/x-ndjson"}
            )
            assert response.status_code == 200, response.text


async def fill_cache(base: str, token: str, cache_bytes: int) -> int:
    """Fill the response cache as a long-running server's is: distinct queries (the same report, told apart
    by a comment) until their answers add up to twice the cache. Returns how many."""
    headers = {"authorization": f"Bearer {token}"}
    query = GRAPHQL["GraphQL connector report"]
    numbers = iter(range(10**9))
    total = 0

    async def fetch() -> None:
        nonlocal total
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            while total < 2 * cache_bytes:
                response = await http.post("/graphql", json={"query": f"{query} # {next(numbers)}"})
                assert response.status_code == 200, response.text
                total += len(response.content)

    await asyncio.gather(*(fetch() for _ in range(CLIENTS)))
    return next(numbers)


async def soak(base: str, pid: int, token: str, args: argparse.Namespace) -> dict[str, Any]:
    port = int(base.rsplit(":", 1)[1])
    idle = memory(pid)
    await prepare(base, token)
    prepared = memory(pid)
    filled = await fill_cache(base, token, CACHE_BYTES)
    full = memory(pid)
    tally = Tally()
    stop = asyncio.Event()
    sources = [f"127.0.1.{n + 1}" for n in range(args.slow_addresses)]
    tasks = [asyncio.create_task(client(n, base, token, tally, stop)) for n in range(CLIENTS)]
    tasks += [
        asyncio.create_task(slow_client(n, port, sources[n % len(sources)], token, tally, stop))
        for n in range(args.slow)
    ]
    tasks.append(asyncio.create_task(invalid_keys(base, args.invalid_per_second, tally, stop)))
    samples: list[tuple[float, float, int]] = []
    load_before = os.getloadavg()[1]
    started = time.monotonic()
    end = started + args.warmup + args.seconds
    measured_from = 0.0
    requests_then = 0
    while (now := time.monotonic()) < end:
        if not tally.measuring and now - started >= args.warmup:
            tally.measuring = True
            measured_from = now
            requests_then = sum(tally.statuses.values())
        samples.append((now - started, *memory(pid)))
        await asyncio.sleep(min(10.0, end - now))
    samples.append((time.monotonic() - started, *memory(pid)))
    measured = time.monotonic() - measured_from
    requests = sum(tally.statuses.values()) - requests_then
    stop.set()
    done, pending = await asyncio.wait(tasks, timeout=10)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    return {
        "tally": tally,
        "idle": idle,
        "samples": samples,
        "measured_seconds": measured,
        "requests_per_second": requests / measured,
        "filled": filled,
        "full": full,
        "prepared": prepared,
        "load": (load_before, os.getloadavg()[1]),
    }


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    tally: Tally = result["tally"]
    samples: list[tuple[float, float, int]] = result["samples"]
    start = next(s for s in samples if s[0] >= args.warmup)
    last = samples[-1]
    load = result["load"]
    print(f"\nsoak: {args.warmup} s warm-up, then {args.seconds} s measured; {machine()}")
    print(f"the machine's 5-minute load average: {load[0]:.1f} as the load began, {load[1]:.1f} at its end")
    print(
        f"{CLIENTS} clients of ingest and reads, {args.slow} slow clients over {args.slow_addresses} address(es), "
        f"{args.invalid_per_second:g} invalid keys/s; server defaults (headers 10 s, body 60 s, 100 connections "
        f"per address, response cache 64 MiB); {result['requests_per_second']:,.0f} answers/s measured\n"
    )
    rows = []
    for kind in ["ingest", *READS]:
        times = sorted(tally.latencies[kind])
        if times:
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            rows.append([kind, f"{len(times):,}", f"{statistics.median(times):.1f}", f"{p99:.1f}"])
    reads = sorted(t for kind in READS for t in tally.latencies[kind])
    p99 = reads[min(len(reads) - 1, int(len(reads) * 0.99))]
    rows.append(["all reads", f"{len(reads):,}", f"{statistics.median(reads):.1f}", f"{p99:.1f}"])
    print(table(["request (16 clients)", "answered 2xx (measured)", "p50 ms", "p99 ms"], rows))
    by_kind: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for (kind, status), count in tally.statuses.items():
        by_kind[kind][status] += count
    rows = []
    for kind, counts in sorted(by_kind.items()):
        held = tally.slow_held.get(kind, [])
        longest = f"{max(held):.1f}" if held else ""
        statuses = ", ".join(f"{s or 'closed'}: {n:,}" for s, n in sorted(counts.items()))
        rows.append([kind, statuses, longest])
    print()
    print(table(["who (whole run)", "answers by status", "longest held s"], rows))
    print()
    rows = [[f"{t:.0f}", f"{rss:.1f}", str(files)] for t, rss, files in samples if t % 60 < 10 or t == last[0]]
    print(table(["seconds", "RSS MiB", "open files"], rows))
    growth = (last[1] - start[1]) / start[1]
    idle_rss, idle_files = result["idle"]
    print(
        f"\nRSS: {idle_rss:.1f} MiB at start, {result['prepared'][0]:.1f} after loading 100,000 messages, "
        f"{result['full'][0]:.1f} with the response cache filled "
        f"({result['filled']:,} queries), {start[1]:.1f} at the end of the warm-up, {last[1]:.1f} at the end "
        f"({growth:+.1%}: {'flat within 20%' if abs(growth) <= 0.2 else 'NOT flat within 20%'}); open files "
        f"{idle_files} at start, at most {max(s[2] for s in samples)}"
    )
    server_errors = len(tally.server_errors)
    print(f"5xx answers: {server_errors}" + "".join(f"\n  {e}" for e in tally.server_errors[:10]))
    if tally.client_errors:
        print("client-side errors: " + ", ".join(f"{k}: {n}" for k, n in sorted(tally.client_errors.items())))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600, help="measured duration after the warm-up (600)")
    parser.add_argument("--warmup", type=int, default=60, help="seconds of the same load before measuring (60)")
    parser.add_argument("--slow", type=int, default=300, help="slow clients (300)")
    parser.add_argument("--slow-addresses", type=int, default=2, help="addresses the slow clients come from (2)")
    parser.add_argument("--invalid-per-second", type=float, default=20, help="requests with invalid keys (20/s)")
    parser.add_argument("--port", type=int, default=8773)
    args = parser.parse_args()
    url = server_url()
    dsn = asyncio.run(scratch_database(url, "mailflow_bench_soak"))
    try:
        token = asyncio.run(admin_key(dsn, "bench"))
        with server_process(dsn, args.port, org="bench") as (base, pid):
            result = asyncio.run(soak(base, pid, token, args))
    finally:
        asyncio.run(drop_database(url, dsn))
    report(result, args)
    if result["tally"].server_errors:
        raise SystemExit(1)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
