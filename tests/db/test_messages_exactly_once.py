"""Storing messages the cheap way (a plain insert, the rollups once per request) and the exact way (a retry):
every message counted once in every rollup, whichever way it went, and the rollups equal to an independent
count from the messages table."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from api.context import AppState
from api.ingest import validate
from core.batch import Batch
from db import sql
from db.messages import store_messages, store_parts
from tests.factories import LATER, garbage_left_by

START = datetime(2030, 5, 10, 21, tzinfo=UTC)  # days no other test uses
CONNECTORS = {("inbound", "Partner"): 7, ("outbound", "Relay"): 8}
VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "none", "TLS"]
SECURITY = [None, "dane", "mta_sts", "verified", "opportunistic", "unknown"]


def generated(n: int, seed: int) -> list[dict[str, Any]]:
    """Records over three UTC days, both connectors and the internet, every direction, TLS version and
    transit security level, some blocked, some without a size or a remote party."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        direction = rng.choice(["inbound", "outbound", "submission"])
        version = rng.choice(VERSIONS)
        record: dict[str, Any] = {
            "message_id": f"<x{seed}.{i}@example.org>",
            "received_at": (START + timedelta(seconds=rng.randrange(3 * 86400))).isoformat(),
            "direction": direction,
            "tls_version": version,
            "sender": rng.choice([None, "a@one.example", "b@two.example"]),
            "recipient": rng.choice([None, "c@three.example", "d@four.example"]),
            "remote_host": rng.choice([None, "mx1.one.example", "mx.four.example"]),
            "size_bytes": rng.choice([None, 10, 2000]),
        }
        if direction != "submission" and rng.random() < 0.3:
            record["connector"] = "Partner" if direction == "inbound" else "Relay"
        if direction == "outbound":
            security = rng.choice(SECURITY)
            if security in ("dane", "mta_sts", "verified", "opportunistic") and version == "none":
                security = None
            record["tls_security"] = security
            if rng.random() < 0.1:
                record["blocked_reason"] = "TLS required"
        records.append(record)
    return records


def batch_of(records: list[dict[str, Any]]) -> Batch:
    batch, problems = validate(records, CONNECTORS, now=LATER)
    assert not problems, problems.items
    return batch


# Each rollup as rows (key..., counts...), read from its table, and counted from the messages table alone.
ROLLUPS = {
    "hourly_rollups": (
        "select hour, direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes "
        "from hourly_rollups where org_id = $1",
        "select date_trunc('hour', received_at at time zone 'UTC') at time zone 'UTC', direction, "
        "coalesce(connector_id, 0), count(*), count(*) filter (where tls_bucket = 'none'), "
        "count(*) filter (where tls_bucket = 'TLS1.0'), count(*) filter (where tls_bucket = 'TLS1.1'), "
        "count(*) filter (where tls_bucket = 'TLS1.2'), count(*) filter (where tls_bucket = 'TLS1.3'), "
        "count(*) filter (where tls_bucket = 'unknown'), coalesce(sum(size_bytes), 0) "
        "from messages where org_id = $1 group by 1, 2, 3",
    ),
    "daily_rollups": (
        "select day, direction, connector_id, messages, no_tls, tls10, tls11, tls12, tls13, unknown, bytes "
        "from daily_rollups where org_id = $1",
        "select (received_at at time zone 'UTC')::date, direction, coalesce(connector_id, 0), count(*), "
        "count(*) filter (where tls_bucket = 'none'), count(*) filter (where tls_bucket = 'TLS1.0'), "
        "count(*) filter (where tls_bucket = 'TLS1.1'), count(*) filter (where tls_bucket = 'TLS1.2'), "
        "count(*) filter (where tls_bucket = 'TLS1.3'), count(*) filter (where tls_bucket = 'unknown'), "
        "coalesce(sum(size_bytes), 0) from messages where org_id = $1 group by 1, 2, 3",
    ),
    "remote_daily_rollups": (
        "select direction, day, connector_id, domain, server_domain, messages, no_tls, tls10, tls11, tls12, tls13, "
        "unknown, bytes from remote_daily_rollups where org_id = $1",
        "select direction, (received_at at time zone 'UTC')::date, coalesce(connector_id, 0), "
        "coalesce(case when direction = 'inbound' then sender_domain else recipient_domain end, ''), "
        "coalesce(server_domain, ''), count(*), count(*) filter (where tls_bucket = 'none'), "
        "count(*) filter (where tls_bucket = 'TLS1.0'), count(*) filter (where tls_bucket = 'TLS1.1'), "
        "count(*) filter (where tls_bucket = 'TLS1.2'), count(*) filter (where tls_bucket = 'TLS1.3'), "
        "count(*) filter (where tls_bucket = 'unknown'), coalesce(sum(size_bytes), 0) "
        "from messages where org_id = $1 and direction <> 'submission' group by 1, 2, 3, 4, 5",
    ),
    "transit_daily_rollups": (
        "select day, connector_id, dane, mta_sts, verified, opportunistic, no_tls, unknown, blocked "
        "from transit_daily_rollups where org_id = $1",
        "select (received_at at time zone 'UTC')::date, coalesce(connector_id, 0), "
        "count(*) filter (where blocked_reason is null and tls_security = 'dane'), "
        "count(*) filter (where blocked_reason is null and tls_security = 'mta_sts'), "
        "count(*) filter (where blocked_reason is null and tls_security = 'verified'), "
        "count(*) filter (where blocked_reason is null and tls_security = 'opportunistic'), "
        "count(*) filter (where blocked_reason is null and tls_security = 'none'), "
        "count(*) filter (where blocked_reason is null and tls_security = 'unknown'), "
        "count(*) filter (where blocked_reason is not null) "
        "from messages where org_id = $1 and direction = 'outbound' group by 1, 2",
    ),
}


async def assert_rollups_count_the_messages(pool: asyncpg.Pool, org_id: int, messages: int) -> None:
    assert await pool.fetchval("select count(*) from messages where org_id = $1", org_id) == messages
    for table, (stored, counted) in ROLLUPS.items():
        rows = sorted(tuple(r) for r in await pool.fetch(stored, org_id))
        assert rows == sorted(tuple(r) for r in await pool.fetch(counted, org_id)), table
        assert rows, table


async def test_a_new_batch_takes_the_cheap_way_and_every_rollup_counts_it(state: AppState, pool: asyncpg.Pool) -> None:
    records = generated(3000, 1)
    with sql.count_statements() as statements:
        stored = await store_messages(state.pool, state.org_id, batch_of(records))
    assert (stored.accepted, stored.duplicates) == (3000, 0)
    assert "messages/keep_new_staged_messages" not in statements
    assert statements.count("messages/insert_staged_messages") == 1
    await assert_rollups_count_the_messages(pool, state.org_id, 3000)


async def test_a_batch_mixing_new_and_stored_records_adds_only_the_new(state: AppState, pool: asyncpg.Pool) -> None:
    records = generated(3000, 2)
    assert (await store_messages(state.pool, state.org_id, batch_of(records[1000:2000]))).accepted == 1000
    mixed = records[1500:] + records[:1500]  # stored ones in the middle: the plain insert fails part-way
    with sql.count_statements() as statements:
        stored = await store_messages(state.pool, state.org_id, batch_of(mixed))
    assert (stored.accepted, stored.duplicates) == (2000, 1000)
    assert "messages/keep_new_staged_messages" in statements  # the exact way
    await assert_rollups_count_the_messages(pool, state.org_id, 3000)
    # and a whole retry adds nothing
    stored = await store_messages(state.pool, state.org_id, batch_of(records))
    assert (stored.accepted, stored.duplicates) == (0, 3000)
    await assert_rollups_count_the_messages(pool, state.org_id, 3000)


async def test_a_retry_after_a_partial_failure_counts_each_message_once(state: AppState, pool: asyncpg.Pool) -> None:
    records = generated(4000, 3)
    # a request whose first parts were inserted, then refused by a later part: nothing of it stays
    parts: list[Batch | None] = [batch_of(records[:1000]), batch_of(records[1000:2000]), None]
    assert await store_parts(state.pool, state.org_id, iter(parts)) is None
    assert not await pool.fetchval("select count(*) from messages where org_id = $1", state.org_id)
    assert not await pool.fetchval("select count(*) from hourly_rollups where org_id = $1", state.org_id)
    # one committed before the failure of another that shared records with it
    assert (await store_messages(state.pool, state.org_id, batch_of(records[:1500]))).accepted == 1500
    # the retry of the whole in parts: its third part holds records stored already, so the whole request goes
    # the exact way
    parts = [batch_of(records[i : i + 1000]) for i in range(2000, 4000, 1000)]
    parts += [batch_of(records[i : i + 1000]) for i in range(0, 2000, 1000)]
    done = await store_parts(state.pool, state.org_id, iter(parts))
    assert done is not None
    whole, stored = done
    assert (len(whole), stored.accepted, stored.duplicates) == (4000, 2500, 1500)
    await assert_rollups_count_the_messages(pool, state.org_id, 4000)


async def test_a_record_twice_in_a_batch_counts_once_as_first_given(state: AppState, pool: asyncpg.Pool) -> None:
    records = generated(200, 4)
    twice = {**records[10], "tls_version": "none", "tls_security": None, "size_bytes": 99}  # same key, other data
    stored = await store_messages(state.pool, state.org_id, batch_of([*records, twice]))
    assert (stored.accepted, stored.duplicates) == (200, 1)
    size = await pool.fetchval(
        "select size_bytes from messages where org_id = $1 and message_id = $2", state.org_id, records[10]["message_id"]
    )
    assert size == records[10]["size_bytes"]
    await assert_rollups_count_the_messages(pool, state.org_id, 200)


async def test_parts_and_concurrent_retries_count_each_message_once(state: AppState, pool: asyncpg.Pool) -> None:
    records = generated(3000, 5)

    def parts(chosen: list[dict[str, Any]]) -> list[Batch | None]:
        return [batch_of(chosen[i : i + 700]) for i in range(0, len(chosen), 700)]

    with sql.count_statements() as statements:
        first = await store_parts(state.pool, state.org_id, iter(parts(records[:2000])))
    assert first is not None
    assert first[1].accepted == 2000
    # each part inserted the cheap way, the rollups added once
    assert statements.count("messages/insert_staged_messages") == 3
    assert statements.count("messages/add_staged_to_rollups") == 1
    # the whole sent three times at once, in two orders: the rest is stored once
    results = await asyncio.gather(
        store_parts(state.pool, state.org_id, iter(parts(records))),
        store_parts(state.pool, state.org_id, iter(parts(records[::-1]))),
        store_messages(state.pool, state.org_id, batch_of(records)),
    )
    accepted = [r.accepted if not isinstance(r, tuple) else r[1].accepted for r in results if r is not None]
    assert len(accepted) == 3
    assert sum(accepted) == 1000
    await assert_rollups_count_the_messages(pool, state.org_id, 3000)


async def test_a_retry_leaves_no_reference_cycles(state: AppState) -> None:
    """The refused plain insert's error is let go: nothing of a retry waits for the cycle collector."""
    records = generated(300, 6)
    assert (await store_messages(state.pool, state.org_id, batch_of(records))).accepted == 300

    async def retries() -> None:
        assert (await store_messages(state.pool, state.org_id, batch_of(records))).duplicates == 300
        done = await store_parts(state.pool, state.org_id, iter([batch_of(records[:100]), batch_of(records[100:])]))
        assert done is not None
        assert done[1].duplicates == 300

    assert await garbage_left_by(retries) == []
