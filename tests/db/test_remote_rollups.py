"""The remote-party daily rollup: filled by the ingest statement, equal to an independent count, idempotent."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from api.context import AppState
from api.ingest import validate
from db.messages import prune, store_messages
from tests.factories import LATER

START = datetime(2030, 3, 1, 20, tzinfo=UTC)  # days no other test uses
VERSIONS = {"TLSv1": "TLS1.0", "TLSv1.1": "TLS1.1", "TLSv1.2": "TLS1.2", "TLSv1.3": "TLS1.3", "none": "none",
            "TLS": "unknown"}  # fmt: skip
BUCKET_COLUMNS = {"none": "no_tls", "TLS1.0": "tls10", "TLS1.1": "tls11", "TLS1.2": "tls12", "TLS1.3": "tls13",
                  "unknown": "unknown"}  # fmt: skip
# (host as logged, its registrable domain), built by hand: subdomains, case, a trailing dot, IDN both ways
HOSTS = [
    ("mx1.mail.partner.co.uk", "partner.co.uk"),
    ("MX2.Partner.CO.UK.", "partner.co.uk"),
    ("mx.bücher.de", "xn--bcher-kva.de"),
    ("mx.XN--BCHER-KVA.de", "xn--bcher-kva.de"),
    ("out.relay.example.com", "example.com"),
    ("unknown", ""),
    (None, ""),
]
# (address as logged, its domain as kept): a domain is not folded, only spelled one way
ADDRESSES = [
    ("a@Sub.Partner.co.uk", "sub.partner.co.uk"),
    ("<b@partner.co.uk>", "partner.co.uk"),
    ("c@Bücher.de", "xn--bcher-kva.de"),
    ("d@xn--bcher-kva.de.", "xn--bcher-kva.de"),
    (None, ""),  # a null sender (a bounce)
]


def generated(n: int, seed: int) -> tuple[list[dict[str, Any]], Counter[tuple[Any, ...]]]:
    """Records, and the rollup they must give, counted here without the code under test."""
    rng = random.Random(seed)
    records, expected = [], Counter[tuple[Any, ...]]()
    for i in range(n):
        direction = rng.choice(["inbound", "outbound", "submission"])
        host, server = rng.choice(HOSTS)
        address, domain = rng.choice(ADDRESSES)
        version = rng.choice(list(VERSIONS))
        at = START + timedelta(minutes=rng.randrange(3 * 24 * 60))
        record: dict[str, Any] = {
            "message_id": f"<g{seed}.{i}@x>",
            "received_at": at.isoformat(),
            "direction": direction,
            "tls_version": version,
            "remote_host": host,
            "size_bytes": 10,
        }
        if direction != "outbound":
            record["sender"] = address
            record["recipient"] = "someone@our.example"
        else:
            record["sender"] = "someone@our.example"
            record["recipient"] = address
        records.append(record)
        if direction != "submission":
            key = (direction, at.date(), domain, server)
            expected[(*key, "messages")] += 1
            expected[(*key, BUCKET_COLUMNS[VERSIONS[version]])] += 1
            expected[(*key, "bytes")] += 10
    return records, expected


async def rollup(pool: asyncpg.Pool, org_id: int) -> Counter[tuple[Any, ...]]:
    rows = await pool.fetch("select * from remote_daily_rollups where org_id = $1 and connector_id = 0", org_id)
    found = Counter[tuple[Any, ...]]()
    for r in rows:
        for column in ("messages", "bytes", *BUCKET_COLUMNS.values()):
            if r[column]:
                found[(r["direction"], r["day"], r["domain"], r["server_domain"], column)] = r[column]
    return found


async def test_the_remote_rollup_equals_an_independent_count(state: AppState, pool: asyncpg.Pool) -> None:
    records, expected = generated(3000, 1)
    batch, problems = validate(records, {}, now=LATER)
    assert not problems
    assert (await store_messages(state.pool, state.org_id, batch)).accepted == 3000
    assert await rollup(pool, state.org_id) == expected
    # and the same from the messages table
    from_messages = await pool.fetch(
        "select direction, (received_at at time zone 'UTC')::date as day, count(*) as n, count(distinct server_domain)"
        " as servers from messages where org_id = $1 and direction <> 'submission' group by 1, 2",
        state.org_id,
    )
    in_rollup = await pool.fetch(
        "select direction, day, sum(messages) as n from remote_daily_rollups where org_id = $1 group by 1, 2",
        state.org_id,
    )
    assert {(r["direction"], r["day"]): r["n"] for r in from_messages} == {
        (r["direction"], r["day"]): r["n"] for r in in_rollup
    }
    assert all(r["servers"] == 3 for r in from_messages)  # partner.co.uk, xn--bcher-kva.de, example.com


async def test_a_retried_or_concurrent_batch_never_counts_twice(state: AppState, pool: asyncpg.Pool) -> None:
    records, expected = generated(2000, 2)
    first, _ = validate(records[:1500], {}, now=LATER)
    assert (await store_messages(state.pool, state.org_id, first)).accepted == 1500
    # the whole batch retried, twice at once, after a part of it was stored: only the rest is added
    whole, _ = validate(records, {}, now=LATER)
    again, _ = validate(list(reversed(records)), {}, now=LATER)
    results = await asyncio.gather(*(store_messages(state.pool, state.org_id, b) for b in (whole, again)))
    assert sum(r.accepted for r in results) == 500
    assert await rollup(pool, state.org_id) == expected


async def test_client_submissions_have_no_remote_party(state: AppState, pool: asyncpg.Pool) -> None:
    record = {
        "message_id": "<s@x>",
        "received_at": START.isoformat(),
        "direction": "submission",
        "tls_version": "TLSv1.3",
        "sender": "me@our.example",
        "remote_host": "laptop.home.example.net",
    }
    batch, _ = validate([record], {}, now=LATER)
    await store_messages(state.pool, state.org_id, batch)
    assert await pool.fetchval("select count(*) from remote_daily_rollups where org_id = $1", state.org_id) == 0
    stored = await pool.fetchval("select server_domain from messages where org_id = $1", state.org_id)
    assert stored == "example.net"


async def test_the_rollup_write_bumps_the_data_generation(state: AppState, pool: asyncpg.Pool) -> None:
    async def generation() -> int:
        value = await pool.fetchval("select generation from org_generations where org_id = $1", state.org_id)
        return int(value or 0)

    before = await generation()
    records, _ = generated(10, 3)
    batch, _ = validate([r for r in records if r["direction"] != "submission"], {}, now=LATER)
    await store_messages(state.pool, state.org_id, batch)
    assert await generation() > before


async def test_retention_prunes_the_remote_and_transit_rollups(state: AppState, pool: asyncpg.Pool) -> None:
    now = datetime(2031, 3, 30, 12, tzinfo=UTC)
    records = [
        {"message_id": f"<p{n}@x>", "received_at": (now - timedelta(days=days)).isoformat(), "direction": "outbound",
         "tls_version": "TLSv1", "recipient": "x@old.example", "remote_host": "mx.old.example"}
        for n, days in enumerate((100, 1))
    ]  # fmt: skip
    batch, _ = validate(records, {}, now=LATER)
    await store_messages(state.pool, state.org_id, batch)
    await prune(pool, 90, now=now)
    for table in ("remote_daily_rollups", "transit_daily_rollups"):
        days = await pool.fetch(f"select day from {table} where org_id = $1", state.org_id)  # noqa: S608
        assert [r["day"] for r in days] == [(now - timedelta(days=1)).date()], table
