"""What the response cache really takes: its accounted size against the allocations tracemalloc sees and the
process's resident memory, for answers of typical sizes.

    python -m bench.cache_memory [--megabytes 64]

Each size runs in a fresh process, which puts answers made by orjson (as the handlers make them) worth
twice the setting (so that the cache evicts as it would under load), keyed as the server keys them (REST
and GraphQL alternately). "bodies" is what the cache counted before issue 20 (their lengths); "accounted"
what it counts; "allocated" what tracemalloc sees the cache hold (a second run: tracing slows the process
and takes memory of its own); "RSS growth" the process's resident memory after against before.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import tracemalloc
from collections.abc import Hashable

import orjson

from api.cache import Entry, ResponseCache
from bench.common import machine, table

SIZES = {"300 B (a GraphQL summary)": (300, 300), "2 KB": (2_000, 2_000), "20 KB": (20_000, 20_000)}
SIZES["300 B-30 KB, mixed"] = (300, 30_000)
QUERY = b'{"query":"{ mailFlowSummary { inbound { total versions { tlsVersion messages } } } }"}'


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def key(n: int) -> tuple[Hashable, ...]:
    """A key as api/cache.cache_key makes one: the organization, its generation, the hour, the request,
    with what a request brings (its path, query, headers and body) made anew as a request makes it."""
    org, generation, hour = 1000 + n % 50, 1000 + n, 493_000
    if n % 2:
        return org, generation, hour, "graphql", "admin", bytes(bytearray(QUERY))
    query = (("from".upper().lower(), f"2026-11-{1 + n % 28:02d}"), ("to".upper().lower(), "2026-11-29"))
    path = f"/api/v1/{'summary' if n % 4 else 'connector-report'}"
    return org, generation, hour, "rest", path, query, "*/*".upper()


def answer(rng: random.Random, size: int) -> bytes:
    """A JSON answer of about `size` bytes, made by orjson as the handlers make theirs."""
    row = {"day": "2026-11-01", "connector": {"name": "partner 1"}, "volume": 0, "tls12": 0, "tls13": 0}
    rows = max(1, size // 100)
    return orjson.dumps({"rows": [{**row, "volume": rng.randrange(10**6)} for _ in range(rows)]})


def fill(megabytes: int, low: int, high: int, traced: bool) -> dict[str, int]:
    rng = random.Random(1)
    gc.collect()
    before = rss()
    if traced:
        tracemalloc.start()
    cache = ResponseCache(megabytes * 1024 * 1024)
    put = 0
    n = 0
    while put < 2 * cache.max_bytes:
        body = answer(rng, low if low == high else int(low * (high / low) ** rng.random()))
        headers = (("x-total-count", str(n)),) if n % 2 == 0 else ()
        cache.put(key(n), Entry(200, "application/json", headers, body))
        put += len(body)
        n += 1
    del body, headers
    gc.collect()
    allocated = tracemalloc.get_traced_memory()[0] if traced else 0
    return {
        "entries": len(cache.entries),
        "bodies": sum(len(e.body) for e in cache.entries.values()),
        "accounted": cache.size,
        "allocated": allocated,
        "rss_growth": rss() - before,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=64, help="the cache's setting, in MiB (default 64)")
    parser.add_argument("--one", nargs=3, type=int, help=argparse.SUPPRESS)  # low high traced: in the child
    args = parser.parse_args()
    if args.one:
        low, high, traced = args.one
        print(json.dumps(fill(args.megabytes, low, high, bool(traced))))
        return
    rows = []
    mib = 1024 * 1024
    for name, (low, high) in SIZES.items():
        runs = []
        for traced in (1, 0):
            command = [sys.executable, "-m", "bench.cache_memory", "--megabytes", str(args.megabytes)]
            out = subprocess.run([*command, "--one", str(low), str(high), str(traced)], capture_output=True, text=True)
            runs.append(json.loads(out.stdout))
        measured, untraced = runs
        rows.append(
            [
                name,
                f"{untraced['entries']:,}",
                f"{untraced['bodies'] / mib:.1f}",
                f"{untraced['accounted'] / mib:.1f}",
                f"{measured['allocated'] / mib:.1f}",
                f"{measured['accounted'] / measured['allocated']:.2f}",
                f"{untraced['rss_growth'] / mib:.1f}",
                f"{untraced['rss_growth'] / (args.megabytes * mib):.2f}",
            ]
        )
    print(f"\nresponse cache of {args.megabytes} MiB; {machine()}")
    headers = ["answers", "entries", "bodies MiB", "accounted MiB", "allocated MiB", "accounted / allocated"]
    print(table([*headers, "RSS growth MiB", "RSS growth / setting"], rows))


if __name__ == "__main__":
    main()
